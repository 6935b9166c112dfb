"""The Nix store: Nix32, store paths, NAR, ATerm derivations, the database of valid paths."""
