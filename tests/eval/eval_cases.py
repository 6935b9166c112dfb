"""Expressions for the differential suite, compared with nix-instantiate at test time.

`VALUE_CASES` evaluate (or `throw`/`assert`-fail, which tryEval catches) and
are sent to the oracle in one batch; `ERROR_CASES` fail with an uncatchable
error and are compared one by one (error message and position). Each entry is
Nix source; cases are grouped by the feature they exercise.
"""

from __future__ import annotations

ARITH = [
    "1 + 2", "7 - 10", "6 * 7", "7 / 2", "0 - 7 / 2", "(0 - 7) / 2", "1.5 + 2", "2 - 0.5", "3 * 0.5",
    "1 / 4.0", "1.0 / 3", "2.0 * 3", "0.1 + 0.2", "1.0", "100000.0", "1000000.0", "1234567.0", "0.000015",
    "123456789.0", "3.14159265358979", "0 - 0.0", "builtins.add 1 2", "builtins.sub 1 2", "builtins.mul 3 4",
    "builtins.div 9 4", "builtins.div 9.0 4", "builtins.bitAnd 12 10", "builtins.bitOr 12 10",
    "builtins.bitXor 12 10", "builtins.ceil 1.5", "builtins.floor 1.5", "builtins.ceil (0 - 1.5)",
    "builtins.floor (0 - 1.5)", "builtins.ceil 2", "9223372036854775807", "0 - 9223372036854775807 - 1",
    "1 < 2", "2 < 1", "1 <= 1", "1 >= 2", "2 > 1", "1.5 < 2", "2 < 1.5", "\"a\" < \"b\"", "\"b\" < \"a\"",
    "\"\" < \"a\"", "[1 2] < [1 3]", "[1 2] < [1 2 0]", "[] < [1]", "[2] < [1 5]", "./a < ./b",
    "builtins.lessThan 1 2", "-1", "- 2.5", "-(-3)", "2 * -3", "10 / 3 * 3", "1 + 2 * 3 - 4 / 2",
]

LOGIC = [
    "true && false", "true || false", "false -> true", "true -> false", "!true", "!false", "true && true && false",
    "false || false || true", "1 == 1", "1 == 1.0", "1 != 2", "\"a\" == \"a\"", "[1 2] == [1 2]", "[1 2] == [2 1]",
    "{ a = 1; } == { a = 1; }", "{ a = 1; } == { a = 2; }", "{ a = 1; } == { b = 1; }", "null == null",
    "null == false", "(x: x) == (x: x)", "let f = x: x; in f == f", "let f = x: x; in [ f ] == [ f ]",
    "let f = x: x; in { a = f; } == { a = f; }", "./a == ./a", "./a == \"/a\"", "1 == \"1\"", "[] == []",
    "{} == {}", "if true then 1 else 2", "if false then 1 else 2", "if 1 == 1 then \"y\" else \"n\"",
    "false && throw \"no\"", "true || throw \"no\"", "false -> throw \"no\"",
    "let d = { type = \"derivation\"; outPath = \"x\"; a = 1; }; e = { type = \"derivation\"; outPath = \"x\"; a = 2; }; in d == e",
]

