# A derivation whose attribute holds bytes that are not UTF-8 (Nix strings are bytes).
derivation { name = "bytes"; builder = "/bin/sh"; system = "x86_64-linux"; v = "ÿþ latin1 é"; }
