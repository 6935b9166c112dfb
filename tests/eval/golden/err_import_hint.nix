import ./lib/bad.nix