STRINGS = [
    "\"abc\"", "\"a\\nb\\tc\\rd\"", "\"quote \\\" backslash \\\\\"", "\"dollar $ ${\"x\"} $${y}\"", "''multi\n  line\n''",
    "''  indented\n    more\n  ''", "''a''${b}''", "''x '''' y''", "''\\n''", "\"${\"a\"}${\"b\"}\"", "\"a\" + \"b\"",
    "\"x${toString 1}y\"", "\"${toString 1.5}\"", "toString true", "toString false", "toString null",
    "toString [1 2 [3] [] \"a\"]", "toString ./a/b", "\"${./.}\" == \"\"", "toString { outPath = \"o\"; }",
    "toString { __toString = self: \"s\"; }", "\"${{ __toString = self: \"t\"; }}\"", "\"é ü 漢字\"",
    "builtins.stringLength \"hello\"", "builtins.stringLength \"漢\"", "builtins.substring 1 3 \"hello\"",
    "builtins.substring 3 10 \"hello\"", "builtins.substring 10 1 \"hello\"", "builtins.substring 0 (0 - 1) \"hello\"",
    "builtins.replaceStrings [\"a\" \"b\"] [\"x\" \"y\"] \"aabbc\"", "builtins.replaceStrings [\"\"] [\"-\"] \"abc\"",
    "builtins.concatStringsSep \", \" [\"a\" \"b\" \"c\"]", "builtins.concatStringsSep \"\" []",
    "builtins.split \"(a)b\" \"xabyab\"", "builtins.match \"a(.)c\" \"abc\"", "builtins.match \"a\" \"b\"",
    "builtins.match \"([0-9]+)\\\\.([0-9]+)\" \"1.23\"", "builtins.split \",\" \"a,b,,c\"",
    "builtins.baseNameOf \"/a/b/c.nix\"", "builtins.dirOf \"/a/b/c\"", "builtins.dirOf \"a\"", "baseNameOf ./x/y",
    "dirOf ./x/y", "builtins.hashString \"md5\" \"abc\"", "builtins.hashString \"sha1\" \"abc\"",
    "builtins.hashString \"sha256\" \"abc\"", "builtins.hashString \"sha512\" \"\"",
    "builtins.compareVersions \"1.2\" \"1.10\"", "builtins.compareVersions \"1.2pre\" \"1.2\"",
    "builtins.compareVersions \"2\" \"2\"", "builtins.splitVersion \"1.2.3pre4\"", "builtins.parseDrvName \"hello-2.10\"",
    "builtins.parseDrvName \"foo\"", "builtins.stringLength (toString 123)", "\"a\" + toString 1 + \"b\"",
    "builtins.toString 3.0", "\"${builtins.toString 0.1}\"", "builtins.typeOf \"${\"\"}\"",
]

LISTS = [
    "[]", "[1 2 3]", "[1 [2 [3]] {a = 1;}]", "[1] ++ [2 3]", "[] ++ []", "builtins.length [1 2 3]", "builtins.head [1 2]",
    "builtins.tail [1 2 3]", "builtins.elemAt [1 2 3] 1", "builtins.elem 2 [1 2 3]", "builtins.elem 5 [1 2 3]",
    "map (x: x * 2) [1 2 3]", "builtins.filter (x: x > 1) [1 2 3]", "builtins.foldl' (a: b: a + b) 0 [1 2 3 4]",
    "builtins.foldl' (a: b: a ++ [b]) [] [1 2]", "builtins.genList (i: i * i) 5", "builtins.concatLists [[1] [2 3] []]",
    "builtins.concatMap (x: [x x]) [1 2]", "builtins.all (x: x > 0) [1 2]", "builtins.any (x: x > 1) [1 2]",
    "builtins.all (x: x) []", "builtins.any (x: x) []", "builtins.sort builtins.lessThan [3 1 2]",
    "builtins.sort (a: b: a > b) [1 3 2 5 4]", "builtins.sort (a: b: a.k < b.k) [{k=2; v=1;} {k=1; v=2;} {k=2; v=3;}]",
    "builtins.partition (x: x > 2) [1 2 3 4]", "builtins.groupBy (x: if x > 2 then \"big\" else \"small\") [1 2 3 4]",
    "builtins.genericClosure { startSet = [{key = 1;}]; operator = x: if x.key < 5 then [{key = x.key + 1;}] else []; }",
    "builtins.listToAttrs [{name = \"a\"; value = 1;} {name = \"b\"; value = 2;} {name = \"a\"; value = 3;}]",
    "builtins.length (builtins.genList (x: x) 1000)", "builtins.elemAt (map (x: x + 1) [1 2 3]) 2",
    "let l = [1 2 3]; in l ++ l", "builtins.tail [1]", "builtins.filter (x: true) []",
    "builtins.sort builtins.lessThan [\"b\" \"a\" \"c\"]", "builtins.sort builtins.lessThan []",
]

