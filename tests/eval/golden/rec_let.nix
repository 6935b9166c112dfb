let
  a = 1;
  b = a + c;
  c = 10;
  fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2);
  attrs = rec { x = 1; y = x + 1; z = { w = y * 2; }; };
  evenOdd = rec { even = n: if n == 0 then true else odd (n - 1); odd = n: if n == 0 then false else even (n - 1); };
in { inherit a b c attrs; fib20 = fib 20; e = evenOdd.even 101; legacy = let { body = x + 1; x = 41; }; }
