{ greeting ? "hi", n ? 1, ... }@args:
let mk = name: attrs: derivation ({ inherit name; system = "x86_64-linux"; builder = "/bin/sh"; } // attrs);
in rec {
  a = mk "a" { inherit greeting n; };
  m = mk "m" { outputs = [ "out" "dev" ]; };
  list = [ a m.dev ];
  nested = { recurseForDerivations = true; x = mk "x" { }; deeper = { y = mk "y" { }; }; };
  plain = { x = mk "px" { }; z = 1; s = "str"; };
  noname = { type = "derivation"; };
  num = 1;
  "bad name" = mk "bn" {};
}