ATTRS = [
    "{}", "{ a = 1; b = 2; }", "{ b = 1; a = 2; }", "rec { a = 1; b = a + 1; }", "{ a.b.c = 1; }", "{ a.b = 1; a.c = 2; }",
    "{ \"a b\" = 1; }", "{ ${\"dyn\"} = 1; }", "{ ${\"a\" + \"b\"} = 1; c = 2; }", "{ ${null} = 1; }",
    "{ a = 1; } // { b = 2; }", "{ a = 1; } // { a = 2; }", "{} // {}", "{ a = 1; }.a", "{ a = { b = 2; }; }.a.b",
    "{ a = 1; }.b or 3", "{ a = 1; }.a or 3", "1 .a or 2", "{ a = 1; } ? a", "{ a = 1; } ? b", "{ a.b = 1; } ? a.b",
    "{ a.b = 1; } ? a.c", "1 ? a", "{ a = throw \"x\"; } ? a", "builtins.attrNames { b = 1; a = 2; c = 3; }",
    "builtins.attrValues { b = 1; a = 2; }", "builtins.hasAttr \"a\" { a = 1; }", "builtins.getAttr \"a\" { a = 1; }",
    "builtins.removeAttrs { a = 1; b = 2; c = 3; } [\"a\" \"c\" \"z\"]", "builtins.intersectAttrs { a = 1; b = 2; } { b = 3; c = 4; }",
    "builtins.mapAttrs (n: v: n + toString v) { a = 1; b = 2; }", "builtins.catAttrs \"a\" [{a = 1;} {b = 2;} {a = 3;}]",
    "builtins.zipAttrsWith (n: vs: vs) [{a = 1;} {a = 2; b = 3;}]", "builtins.functionArgs ({a, b ? 1}: a)",
    "builtins.functionArgs (x: x)", "builtins.isAttrs {}", "let x = { a = 1; }; in x.a", "let s = { a = 1; }; in s // s",
    "{ inherit (builtins) length; }.length [1 2]", "let a = 1; in { inherit a; }", "let a = 1; b = 2; in { inherit a b; c = 3; }",
    "rec { a = { b = 1; }; inherit (a) b; }", "{ a = 1; }.${\"a\"}", "let n = \"a\"; in { a = 2; }.${n}",
    "{ __overrides = {}; a = 1; }", "rec { __overrides = { a = 2; }; a = 1; b = a; }", "rec { __overrides = { c = 3; }; a = 1; }", "builtins.attrNames { \"2\" = 1; \"10\" = 2; \"a\" = 3; \"B\" = 4; }",
    "(x: x.a) { a = 5; }", "let a = { x = 1; }; b = a // { y = 2; }; in [a b]", "{ x = 1; } // { x = { y = 1; }; }",
]

LET_WITH = [
    "let x = 1; in x", "let x = 1; y = x + 1; in y", "let y = x + 1; x = 1; in y", "let a = b; b = 3; in a",
    "let f = x: if x == 0 then 1 else x * f (x - 1); in f 10", "let x = 1; in let x = 2; in x", "with { a = 1; }; a",
    "with { a = 1; }; with { a = 2; }; a", "let a = 1; in with { a = 2; }; a", "with { true = 1; }; true",
    "with { map = 1; }; map (x: x) [1]", "with { a = 1; }; let b = a; in b", "let s = { a = 1; }; in with s; a + 1",
    "with builtins; length [1 2]", "with { x = 1; }; { x = 2; y = x; }.y", "with { x = 1; }; rec { x = 2; y = x; }.y",
    "let x = 1; in rec { x = 2; y = x; }.y", "let { body = a; a = 1; }", "let inherit (builtins) length; in length [1]",
    "(let x = 1; in { inherit x; }).x", "let f = a: b: a + b; in f 1 2", "let f = a: b: a + b; g = f 1; in g 5",
    "let fix = f: let x = f x; in x; in (fix (self: { a = 1; b = self.a + 1; })).b",
    "let xs = [1 2 3]; in builtins.foldl' (acc: x: acc + x) 0 xs", "let x = with { y = 1; }; y; in x",
    "with { a = 1; }; with { b = 2; }; a + b", "with rec { a = 1; b = a; }; b", "let a.b = 1; a.c = 2; in a",
]

FUNCTIONS = [
    "(x: x + 1) 1", "(x: y: x * y) 3 4", "({ a, b }: a + b) { a = 1; b = 2; }", "({ a, b ? 10 }: a + b) { a = 1; }",
    "({ a, ... }: a) { a = 1; b = 2; }", "(args@{ a, ... }: args.b) { a = 1; b = 2; }", "({ a, ... }@args: args) { a = 1; }",
    "({ a ? b, b ? 2 }: a) {}", "({ a ? 1 }: a) {}", "(x: x)", "builtins.map", "builtins.map (x: x)", "map",
    "{ __functor = self: x: x + self.n; n = 10; } 5", "let f = { __functor = self: x: x; }; in f 1",
    "builtins.isFunction (x: x)", "builtins.isFunction builtins.map", "builtins.isFunction { __functor = s: x: x; }",
    "builtins.typeOf (x: x)", "builtins.typeOf map", "builtins.typeOf (map (x: x))", "(f: f 1) (x: x + 1)",
    "let compose = f: g: x: f (g x); in compose (x: x * 2) (x: x + 1) 5", "(x: { inherit x; }) 1",
    "({ ... }: 1) {}", "({}: 1) {}", "let f = { a ? throw \"no\" }: 1; in f {}", "(a: b: a) 1 (throw \"x\")",
]

