let
  lib = import ./lib;
  again = import ./lib/default.nix;
  scoped = scopedImport { extra = 42; } ./lib/scoped.nix;
in { inherit (lib) answer double; same = lib == again; scoped = scoped; four = lib.double 2; }
