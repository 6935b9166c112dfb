# Small combinators and helpers: id, const, flip, pipe, boolean helpers,
# function argument introspection (nixpkgs' lib.trivial).
{ lib }:
rec {
  id = x: x;
  const = x: _: x;
  flip = f: a: b: f b a;
  pipe = value: functions: builtins.foldl' (acc: f: f acc) value functions;
  concat = x: y: x ++ y;
  or = x: y: x || y;
  and = x: y: x && y;
  mergeAttrs = x: y: x // y;
  boolToString = b: if b then "true" else "false";
  bitAnd = builtins.bitAnd;
  bitOr = builtins.bitOr;
  bitXor = builtins.bitXor;
  min = x: y: if x < y then x else y;
  max = x: y: if x > y then x else y;
  mod = base: int: base - (int * (builtins.div base int));
  compare = a: b: if a < b then -1 else if a > b then 1 else 0;

  # `defaultTo default maybeValue`: maybeValue unless it is null.
  defaultTo = default: maybeValue: if maybeValue != null then maybeValue else default;
  mapNullable = f: a: if a == null then a else f a;

  # Function arguments, also for functors (`{ __functor = self: …; }`).
  functionArgs = f:
    if f ? __functor
    then f.__functionArgs or (functionArgs (f.__functor f))
    else builtins.functionArgs f;
  setFunctionArgs = f: args: { __functor = self: f; __functionArgs = args; };
  isFunction = f: builtins.isFunction f || (f ? __functor && isFunction (f.__functor f));
  toFunction = v: if isFunction v then v else _: v;

  warn = msg: builtins.trace "warning: ${msg}";
  warnIf = cond: msg: if cond then warn msg else id;
  throwIf = cond: msg: if cond then throw msg else id;
  throwIfNot = cond: msg: if cond then id else throw msg;

  # lib.asserts: `assert assertMsg cond "why";` throws "why" when cond is false.
  assertMsg = pred: msg: pred || builtins.throw msg;
  assertOneOf = name: val: xs:
    assertMsg (builtins.elem val xs)
      "${name} must be one of ${builtins.toJSON xs}, but is: ${builtins.toJSON val}";

  inNixShell = builtins.getEnv "IN_NIX_SHELL" != "";
  version = "22.05-nixlite";
  release = "22.05";
  isInOldestRelease = _: true;
  importJSON = path: builtins.fromJSON (builtins.readFile path);
}
