# A generated 1,000-package set in nixpkgs style: packages built by
# callPackage from their function arguments, dependencies between packages,
# a fixed point with overlays, and a fake mkDerivation (pure evaluation).
{ count ? 1000, overlays ? [ ] }:
let
  lib = import ./lib.nix;
  mkDerivation = { pname, version, buildInputs ? [ ], meta ? { } }:
    let
      name = "${pname}-${version}";
      depPaths = map (d: d.outPath) buildInputs;
    in {
      type = "derivation";
      inherit pname version name buildInputs meta;
      depth = builtins.foldl' (m: d: if d.depth + 1 > m then d.depth + 1 else m) 0 buildInputs;
      outPath = "/nix/store/" + builtins.substring 0 32 (builtins.hashString "sha256" (name + builtins.concatStringsSep ":" depPaths)) + "-" + name;
    };
  # Package i depends on packages i-1 and i/2 (when they exist).
  mkPackageFn = i: let
      depNames = lib.unique (lib.optional (i > 0) "pkg${toString (i - 1)}" ++ lib.optional (i > 1) "pkg${toString (i / 2)}");
      fn = args: mkDerivation {
        pname = "pkg${toString i}";
        version = "1.${toString (lib.fix (x: i - i / 10 * 10))}";
        buildInputs = map (n: args.${n}) depNames;
        meta.description = "package number ${toString i}";
      };
    in { inherit depNames fn; };
  base = self: builtins.listToAttrs (builtins.genList (i:
    let p = mkPackageFn i; in {
      name = "pkg${toString i}";
      value = self.callPackage p.fn (builtins.listToAttrs (map (n: { name = n; value = self.${n}; }) p.depNames));
    }) count) // {
      callPackage = lib.callPackageWith self;
      # Hand-written packages take their dependencies by name, as in nixpkgs.
      hello = self.callPackage ({ mkDerivation, pkg1, pkg2, enableGui ? false }: mkDerivation {
        pname = "hello"; version = "2.12"; buildInputs = [ pkg1 pkg2 ] ++ lib.optional enableGui self.pkg3;
      }) { };
      helloGui = self.hello.override { enableGui = true; };
      inherit mkDerivation lib;
    };
  pkgs = lib.fix (lib.extends (lib.composeManyExtensions overlays) base);
in pkgs
