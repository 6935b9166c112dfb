# Attribute set functions (nixpkgs' lib.attrsets): mapping, filtering,
# paths, recursive merges, derivation outputs.
{ lib }:
let
  inherit (builtins) attrNames attrValues listToAttrs head tail length
    isAttrs filter concatMap elem hasAttr getAttr;
in
rec {
  inherit (builtins) attrNames attrValues listToAttrs hasAttr getAttr
    isAttrs removeAttrs intersectAttrs catAttrs mapAttrs zipAttrsWith;

  nameValuePair = name: value: { inherit name value; };

  attrByPath = attrPath: default: e:
    if attrPath == [ ] then e
    else let attr = head attrPath;
         in if e ? ${attr} then attrByPath (tail attrPath) default e.${attr}
            else default;
  hasAttrByPath = attrPath: e:
    if attrPath == [ ] then true
    else let attr = head attrPath;
         in if e ? ${attr} then hasAttrByPath (tail attrPath) e.${attr} else false;
  setAttrByPath = attrPath: value:
    if attrPath == [ ] then value
    else { ${head attrPath} = setAttrByPath (tail attrPath) value; };
  getAttrFromPath = attrPath: set:
    let errorMsg = "cannot find attribute `" + builtins.concatStringsSep "." attrPath + "'";
    in attrByPath attrPath (throw errorMsg) set;

  attrVals = nameList: set: map (x: set.${x}) nameList;
  getAttrs = names: attrs: genAttrs names (name: attrs.${name});

  filterAttrs = pred: set:
    listToAttrs (concatMap
      (name: let v = set.${name}; in if pred name v then [ (nameValuePair name v) ] else [ ])
      (attrNames set));
  filterAttrsRecursive = pred: set:
    listToAttrs (concatMap (name:
      let v = set.${name}; in
      if pred name v then [
        (nameValuePair name (if isAttrs v then filterAttrsRecursive pred v else v))
      ] else [ ]) (attrNames set));

  foldAttrs = op: nul: list_of_attrs:
    builtins.foldl' (acc: set:
      builtins.foldl' (acc': name: acc' // { ${name} = op set.${name} (acc'.${name} or nul); })
        acc (attrNames set)) { } (lib.lists.reverseList list_of_attrs);

  collect = pred: attrs:
    if pred attrs then [ attrs ]
    else if isAttrs attrs then concatMap (collect pred) (attrValues attrs)
    else [ ];

  cartesianProductOfSets = attrsOfLists:
    builtins.foldl' (listOfAttrs: attrName:
      concatMap (attrs: map (listValue: attrs // { ${attrName} = listValue; })
        attrsOfLists.${attrName}) listOfAttrs) [ { } ] (attrNames attrsOfLists);

  mapAttrs' = f: set: listToAttrs (map (attr: f attr set.${attr}) (attrNames set));
  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (attrNames attrs);
  mapAttrsRecursive = mapAttrsRecursiveCond (_: true);
  mapAttrsRecursiveCond = cond: f: set:
    let
      recurse = path: builtins.mapAttrs (name: value:
        if isAttrs value && cond value
        then recurse (path ++ [ name ]) value
        else f (path ++ [ name ]) value);
    in recurse [ ] set;
  concatMapAttrs = f: v: builtins.foldl' (acc: x: acc // x) { } (mapAttrsToList f v);

  genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);

  isDerivation = x: x.type or null == "derivation";
  toDerivation = path:
    let path' = builtins.storePath path;
    in { type = "derivation"; name = builtins.unsafeDiscardStringContext (builtins.substring 33 (-1) (baseNameOf path')); outPath = path'; outputs = [ "out" ]; out = path'; outputName = "out"; };

  optionalAttrs = cond: as: if cond then as else { };
  attrsToList = mapAttrsToList nameValuePair;

  zipAttrsWithNames = names: f: sets:
    listToAttrs (map (name: {
      inherit name;
      value = f name (builtins.catAttrs name sets);
    }) names);
  zipAttrs = zipAttrsWith (name: values: values);

  # Merge two sets; where both have a set at the same path, merge those too.
  recursiveUpdateUntil = pred: lhs: rhs:
    let
      f = attrPath: zipAttrsWith (n: values:
        let here = attrPath ++ [ n ]; in
        if length values == 1 || pred here (head (tail values)) (head values)
        then head values
        else f here values);
    in f [ ] [ rhs lhs ];
  recursiveUpdate = recursiveUpdateUntil (path: lhs: rhs: !(isAttrs lhs && isAttrs rhs));

  matchAttrs = pattern: attrs:
    assert isAttrs pattern;
    builtins.all (attr:
      let lhs = pattern.${attr}; rhs = attrs.${attr}; in
      attrs ? ${attr} && (if isAttrs lhs then isAttrs rhs && matchAttrs lhs rhs else lhs == rhs))
      (attrNames pattern);

  overrideExisting = old: new:
    builtins.mapAttrs (name: value: new.${name} or value) old;

  getOutput = output: pkg:
    if !pkg ? outputSpecified || !pkg.outputSpecified
    then pkg.${output} or pkg.out or pkg
    else pkg;
  getBin = getOutput "bin";
  getLib = getOutput "lib";
  getDev = getOutput "dev";
  getMan = getOutput "man";

  recurseIntoAttrs = attrs: attrs // { recurseForDerivations = true; };
  dontRecurseIntoAttrs = attrs: attrs // { recurseForDerivations = false; };
  unionOfDisjoint = x: y:
    let intersection = builtins.intersectAttrs x y;
        collisions = lib.strings.concatStringsSep " " (attrNames intersection);
    in if intersection == { } then x // y
       else throw "unionOfDisjoint: collision on ${collisions}";
}
