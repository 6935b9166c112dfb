let
  x = "lexical";
  set1 = { x = "with1"; y = "y1"; z = "z1"; };
  set2 = { y = "y2"; true = "shadow?"; };
in with set1; with set2; {
  inherit x y z;
  t = true;
  inner = let y = "let"; in y;
  fromBuiltins = with builtins; length [ 1 2 ];
}
