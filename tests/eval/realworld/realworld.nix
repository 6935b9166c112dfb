let
  lib = import ./lib.nix;
  overlay1 = self: super: { pkg5 = super.pkg5 // { patched = true; }; extra = self.pkg5.name + "!"; };
  overlay2 = self: super: { extra = super.extra + "?"; hello = super.hello.override { enableGui = true; }; };
  pkgs = import ./pkgs.nix { overlays = [ overlay1 overlay2 ]; };
  names = builtins.filter (n: builtins.substring 0 3 n == "pkg") (builtins.attrNames pkgs);
  modules = [
    { options = { port = lib.mkOption { type = lib.types.int; default = 80; };
                  hosts = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
                  debug = lib.mkOption { type = lib.types.bool; default = false; };
                  name = lib.mkOption { type = lib.types.str; default = "svc"; }; }; }
    { config = { port = lib.mkDefault 8080; hosts = [ "a" ]; }; }
    ({ config }: { config = { hosts = [ "b-${toString config.port}" ]; port = 9090; debug = true; }; })
    { config = { name = lib.mkForce "forced"; }; }
    { config = { name = "ignored"; debug = false; }; }
  ];
  ext = lib.makeExtensible (self: { a = 1; b = self.a + 1; });
in {
  count = builtins.length names;
  pkg999 = { inherit (pkgs.pkg999) name outPath depth; };
  pkg5 = { inherit (pkgs.pkg5) name patched; };
  extra = pkgs.extra;
  hello = map (d: d.name) pkgs.hello.buildInputs;
  helloGui = builtins.length pkgs.helloGui.buildInputs;
  allOut = builtins.hashString "sha256" (lib.concatMapStringsSep "\n" (n: pkgs.${n}.outPath) names);
  module = (lib.evalModules modules).config;
  extended = (ext.extend (self: super: { a = 10; c = super.b * 2; })) // { extend = null; };
  fnArgs = builtins.functionArgs (lib.callPackageWith { } ({ a, b ? 1 }: a));
  merged = lib.recursiveUpdate { a = { b = 1; c = 2; }; d = 3; } { a = { b = 10; }; e = 4; };
  filtered = lib.filterAttrs (n: v: v > 1) { x = 1; y = 2; z = 3; };
  range = lib.range 3 7;
}
