# The package set that `import <nixpkgs> {}` gives under nixlite.
#
# Same names, arguments and behaviour as nixpkgs for what docker.nix files
# use: `lib`, `stdenv` (a minimal but honest bash stdenv), the trivial
# builders (runCommand, writeText, …), `callPackage`, `dockerTools`, and
# host tools (bash, coreutils, busybox, shadow, …): store paths made from
# this machine's binaries and the shared libraries they load (see
# host-tools.nix). Overlays work as in nixpkgs: `import <nixpkgs> {
# overlays = [ (final: prev: { … }) ]; }`.
{ system ? builtins.currentSystem
, overlays ? [ ]
, config ? { }
, ...
}:
let
  lib = import ./lib;

  basePackages = self:
    let
      callPackage = lib.callPackageWith self;
      hostTools = import ./host-tools.nix { inherit lib system; };
      stdenv = import ./stdenv { inherit lib system; pkgs = self; };
      trivialBuilders = import ./trivial-builders.nix {
        inherit lib stdenv;
        inherit (self) runtimeShell;
      };
    in
    hostTools // trivialBuilders // {
      inherit lib system config callPackage stdenv;
      pkgs = self;
      stdenvNoCC = stdenv;
      runtimeShell = stdenv.shell;
      callPackages = lib.callPackagesWith self;
      newScope = extra: lib.callPackageWith (self // extra);
      buildPackages = self;
      path = ./.;

      fetchurl = import ./fetchurl.nix { inherit lib; };
      dockerTools = callPackage ./docker { };
    };

  applyOverlays = lib.foldl (base: overlay: lib.extends overlay base) basePackages overlays;
in
lib.fix applyOverlays
