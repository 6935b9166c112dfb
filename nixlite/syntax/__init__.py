"""Nix syntax: the Lark grammar driver, the AST and the --parse printer."""
