# flags: --strict
{ a = { b = 1 + "x"; }; }
