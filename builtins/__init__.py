"""The Nix prelude that `<nixpkgs>` resolves to, shipped as nixlite.prelude."""
