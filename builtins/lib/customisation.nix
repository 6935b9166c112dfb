# Package customisation (nixpkgs' lib.customisation): callPackageWith,
# makeOverridable, overrideDerivation.
{ lib }:
rec {
  # Add `override` to the result of `f args` (and keep it through
  # `overrideAttrs` / further overrides) so callers can change the arguments.
  makeOverridable = f: origArgs:
    let
      result = f origArgs;
      overrideWith = newArgs:
        origArgs // (if lib.trivial.isFunction newArgs then newArgs origArgs else newArgs);
      overrideResult = g: makeOverridable (copyArgs (args: g (f args))) origArgs;
      copyArgs = g: lib.trivial.setFunctionArgs g (lib.trivial.functionArgs f);
    in
    if builtins.isAttrs result then
      result // {
        override = newArgs: makeOverridable f (overrideWith newArgs);
        overrideDerivation = fdrv: overrideResult (x: overrideDerivation x fdrv);
      } // lib.attrsets.optionalAttrs (result ? overrideAttrs) {
        overrideAttrs = fdrv: overrideResult (x: x.overrideAttrs fdrv);
      }
    else if lib.trivial.isFunction result then
      lib.trivial.setFunctionArgs result (lib.trivial.functionArgs result) // {
        override = newArgs: makeOverridable f (overrideWith newArgs);
      }
    else result;

  # callPackageWith autoArgs fn args: call fn (a function or a file holding
  # one) with the arguments it names that autoArgs has, overridden by args.
  callPackageWith = autoArgs: fn: args:
    let
      f = if lib.trivial.isFunction fn then fn else import fn;
      fargs = lib.trivial.functionArgs f;
      allArgs = builtins.intersectAttrs fargs autoArgs // args;
      missingArgs = lib.attrsets.filterAttrs (name: hasDefault: !hasDefault && !(allArgs ? ${name})) fargs;
      missing = builtins.attrNames missingArgs;
    in
    if missing == [ ] then makeOverridable f allArgs
    else throw "lib.customisation.callPackageWith: Function called without required argument \"${builtins.head missing}\"";

  callPackagesWith = autoArgs: fn: args:
    let
      f = if lib.trivial.isFunction fn then fn else import fn;
      auto = builtins.intersectAttrs (lib.trivial.functionArgs f) autoArgs;
      origArgs = auto // args;
      pkgs = f origArgs;
      mkAttrOverridable = name: _: makeOverridable (newArgs: (f newArgs).${name}) origArgs;
    in
    if lib.attrsets.isDerivation pkgs then throw "callPackagesWith: the function returned a derivation; use callPackageWith"
    else builtins.mapAttrs mkAttrOverridable pkgs;

  # Change the attributes passed to `derivation` (drvAttrs) of a derivation.
  overrideDerivation = drv: f:
    let newDrv = derivation (drv.drvAttrs // (f drv));
    in newDrv // {
      meta = drv.meta or { };
      passthru = if drv ? passthru then drv.passthru else { };
    } // (drv.passthru or { });

  hydraJob = drv: drv;
}
