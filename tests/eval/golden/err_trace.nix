# flags: --show-trace
let
  f = n: if n == 0 then throw "bottom reached" else f (n - 1);
  g = x: f x;
in { result = g 2; }.result
