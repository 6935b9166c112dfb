# stdenv.mkDerivation: nixpkgs' argument conventions over `derivation`.
#
# `pname`/`version` give the name; `passthru` and `meta` stay out of the
# build environment and are added to the result; `overrideAttrs` rebuilds
# with changed arguments (`f` receives the previous arguments).
{ lib, system, shell, initialPath, setupDir }:
let
  mkDerivation = attrs:
    let
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      passthru = attrs.passthru or { };
      meta = attrs.meta or { };
      drvAttrs = builtins.removeAttrs attrs [ "passthru" "meta" ] // {
        inherit name system initialPath;
        builder = attrs.realBuilder or shell;
        args = attrs.args or [ "-e" "${setupDir}/default-builder.sh" ];
        stdenv = setupDir;
      };
      drv = derivation drvAttrs;
    in
    drv // {
      inherit meta passthru;
      overrideAttrs = f:
        mkDerivation (attrs // (if lib.isFunction f then f attrs else f));
    } // passthru;
in
mkDerivation
