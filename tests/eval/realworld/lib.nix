# A small nixpkgs-style library: fixed points, overlays, callPackage, and a
# module-system-like option merge. Written for nixlite's tests.
let
  fix = f: let x = f x; in x;
  extends = overlay: base: self: let super = base self; in super // overlay self super;
  composeExtensions = f: g: self: super:
    let fApplied = f self super; super' = super // fApplied; in fApplied // g self super';
  composeManyExtensions = builtins.foldl' composeExtensions (self: super: { });
  makeExtensible = rattrs: fix (self: rattrs self // {
    extend = f: makeExtensible (extends f rattrs);
  });

  callPackageWith = autoArgs: fn: args:
    let
      f = if builtins.isFunction fn then fn else import fn;
      fargs = builtins.functionArgs f;
      allArgs = builtins.intersectAttrs fargs autoArgs // args;
      result = f allArgs;
    in if builtins.isAttrs result then result // {
      override = newArgs: callPackageWith autoArgs fn (args // newArgs);
    } else result;

  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (builtins.attrNames attrs);
  filterAttrs = pred: set: builtins.listToAttrs (builtins.concatMap
    (name: let v = set.${name}; in if pred name v then [ { inherit name; value = v; } ] else [ ])
    (builtins.attrNames set));
  recursiveUpdate = lhs: rhs: lhs // builtins.mapAttrs (name: value:
    if builtins.isAttrs value && lhs ? ${name} && builtins.isAttrs lhs.${name}
    then recursiveUpdate lhs.${name} value else value) rhs;
  concatMapStringsSep = sep: f: list: builtins.concatStringsSep sep (map f list);
  optional = cond: x: if cond then [ x ] else [ ];
  optionalString = cond: s: if cond then s else "";
  range = first: last: if first > last then [ ] else builtins.genList (n: first + n) (last - first + 1);
  unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];

  # --- a module system in miniature -------------------------------------------
  mkOption = { default ? null, type ? types.anything, description ? "" }:
    { _type = "option"; inherit default type description; };
  mkDefault = value: { _type = "override"; priority = 1000; inherit value; };
  mkForce = value: { _type = "override"; priority = 50; inherit value; };
  types = {
    anything = { name = "anything"; merge = defs: (builtins.head (builtins.tail (defs ++ [ null ]))); check = x: true; };
    int = { name = "int"; check = builtins.isInt; merge = defs: builtins.head defs; };
    str = { name = "str"; check = builtins.isString; merge = defs: builtins.head defs; };
    bool = { name = "bool"; check = builtins.isBool; merge = builtins.foldl' (a: b: a || b) false; };
    listOf = elem: { name = "listOf ${elem.name}"; check = builtins.isList; merge = builtins.concatLists; };
    attrsOf = elem: { name = "attrsOf ${elem.name}"; check = builtins.isAttrs; merge = builtins.foldl' (a: b: a // b) { }; };
  };
  priorityOf = def: if builtins.isAttrs def && def._type or "" == "override" then def.priority else 100;
  valueOf = def: if builtins.isAttrs def && def._type or "" == "override" then def.value else def;
  mergeOption = name: opt: defs:
    let
      best = builtins.foldl' (m: d: if priorityOf d < m then priorityOf d else m) 9999 defs;
      winners = map valueOf (builtins.filter (d: priorityOf d == best) defs);
      bad = builtins.filter (v: !(opt.type.check v)) winners;
    in if defs == [ ] then opt.default
       else if bad != [ ] then throw "option '${name}' has a value that is not of type ${opt.type.name}"
       else opt.type.merge winners;
  evalModules = modules:
    let
      resolved = map (m: if builtins.isFunction m then m { inherit config; } else m) modules;
      options = builtins.foldl' (acc: m: acc // (m.options or { })) { } resolved;
      defsFor = name: builtins.concatMap (m: if (m.config or { }) ? ${name} then [ m.config.${name} ] else [ ]) resolved;
      config = builtins.mapAttrs (name: opt: mergeOption name opt (defsFor name)) options;
    in { inherit options config; };
in {
  inherit fix extends composeExtensions composeManyExtensions makeExtensible callPackageWith
    mapAttrsToList filterAttrs recursiveUpdate concatMapStringsSep optional optionalString range unique
    mkOption mkDefault mkForce types evalModules;
}
