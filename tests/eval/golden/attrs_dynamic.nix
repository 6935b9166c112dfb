let name = "dyn"; n = null; in {
  ${name} = 1;
  "${name}2" = 2;
  ${n} = 3;
  a.b.c = 1;
  a.b.d = 2;
  a.e = 3;
  "quoted name" = 4;
  nested = { ${name}.x = 5; };
  selDyn = { dyn = 6; }.${name};
  orDefault = { }.missing or "dflt";
  orNested = { a = 1; }.a.b or "notset";
  has = [ ({ a.b = 1; } ? a.b) ({ a = 1; } ? a.b) ({ } ? ${name}) ];
  update = { a = 1; b = 2; } // { b = 3; c = 4; };
  inh = let p = 1; q = { r = 2; }; in { inherit p; inherit (q) r; };
}
