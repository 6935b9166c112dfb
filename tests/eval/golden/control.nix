{
  t1 = builtins.tryEval (throw "x");
  t2 = builtins.tryEval (assert false; 1);
  t3 = builtins.tryEval 5;
  s = builtins.seq 1 2;
  d = builtins.deepSeq { a = 1; } "ok";
  ctx = builtins.addErrorContext "unused" 3;
}
