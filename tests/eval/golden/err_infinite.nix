let
  a = { x = b.x; };
  b = { x = a.x; };
in a.x
