# nixlite's stdenv: `stdenv.shell`, `stdenv.mkDerivation` and platform
# facts, shaped like nixpkgs' stdenv but minimal.
#
# Builds run the host-tools bash (a store path, so `stdenv.shell` also works
# inside an image's root) with `$stdenv/setup`, which puts the host-tool
# packages of `initialPath` and the `bin` directories of `buildInputs` /
# `nativeBuildInputs` on PATH and runs `buildCommand` or the phases
# (unpack, patch, configure, build, check, install, fixup). There is no
# compiler wrapper: `stdenv.cc` is null.
{ lib, system, pkgs }:
let
  shell = "${pkgs.bash}/bin/bash";

  # The tools every build finds on PATH (nixpkgs' stdenv has the same list,
  # from its own bootstrap instead of from the host).
  initialPath = builtins.filter (p: p != null) (with pkgs; [
    coreutils findutils diffutils gnused gnugrep awk gnutar gzip bzip2 xz bash
  ]);

  platform = {
    inherit system;
    config = "x86_64-unknown-linux-gnu";
    isLinux = true;
    isDarwin = false;
    isx86_64 = system == "x86_64-linux";
    isAarch64 = system == "aarch64-linux";
    parsed.kernel.name = "linux";
  };

  # The directory holding `setup` and `default-builder.sh`; a source path,
  # so builds depend on its exact contents.
  setupDir = ./stdenv-host;

  mkDerivation = import ./make-derivation.nix {
    inherit lib system shell initialPath setupDir;
  };
in
{
  name = "stdenv-host";
  inherit system shell initialPath mkDerivation;
  inherit (platform) isLinux isDarwin isx86_64 isAarch64;
  hostPlatform = platform;
  buildPlatform = platform;
  targetPlatform = platform;
  cc = null;
  # Files from the seed's era write `stdenv.lib` (nixpkgs before 21.05).
  inherit lib;
  # `${stdenv.shellDryRun} file` checks a shell script's syntax.
  shellDryRun = "${shell} -n";
  outPath = setupDir;
}
