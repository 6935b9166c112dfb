# Helpers in the style of nixpkgs' lib.
let
  foldr = op: nul: list:
    let
      len = builtins.length list;
      fold' = n: if n == len then nul else op (builtins.elemAt list n) (fold' (n + 1));
    in fold' 0;
  concatMapStrings = f: list: builtins.concatStringsSep "" (map f list);
  optional = cond: elem: if cond then [ elem ] else [ ];
  optionalString = cond: string: if cond then string else "";
  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (builtins.attrNames attrs);
  recursiveUpdate = lhs: rhs:
    builtins.zipAttrsWith (n: vs:
      if builtins.length vs == 1 || !(builtins.isAttrs (builtins.elemAt vs 0))
      then builtins.head vs
      else recursiveUpdate (builtins.elemAt vs 1) (builtins.elemAt vs 0)) [ rhs lhs ];
  range = first: last: if first > last then [ ] else builtins.genList (n: first + n) (last - first + 1);
  versionAtLeast = v: w: builtins.compareVersions v w >= 0;
  escapeShellArg = arg: "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
  attrByPath = attrPath: default: set:
    if attrPath == [ ] then set
    else let attr = builtins.head attrPath; in
      if set ? ${attr} then attrByPath (builtins.tail attrPath) default set.${attr} else default;
in
{
  inherit foldr concatMapStrings optional optionalString mapAttrsToList recursiveUpdate range;
  inherit versionAtLeast escapeShellArg attrByPath;
  sum = foldr (a: b: a + b) 0;
  id = x: x;
  const = x: _: x;
  flip = f: a: b: f b a;
  pipe = val: functions: builtins.foldl' (x: f: f x) val functions;
  isDerivation = value: value.type or null == "derivation";
  toUpper = builtins.replaceStrings [ "a" "b" "c" ] [ "A" "B" "C" ];
  trivial.version = "23.11";
  trivial.release = "23.11pre";
  strings.sep = "/";
  examples = {
    negative = -1;
    float = 3.14;
    path = ./lib-functions.nix;
    uri = https://nixos.org;
    search = <nixpkgs>;
    impl = true -> false;
    cmp = [ (1 < 2) (2 <= 2) (3 > 2) (3 >= 3) ];
    updated = { a = 1; } // { b = 2; };
    concatenated = [ 1 ] ++ [ 2 ];
    has = { a.b = 1; } ? a.b;
    selected = { a.b = 1; }.a.b or 0;
  };
}