TYPES = [
    "builtins.typeOf 1", "builtins.typeOf 1.0", "builtins.typeOf \"s\"", "builtins.typeOf ./p", "builtins.typeOf null",
    "builtins.typeOf true", "builtins.typeOf []", "builtins.typeOf {}", "builtins.isInt 1", "builtins.isInt 1.0",
    "builtins.isFloat 1.0", "builtins.isString \"\"", "builtins.isPath ./a", "builtins.isPath \"/a\"",
    "builtins.isList []", "builtins.isNull null", "builtins.isBool false", "builtins.isAttrs { }",
    "builtins.isString ./a", "builtins.langVersion", "builtins.nixVersion", "builtins.currentSystem", "builtins.storeDir",
]

CONTROL = [
    "builtins.tryEval 1", "builtins.tryEval (throw \"x\")", "builtins.tryEval (assert false; 1)",
    "builtins.tryEval (builtins.tryEval (throw \"x\"))", "builtins.seq 1 2", "builtins.deepSeq [1 2] 3",
    "builtins.seq { a = throw \"x\"; } 1", "throw \"boom\"", "assert true; 1", "assert 1 == 2; 1",
    "builtins.addErrorContext \"c\" 1", "[ (builtins.tryEval (throw \"a\")).success ]", "let x = throw \"x\"; in 1",
    "builtins.length [ (throw \"x\") ]", "(builtins.tryEval (builtins.deepSeq [ (throw \"y\") ] 1)).success",
    "builtins.getEnv \"NIXLITE_SURELY_UNSET\"", "builtins.tryEval <not-on-the-search-path>",
]

PATHS = [
    "./a", "./a/b/../c", "./a/./b", "/abs/path", "/abs/path + \"/x\"", "./a + \"b\"", "./a + \"/b\"", "/. + \"a\"",
    "builtins.toPath \"/a/b\"", "builtins.pathExists ./.", "builtins.pathExists ./definitely-not-here",
    "builtins.typeOf (./a + \"b\")", "toString /a/b", "/a/b == /a/b",
]

JSON_TOML_XML = [
    "builtins.toJSON { a = 1; b = [ true null \"x\" 1.5 ]; }", "builtins.toJSON \"a\\nb\"", "builtins.toJSON 0.1",
    "builtins.fromJSON ''{\"a\": [1, 2.5, \"x\", null, true]}''", "builtins.fromJSON \"1\"", "builtins.fromJSON \"\\\"\\\\u00e9\\\"\"",
    "builtins.toJSON { outPath = \"o\"; }", "builtins.toJSON { __toString = s: \"t\"; }", "builtins.toJSON [ ]",
    "builtins.fromTOML ''a = 1\nb = \"x\"\n[c]\nd = [1, 2]''", "builtins.toXML { a = 1; }", "builtins.toXML [ \"x\" true null ]",
    "builtins.toJSON 1.0", "builtins.toJSON 100000000.0", "builtins.toJSON (-1)",
]

CUR_POS_MISC = [
    "__curPos", "builtins.attrNames __curPos", "let x = 1; in __curPos.line", "builtins.unsafeGetAttrPos \"b\" { a = 1; }", "builtins.typeOf builtins", "builtins.isAttrs builtins",
    "builtins.hasAttr \"map\" builtins", "(builtins.tryEval (throw \"x\")).value",
]

