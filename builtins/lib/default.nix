# The `lib` of nixlite's prelude: the part of nixpkgs' library that
# docker.nix files and the dockerTools seed use, under nixpkgs' names.
#
# Like nixpkgs, the functions live in namespaces (lib.trivial, lib.lists,
# lib.strings, lib.attrsets, lib.fixedPoints, lib.customisation,
# lib.versions, lib.sources) and are also re-exported at the top level. Each namespace
# file receives the finished `lib`; that is safe because the attribute
# names of every namespace are written out literally (a `rec { … }` or
# `inherit`), so merging them never needs `lib` itself.
let
  callLibs = file: import file { inherit lib; };

  trivial = callLibs ./trivial.nix;
  fixedPoints = callLibs ./fixed-points.nix;
  lists = callLibs ./lists.nix;
  strings = callLibs ./strings.nix;
  attrsets = callLibs ./attrsets.nix;
  customisation = callLibs ./customisation.nix;
  versions = callLibs ./versions.nix;
  sources = callLibs ./sources.nix;

  namespaces = {
    inherit trivial fixedPoints lists strings attrsets customisation versions sources;
    asserts = { inherit (trivial) assertMsg assertOneOf; };

    # nixpkgs keeps these builtins reachable from lib too.
    inherit (builtins) toString isString isInt isBool isList isAttrs
      isFloat typeOf seq deepSeq genericClosure elemAt length head tail
      attrNames attrValues hasAttr getAttr listToAttrs removeAttrs
      intersectAttrs sort filter map toJSON fromJSON pathExists readFile
      baseNameOf dirOf tryEval;
  };

  lib = namespaces // trivial // fixedPoints // lists // strings // attrsets
    // customisation // sources;
in
lib
