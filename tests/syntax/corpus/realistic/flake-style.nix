{
  description = "A flake-style file";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
  inputs.flake-utils.url = "github:numtide/flake-utils";
  outputs = { self, nixpkgs, flake-utils, ... }@inputs:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = import nixpkgs { inherit system; overlays = [ self.overlays.default ]; };
        version = builtins.substring 0 8 (self.lastModifiedDate or "19700101");
      in {
        packages.default = pkgs.callPackage ./package.nix { inherit version; };
        packages.image = pkgs.dockerTools.buildLayeredImage {
          name = "app";
          tag = version;
          config.Cmd = [ "${self.packages.${system}.default}/bin/app" ];
        };
        devShells.default = pkgs.mkShell {
          packages = with pkgs; [ git jq skopeo ];
          shellHook = ''
            echo "welcome to ${system}"
            export PS1='\[\e[1m\]dev\[\e[0m\] $ '
          '';
        };
        checks = builtins.mapAttrs (n: v: v) self.packages.${system};
      }) // {
        overlays.default = final: prev: {
          app = final.callPackage ./package.nix { };
        };
      };
}