# Generated families (simple, but they exercise many paths at once).
GENERATED = (
    [f"let f = n: if n == 0 then 0 else n + f (n - 1); in f {n}" for n in (0, 1, 10, 100)]
    + [f"builtins.foldl' (a: b: a * 2 + b) 0 (builtins.genList (x: x - {k}) 10)" for k in range(5)]
    + [f"builtins.concatStringsSep \"-\" (map toString (builtins.genList (x: x * {k}) 5))" for k in range(5)]
    + [f"let s = {{ a = {k}; b = s.a + 1; }}; in s.b" for k in range(5)]
    + [f"builtins.attrNames (builtins.listToAttrs (map (i: {{ name = \"k\" + toString i; value = i; }}) (builtins.genList (x: x) {k})))" for k in (0, 1, 3, 12)]
    + [f"builtins.substring {a} {b} \"abcdefgh\"" for a in (0, 2, 7) for b in (0, 1, 5)]
    + [f"{a} / {b}" for a in (7, -7, 0) for b in (2, -2, 3)]
    + [f"builtins.bitAnd {a} {b} + builtins.bitOr {a} {b}" for a in (0, 5, 255) for b in (1, 6)]
    + [f"builtins.compareVersions \"{a}\" \"{b}\"" for a in ("1.0", "1.0a", "2.3.4") for b in ("1.0", "1.01", "2.3")]
    + [f"[ ({a} < {b}) ({a} <= {b}) ({a} > {b}) ({a} >= {b}) ({a} == {b}) ]" for a in (1, 2.5) for b in (2, 2.5)]
    + [f"builtins.elemAt [ \"a\" \"b\" \"c\" ] {k}" for k in range(3)]
    + [f"builtins.length (builtins.concatLists (builtins.genList (i: builtins.genList (j: j) i) {k}))" for k in (0, 4, 9)]
)

VALUE_CASES: list[str] = (
    ARITH + LOGIC + STRINGS + LISTS + ATTRS + LET_WITH + FUNCTIONS + TYPES + CONTROL + PATHS + JSON_TOML_XML
    + CUR_POS_MISC + GENERATED
)

ERROR_CASES: list[str] = [
    "{}.x", "{ a = 1; }.b", "{ ab = 1; }.ac", "let a = { b = 1; }; in a.b.c", "1 + \"a\"", "\"a\" + 1", "1.5 + \"a\"",
    "[] + 1", "if 1 then 2 else 3", "!1", "1 && true", "true && 1", "true || 1", "1 -> true",
    "let x = x; in x", "let a = b; b = a; in a", "rec { a = b; b = a; }.a", "abort \"stop\"",
    "({ a }: a) {}", "({ a }: a) { a = 1; b = 2; }", "({ a, b }: a) { a = 1; c = 2; }", "let f = { a }: a; in f {}",
    "({ a }: a) 1", "(x: x) 1 2", "1 2", "\"f\" 1", "[1] ++ 2", "1 ++ [1]", "{ a = 1; } // 2", "2 // {}",
    "with 1; x", "with {}; zz", "with { a = 1; }; b", "builtins.head []", "builtins.elemAt [1] 5", "builtins.tail []",
    "1 / 0", "1.0 / 0", "builtins.div 1 0", "\"a\" < 1", "{} < {}", "[1 \"a\"] < [1 2]", "null < null", "builtins.lessThan true 1",
    "builtins.length 1", "builtins.attrNames []", "builtins.map 1 [1]", "builtins.substring (0 - 1) 1 \"a\"",
    "builtins.getAttr \"x\" {}", "builtins.genList (x: x) (0 - 1)", "builtins.toJSON (x: x)", "builtins.fromJSON \"{\"",
    "let f = x: x.a; in f {}", "map (x: x.a) [ {} ]", "builtins.deepSeq [ { a = 1 + \"a\"; } ] 1",
    "{ ${\"a\"} = 1; ${\"a\"} = 2; }", "{ a = 1; ${\"a\"} = 2; }", "{ ${1} = 2; }", "{ a = 1; }.${1}",
    "toString {}", "toString (x: x)", "\"${{}}\"", "\"${1}\"", "./a + ./b", "builtins.ceil \"a\"",
    "builtins.bitAnd 1.0 2", "throw 1", "abort {}", "assert 1; 2", "import ./definitely-not-here.nix",
    "builtins.readFile ./definitely-not-here", "<definitely-not-on-the-search-path>", "builtins.seq (throw \"x\") 1",
    "builtins.foldl' (a: b: a.x) {} [ 1 ]", "throw \"x\"", "builtins.sort (a: b: 1) [1 2]", "builtins.filter (x: 1) [1]",
    "builtins.listToAttrs [ 1 ]", "builtins.listToAttrs [ { name = 1; value = 2; } ]", "builtins.replaceStrings [\"a\"] [] \"a\"",
    "let f = n: if n == 0 then throw \"bottom\" else f (n - 1); in f 3", "{ a = { b = throw \"deep\"; }; }.a.b",
    "let s = { a = 1; }; in s.a.b", "({ a ? b, b ? a }: a) {}", "builtins.concatStringsSep 1 []",
    "builtins.removeAttrs 1 []", "builtins.match 1 \"a\"", "builtins.functionArgs 1", "builtins.typeOf",
    "builtins.elemAt [1] (0 - 1)", "builtins.hashString \"md4\" \"a\"", "builtins.fromTOML \"a = \"",
]

