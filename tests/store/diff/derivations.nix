# The differential suite: every attribute is a derivation whose drvPath,
# outPaths and .drv text (and those of its inputs) must equal nix-instantiate's.
# tests/store/test_differential.py instantiates each attribute with both.
let
  sys = "x86_64-linux";
  mk = name: attrs: derivation ({ inherit name; system = sys; builder = "/bin/sh"; } // attrs);
  sh = args: mk "sh" { args = [ "-c" args ]; };

  base = mk "base" { args = [ "-c" "echo base > $out" ]; };
  multi = mk "multi" { outputs = [ "out" "dev" "lib" ]; };
  file = builtins.toFile "data.txt" "some data\n";

  hello = "hello";
  sha256 = {
    base16 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    nix32 = "094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic";
    base64 = "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
    sri = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=";
  };
  sha1 = { base16 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"; nix32 = "9m1skbnr5i43n3yypvda5s65vhfwdx5a";
           base64 = "qvTGHdzF6KLavt4PO0gs2a6pQ00="; sri = "sha1-qvTGHdzF6KLavt4PO0gs2a6pQ00="; };
  md5 = { base16 = "5d41402abc4b2a76b9719d911017c592"; nix32 = "4jqlbi14cxf6wpcajbphm40hax";
          base64 = "XUFAKrxLKna5cZ2REBfFkg=="; sri = "md5-XUFAKrxLKna5cZ2REBfFkg=="; };
  sha512 = { base16 = "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043";
             sri = "sha512-m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw=="; };
  fixed = name: attrs: mk name ({ outputHashMode = "flat"; } // attrs);
  fetched = fixed "fetched" { outputHash = sha256.sri; urls = "http://example.org/a"; };
  fetched2 = fixed "fetched" { outputHash = sha256.sri; urls = "http://mirror.example.org/a"; };
in rec {
  # --- the basics ---------------------------------------------------------------
  minimal = mk "minimal" { };
  withArgs = mk "with-args" { args = [ "-c" "echo hi > $out" "extra arg" ]; };
  emptyArgs = mk "empty-args" { args = [ ]; };
  otherSystem = derivation { name = "other-system"; system = "aarch64-darwin"; builder = "/bin/sh"; };
  builtinBuilder = derivation { name = "fetch"; system = "builtin"; builder = "builtin:fetchurl"; url = "http://x/y"; };
  dotName = mk ".dot-first" { };
  nameChars = mk "a+b-c.d_e?f=g" { };
  longName = mk "n-${builtins.concatStringsSep "" (builtins.genList (x: "x") 150)}" { };
  shell = sh "echo hello > $out";
  attrOrder = mk "order" { zzz = "last"; aaa = "first"; mmm = "middle"; AAA = "upper"; _u = "under"; };
  quotedAttrNames = mk "quoted" { "with-dash" = "1"; "with.dot" = "2"; "with space" = "3"; "" = "empty"; };

  # --- attribute to environment conversion -----------------------------------------
  envInt = mk "env-int" { n = 42; neg = -7; zero = 0; big = 9223372036854775807; };
  envBool = mk "env-bool" { t = true; f = false; };
  envNull = mk "env-null" { n = null; };
  envFloat = mk "env-float" { f = 1.5; g = 0.1; h = 100.0; i = 1.0e-3; };
  envList = mk "env-list" { l = [ "a" "b" "c" ]; };
  envListMixed = mk "env-list-mixed" { l = [ 1 "two" true false null 2.5 ]; };
  envListNested = mk "env-list-nested" { l = [ "a" [ "b" "c" ] [ ] "d" [ [ ] ] "e" ]; };
  envListEmptyLast = mk "env-list-empty-last" { l = [ "a" [ ] ]; l2 = [ [ ] "a" ]; l3 = [ ]; };
  envEscapes = mk "env-escapes" { s = "quote \" backslash \\ newline \n tab \t cr \r dollar \${x}"; };
  envUnicode = mk "env-unicode" { s = "héllo wörld ✓ 日本"; };
  envMultiline = mk "env-multiline" { s = ''
      line one
        indented "two"
      three\n
    ''; };
  envToString = mk "env-tostring" { s = { __toString = self: "from __toString"; }; };
  envOutPathSet = mk "env-outpath" { s = { outPath = "/some/where"; other = 1; }; };
  envDerivation = mk "env-drv" { dep = base; };
  envListOfDerivations = mk "env-drv-list" { deps = [ base multi multi.dev ]; };
  envArgsTypes = mk "args-types" { args = [ "-c" 1 true null [ "x" "y" ] base ]; };
  envIgnoreNullsOff = mk "nulls-kept" { a = null; b = "x"; __ignoreNulls = false; };
  envIgnoreNulls = mk "nulls-ignored" { a = null; b = "x"; c = null; __ignoreNulls = true; };
  envStructuredFalse = mk "structured-false" { __structuredAttrs = false; x = 1; };
  envFlagsOff = mk "flags-off" { __contentAddressed = false; __impure = false; };
  structuredFlagsOff = mk "structured-flags-off" { __structuredAttrs = true; __contentAddressed = false; __impure = false; };
  envOutAttr = mk "env-out-attr" { out = "overridden"; };
  envPlaceholder = mk "env-placeholder" { p = builtins.placeholder "out"; q = builtins.placeholder "dev"; outputs = [ "out" "dev" ]; };
  envInterp = mk "env-interp" { s = "prefix-${base}-middle-${multi.dev}-suffix"; };

  # --- multiple outputs -------------------------------------------------------------
  multiOut = multi;
  multiDev = multi.dev;
  multiLib = multi.lib;
  multiString = let s = derivationStrict { name = "multi-string"; system = sys; builder = "/bin/sh"; outputs = "out  bin\tdoc"; };
    in { type = "derivation"; name = "multi-string"; inherit (s) drvPath; outPath = s.out; outputName = "out"; };
  multiOrder = mk "multi-order" { outputs = [ "z" "a" "out" ]; };
  multiNoOut = mk "multi-no-out" { outputs = [ "bin" "dev" ]; };
  multiNoOutSecond = (mk "multi-no-out" { outputs = [ "bin" "dev" ]; }).dev;
  useDev = mk "use-dev" { dep = multi.dev; };
  useLib = mk "use-lib" { a = multi.lib; b = multi.out; };
  useAll = mk "use-all" { all = multi.all; };
  useOutputs = mk "use-outputs" { x = "${multi.dev}/include ${multi.lib}/lib"; };
  chainMulti = mk "chain-multi" { dep = useDev; dep2 = multiNoOut.dev; };

  # --- dependencies ----------------------------------------------------------------
  chain1 = mk "chain1" { dep = base; };
  chain2 = mk "chain2" { dep = chain1; };
  chain3 = mk "chain3" { dep = chain2; other = chain1; };
  diamond = mk "diamond" { l = chain2; r = mk "right" { dep = chain1; }; };
  depInArgs = mk "dep-in-args" { args = [ "-c" "cat ${base} > $out" ]; };
  depAsBuilder = mk "dep-as-builder" { builder = "${base}/bin/sh"; };
  depDrvPath = mk "dep-drvpath" { d = base.drvPath; };
  depDrvPathClosure = mk "dep-drvpath-closure" { d = chain3.drvPath; };
  depDrvPathMulti = mk "dep-drvpath-multi" { d = multi.drvPath; };
  depOutPathString = mk "dep-outpath-string" { s = base.outPath; };
  discardContext = mk "discard-context" { s = builtins.unsafeDiscardStringContext "${base}"; };
  discardOutputDep = mk "discard-output-dep" { s = builtins.unsafeDiscardOutputDependency base.drvPath; };
  manyDeps = mk "many-deps" { deps = builtins.genList (i: mk "gen-${toString i}" { i = i; }) 20; };

  # --- sources: toFile, paths, builtins.path, filterSource ---------------------------
  toFileDep = mk "tofile-dep" { f = file; };
  toFileRefs = mk "tofile-refs" { f = builtins.toFile "refs.txt" "uses ${file} and ${builtins.toFile "inner" "x"}"; };
  toFileUnicode = mk "tofile-unicode" { f = builtins.toFile "u.txt" "ünïcödé\n"; };
  storePathDep = mk "store-path" { p = builtins.storePath file; q = builtins.storePath "${file}"; };
  toFileEmpty = mk "tofile-empty" { f = builtins.toFile "empty" ""; };
  pathFile = mk "path-file" { src = ./src/hello.txt; };
  pathDir = mk "path-dir" { src = ./src; };
  pathInterp = mk "path-interp" { s = "${./src}/hello.txt"; t = "${./flat.txt}"; };
  pathExecutable = mk "path-exec" { s = ./src/build.sh; };
  pathBuilder = mk "path-builder" { builder = ./builder.sh; };
  pathInArgs = mk "path-args" { args = [ ./builder.sh ./src/sub ]; };
  pathList = mk "path-list" { srcs = [ ./src/hello.txt ./src/sub ./flat.txt ]; };
  builtinsPath = mk "bpath" { src = builtins.path { path = ./src; }; };
  builtinsPathNamed = mk "bpath-named" { src = builtins.path { path = ./src; name = "renamed-src"; }; };
  builtinsPathFilter = mk "bpath-filter" { src = builtins.path { path = ./src; name = "filtered";
    filter = path: type: type != "symlink" && builtins.baseNameOf path != "skip"; }; };
  builtinsPathFlat = mk "bpath-flat" { src = builtins.path { path = ./flat.txt; recursive = false; }; };
  builtinsPathSha = mk "bpath-sha" { src = builtins.path { path = ./flat.txt; recursive = false;
    sha256 = "1v71z65ip43x1ks0m6y4c5y4hwpnyc7r0v0n1vm4nlghlplysd03"; }; };
  filterSource = mk "filter-source" { src = builtins.filterSource (p: t: t == "directory" || builtins.match ".*\\.txt" p != null) ./src; };
  filterSourceAll = mk "filter-source-all" { src = builtins.filterSource (p: t: true) ./src; };
  filterSourceNone = mk "filter-source-none" { src = builtins.filterSource (p: t: false) ./src; };

  # --- fixed-output derivations ------------------------------------------------------
  fixedSha256Base16 = fixed "f1" { outputHashAlgo = "sha256"; outputHash = sha256.base16; };
  fixedSha256Nix32 = fixed "f2" { outputHashAlgo = "sha256"; outputHash = sha256.nix32; };
  fixedSha256Base64 = fixed "f3" { outputHashAlgo = "sha256"; outputHash = sha256.base64; };
  fixedSha256Sri = fixed "f4" { outputHash = sha256.sri; };
  fixedSha256SriWithAlgo = fixed "f5" { outputHashAlgo = "sha256"; outputHash = sha256.sri; };
  fixedSha256SriEmptyAlgo = fixed "f6" { outputHashAlgo = ""; outputHash = sha256.sri; };
  fixedSha256Prefixed = fixed "f7" { outputHash = "sha256:${sha256.nix32}"; };
  fixedSha256Recursive = fixed "f8" { outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = sha256.nix32; };
  fixedSha256RecursiveSri = fixed "f9" { outputHashMode = "recursive"; outputHash = sha256.sri; };
  fixedSha1Base16 = fixed "f10" { outputHashAlgo = "sha1"; outputHash = sha1.base16; };
  fixedSha1Nix32 = fixed "f11" { outputHashAlgo = "sha1"; outputHash = sha1.nix32; };
  fixedSha1Base64 = fixed "f12" { outputHashAlgo = "sha1"; outputHash = sha1.base64; };
  fixedSha1Sri = fixed "f13" { outputHash = sha1.sri; };
  fixedSha1Recursive = fixed "f14" { outputHashMode = "recursive"; outputHash = sha1.sri; };
  fixedMd5Base16 = fixed "f15" { outputHashAlgo = "md5"; outputHash = md5.base16; };
  fixedMd5Nix32 = fixed "f16" { outputHashAlgo = "md5"; outputHash = md5.nix32; };
  fixedMd5Sri = fixed "f17" { outputHash = md5.sri; };
  fixedMd5Recursive = fixed "f18" { outputHashMode = "recursive"; outputHashAlgo = "md5"; outputHash = md5.base64; };
  fixedSha512Base16 = fixed "f19" { outputHashAlgo = "sha512"; outputHash = sha512.base16; };
  fixedSha512Sri = fixed "f20" { outputHash = sha512.sri; };
  fixedSha512Recursive = fixed "f21" { outputHashMode = "recursive"; outputHash = sha512.sri; };
  fixedEmptyHash = fixed "f22" { outputHashAlgo = "sha256"; outputHash = ""; };
  fixedNoMode = mk "f23" { outputHashAlgo = "sha256"; outputHash = sha256.base16; };
  fixedUnknownAlgoIgnored = fixed "f24" { outputHashAlgo = "whatever"; outputHash = sha256.sri; };
  fixedUpperBase16 = fixed "f25" { outputHashAlgo = "sha1"; outputHash = "AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D"; };
  fixedExplicitOut = fixed "f26" { outputs = [ "out" ]; outputHash = sha256.sri; };
  fixedWithDeps = fixed "f27" { outputHash = sha256.sri; dep = base; src = ./src; };
  dependsOnFixed = mk "uses-fixed" { src = fetched; };
  dependsOnFixedMirror = mk "uses-fixed" { src = fetched2; };  # same output path, same downstream paths
  dependsOnFixedRecursive = mk "uses-fixed-rec" { src = fixedSha256Recursive; };
  dependsOnFixedDrvPath = mk "uses-fixed-drvpath" { d = fetched.drvPath; };
  dependsOnTwoFixedSame = mk "uses-both" { a = fetched; b = fetched2; };

  # --- passAsFile, structured attributes, references ----------------------------------
  passAsFile = mk "pass-as-file" { passAsFile = [ "big" "other" ]; big = "lots of text"; other = [ 1 2 ]; };
  passAsFileString = mk "pass-as-file-str" { passAsFile = "big"; big = "x"; };
  structured = mk "structured" { __structuredAttrs = true; a = 1; b = "two"; c = [ 1 2 3 ]; d = { e = true; f = null; }; };
  structuredFloat = mk "structured-float" { __structuredAttrs = true; f = [ 0.1 1.0 1.5e-7 123456789.123 (1.0 / 3) ]; };
  structuredStrings = mk "structured-strings" { __structuredAttrs = true; s = "quote \" bs \\ nl \n tab \t ctl \u0001 é"; };
  structuredDeps = mk "structured-deps" { __structuredAttrs = true; dep = base; devs = [ multi.dev multi.lib ]; src = ./src; };
  structuredPath = mk "structured-path" { __structuredAttrs = true; p = ./flat.txt; nested = { q = ./src/sub; }; };
  structuredOutputs = mk "structured-outputs" { __structuredAttrs = true; outputs = [ "out" "bin" ]; };
  structuredToString = mk "structured-tostring" { __structuredAttrs = true; t = { __toString = s: "ts"; }; o = { outPath = "op"; x = 1; }; };
  structuredFixed = fixed "structured-fixed" { __structuredAttrs = true; outputHash = sha256.sri; };
  structuredIgnoreNulls = mk "structured-nulls" { __structuredAttrs = true; __ignoreNulls = true; a = null; b = 1; };
  structuredExportGraph = mk "structured-graph" { __structuredAttrs = true; exportReferencesGraph = { closure = [ base ]; }; };
  structuredArgs = mk "structured-args" { __structuredAttrs = true; args = [ "-c" "true" ]; };
  structuredBuilderDep = mk "structured-builder" { __structuredAttrs = true; builder = "${base}/bin/sh"; };
  allowedRefs = mk "allowed-refs" { allowedReferences = [ base ]; allowedRequisites = [ base multi.dev ]; };
  disallowedRefs = mk "disallowed-refs" { disallowedReferences = [ multi ]; disallowedRequisites = [ chain1 ]; };
  allowedRefsEmpty = mk "allowed-none" { allowedReferences = [ ]; };
  exportGraph = mk "export-graph" { exportReferencesGraph = [ "closure" base "closure2" multi.dev ]; };
  exportGraphDrv = mk "export-graph-drv" { exportReferencesGraph = [ "g" base.drvPath ]; };
  preferLocal = mk "prefer-local" { preferLocalBuild = true; allowSubstitutes = false; };
  impureEnv = mk "impure-env" { impureEnvVars = [ "http_proxy" "HOME" ]; };

  # --- via derivation's output attributes ---------------------------------------------
  viaOutPath = mk "via-outpath" { dep = { outPath = base; }; };
  viaAll = builtins.elemAt multi.all 2;
  viaDrvAttrsRebuild = derivation multi.drvAttrs;
  lists = [ base (mk "in-list" { }) ];
}
