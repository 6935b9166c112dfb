# flags:
let f = x: x; c = 1 + 1; in {
  num = 1; str = "s"; path = ./x; nul = null; lst = [ 1 c (f 2) ]; fn = f; call = f 1; sel = { a = 1; }.a;
  nested = { inner = 2; }; prim = builtins.map; app = map f; emptyl = []; emptys = {};
}
