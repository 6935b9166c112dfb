# String functions (nixpkgs' lib.strings): joining, affixes, splitting,
# case, shell escaping, search paths.
{ lib }:
let
  inherit (builtins) length elemAt filter concatStringsSep genList
    stringLength substring replaceStrings isString isList head;
in
rec {
  inherit (builtins) concatStringsSep stringLength substring replaceStrings
    toString match split;

  concatStrings = builtins.concatStringsSep "";
  concatMapStrings = f: list: concatStrings (map f list);
  concatImapStrings = f: list: concatStrings (lib.lists.imap1 f list);
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  concatImapStringsSep = sep: f: list: concatStringsSep sep (lib.lists.imap1 f list);
  concatLines = list: concatMapStrings (s: s + "\n") list;

  # "a b" interspersed: intersperse "," ["a" "b"] = ["a" "," "b"]
  intersperse = separator: list:
    if list == [ ] || length list == 1 then list
    else builtins.tail (builtins.concatMap (x: [ separator x ]) list);

  makeSearchPath = subDir: paths:
    concatStringsSep ":" (map (path: path + "/" + subDir) (filter (x: x != null) paths));
  makeSearchPathOutput = output: subDir: pkgs:
    makeSearchPath subDir (map (lib.attrsets.getOutput output) pkgs);
  makeLibraryPath = makeSearchPathOutput "lib" "lib";
  makeBinPath = makeSearchPathOutput "bin" "bin";

  optionalString = cond: string: if cond then string else "";

  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  hasSuffix = suffix: content:
    let lenContent = stringLength content; lenSuffix = stringLength suffix;
    in lenContent >= lenSuffix
       && substring (lenContent - lenSuffix) lenContent content == suffix;
  hasInfix = infix: content:
    builtins.match ".*${escapeRegex infix}.*" "${content}" != null;
  removePrefix = prefix: str:
    let preLen = stringLength prefix;
    in if substring 0 preLen str == prefix
       then substring preLen (stringLength str - preLen) str
       else str;
  removeSuffix = suffix: str:
    let sLen = stringLength str; sufLen = stringLength suffix;
    in if sufLen <= sLen && suffix == substring (sLen - sufLen) sufLen str
       then substring 0 (sLen - sufLen) str
       else str;

  stringToCharacters = s: genList (p: substring p 1 s) (stringLength s);
  stringAsChars = f: s: concatStrings (map f (stringToCharacters s));

  lowerChars = stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  toLower = replaceStrings upperChars lowerChars;
  toUpper = replaceStrings lowerChars upperChars;

  escape = list: replaceStrings list (map (c: "\\${c}") list);
  escapeRegex = escape (stringToCharacters "\\[{()^$?*+|.");
  escapeNixString = s: escape [ "$" ] (builtins.toJSON s);

  # Quote a string for a POSIX shell: 'it'\''s'.
  escapeShellArg = arg: "'${replaceStrings [ "'" ] [ "'\\''" ] (toString arg)}'";
  escapeShellArgs = concatMapStringsSep " " escapeShellArg;
  isValidPosixName = name: builtins.match "[a-zA-Z_][a-zA-Z0-9_]*" name != null;
  toShellVar = name: value:
    lib.trivial.throwIfNot (isValidPosixName name) "toShellVar: ${name} is not a valid shell variable name"
      "${name}=${escapeShellArg value}";
  toShellVars = vars: concatStringsSep "\n"
    (lib.attrsets.mapAttrsToList toShellVar vars);

  # splitString "." "a.b" = [ "a" "b" ]; the separator is literal.
  splitString = sep: s:
    let parts = builtins.split (escapeRegex (toString sep)) (toString s);
    in map (v: addContextFrom s v) (filter isString parts);
  addContextFrom = a: b: substring 0 0 a + b;

  fixedWidthString = width: filler: str:
    let strw = stringLength str; reqWidth = width - (stringLength filler);
    in assert lib.assertMsg (strw <= width)
         "fixedWidthString: requested string length (${toString width}) must not be shorter than actual length (${toString strw})";
       if strw == width then str else filler + fixedWidthString reqWidth filler str;
  fixedWidthNumber = width: n: fixedWidthString width "0" (toString n);

  versionOlder = v1: v2: builtins.compareVersions v2 v1 == 1;
  versionAtLeast = v1: v2: !versionOlder v1 v2;
  getName = x: (builtins.parseDrvName (x.name or x)).name;
  getVersion = x: (builtins.parseDrvName (x.name or x)).version;
  nameFromURL = url: sep:
    let components = splitString "/" url;
        filename = lib.lists.last components;
        name = head (splitString sep filename);
    in assert name != filename; name;

  enableFeature = enable: feat: "--${if enable then "enable" else "disable"}-${feat}";
  withFeature = with_: feat: "--${if with_ then "with" else "without"}-${feat}";
  isStorePath = x:
    isString x && builtins.substring 0 1 (toString x) == "/"
    && dirOf x == builtins.storeDir;
  isStringLike = x: isString x || builtins.isPath x || x ? outPath || x ? __toString;
  toInt = str:
    let may = builtins.match "[[:space:]]*(-?[0-9]+)[[:space:]]*" str;
    in if may == null then throw "Could not convert ${str} to int."
       else builtins.fromJSON (head may);
  readPathsFromFile = rootPath: file:
    let lines = splitString "\n" (builtins.readFile file);
        relevant = filter (line: line != "" && builtins.substring 0 1 line != "#") lines;
    in map (line: rootPath + "/${line}") relevant;
  fileContents = file: removeSuffix "\n" (builtins.readFile file);
  trim = s:
    let m = builtins.match "[[:space:]]*(.*[^[:space:]])[[:space:]]*" s;
    in if m == null then "" else head m;
}