# Errors whose detail comes from a parser library (nlohmann json, toml11 in Nix):
# only the kind of error, before the detail, is compared.
KIND_ONLY_CASES: set[str] = {"builtins.fromJSON \"{\"", "builtins.fromTOML \"a = \""}

# Current Nix (not the 2.8 oracle, which wraps around) makes integer overflow an
# error; these are checked against the current wording instead.
OVERFLOW_CASES: dict[str, str] = {
    "9223372036854775807 + 1": "error: integer overflow in adding 9223372036854775807 + 1",
    "9223372036854775807 * 2": "error: integer overflow in multiplying 9223372036854775807 * 2",
    "0 - 9223372036854775807 - 2": "error: integer overflow in subtracting -9223372036854775807 - 2",
    "(0 - 9223372036854775807 - 1) / (0 - 1)": "error: integer overflow in dividing -9223372036854775808 / -1",
}

# Cases whose full error text (message, position, snippet) must match the oracle exactly.
EXACT_ERROR_CASES: list[str] = [
    "{}.x", "{ ab = 1; }.ac", "let a = { b = 1; }; in a.b.c", "1 + \"a\"", "\"a\" + 1", "if 1 then 2 else 3",
    "let x = x; in x", "abort \"stop\"", "({ a }: a) {}", "({ a, b }: a) { a = 1; c = 2; }", "let f = { a }: a; in f {}",
    "({ a }: a) 1", "1 2", "[1] ++ 2", "{ a = 1; } // 2", "with {}; zz", "builtins.head []", "1 / 0",
    "\"a\" < 1", "1 && true", "{ ${\"a\"} = 1; ${\"a\"} = 2; }", "let f = x: x.a; in f {}",
]

# Errors in the evaluator's own domain whose full text (position, snippet) matches Nix 2.8.
EVALUATOR_ERROR_CASES: list[str] = [
    'let f = x: x; in f.a',
    '(1).a',
    'with 1; 2',
    'with 1; x',
    'assert "x"; 1',
    'if null then 1 else 2',
    '!null',
    'null && true',
    '[1] ++ null',
    'null // {}',
    '1 - "a"',
    '"a" - 1',
    '1 * null',
    '1 / "x"',
    'let a = a + 1; in a',
    'rec { a = a; }.a',
    '{ a = 1; }.a.b.c',
    '({a}: a) []',
    "builtins.foldl' 1 0 [1]",
    'abort 1',
    'throw {}',
    '"a" + {}',
    './a + 1',
    '1 + ./a',
    '1.5 + "x"',
    '{} + 1',
    'null + 1',
    '[] + []',
    'let x = { y = x.y; }; in x.y',
    '(x: x.a.b) { a = 1; }',
    '{ a = 1; b = throw "bb"; }',
    '[ 1 (throw "l") ]',
    'let s = { a = 1; }; in s.b or s.c',
    'builtins.head 1',
    'builtins.length {}',
    '({ a }@b: b) { a = 1; c = 2; }',
    'let f = { a, b ? 1 }: a; in f { b = 2; }',
    '(x: y: x) 1 2 3',
    'import ./.', 'builtins.findFile [] "x"',
    '{ ${1} = 2; }', '{ a = 1; }.${1}', '"${1}"', '"${{}}"', '"a ${ 1 }"', '({ a ? b, b ? a }: a) {}',
]
ERROR_CASES += [c for c in EVALUATOR_ERROR_CASES if c not in ERROR_CASES]
EXACT_ERROR_CASES += [c for c in EVALUATOR_ERROR_CASES if c not in EXACT_ERROR_CASES]
