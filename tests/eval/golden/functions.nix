let
  f = { a, b ? a + 1, ... }@args: [ a b (args.c or "no c") ];
  g = args@{ x ? 1 }: [ x args ];
  functor = { __functor = self: arg: self.base + arg; base = 100; };
  curry = a: b: c: a + b * c;
in {
  f1 = f { a = 1; };
  f2 = f { a = 1; b = 5; c = 7; };
  g1 = g { };
  fun = functor 5;
  cur = curry 1 2 3;
  partial = (curry 1 2) 4;
  fargs = builtins.functionArgs f;
  isFn = [ (builtins.isFunction f) (builtins.isFunction functor) (builtins.isFunction map) ];
}
