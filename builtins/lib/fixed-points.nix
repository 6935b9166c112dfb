# Fixed points and overlays (nixpkgs' lib.fixedPoints): fix, fix',
# extends, composeExtensions, makeExtensible.
{ lib }:
rec {
  fix = f: let x = f x; in x;
  # Like fix, but the result remembers the function as `__unfix__`.
  fix' = f: let x = f x // { __unfix__ = f; }; in x;
  converge = f: x: let x' = f x; in if x' == x then x else converge f x';

  # extends overlay f: the fixed point of f, with `overlay final prev` applied on top.
  extends = f: rattrs: self: let super = rattrs self; in super // f self super;
  composeExtensions = f: g: final: prev:
    let fApplied = f final prev;
        prev' = prev // fApplied;
    in fApplied // g final prev';
  composeManyExtensions = lib.lists.foldr (x: y: composeExtensions x y) (final: prev: { });

  makeExtensible = makeExtensibleWithCustomName "extend";
  makeExtensibleWithCustomName = extenderName: rattrs:
    fix' (self: (rattrs self) // {
      ${extenderName} = f: makeExtensibleWithCustomName extenderName (extends f rattrs);
    });
}
