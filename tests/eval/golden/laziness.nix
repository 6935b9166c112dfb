# flags: --strict
let
  unused = throw "never forced";
  xs = [ 1 (throw "also never") 3 ];
  count = builtins.length xs;
  s = { a = 1; b = throw "lazy attr"; };
in {
  inherit count;
  first = builtins.head xs;
  a = s.a;
  hasB = s ? b;
  shared = let t = builtins.trace "forced once" 5; in [ t t t ];
}
