"""The order of names in Nix's symbol table, for printing `let` and formals.

Nix 2.8 keeps a `let`'s bindings and a function's formals in containers
ordered by symbol, and a symbol compares by the address where the symbol
table stored its string. So `nix-instantiate --parse` prints
`let b = 1; a = 2; in …` in that order, and `{ x, y }: …` as `{ y, x }`.

The model here, measured against Nix 2.8 with nix-instantiate:
- names the evaluator creates before parsing (builtins, `name`, `value`, …)
  come first, in the order Nix creates them (PREDEFINED, probed by listing
  hundreds of names in one `let`);
- then names first seen in the parsed text, in the order the parser creates
  them (builder.py records it: a lambda's argument is created when the whole
  lambda is reduced, other names when their token is reduced);
- `x` and `__curPos` are created by Nix early but stored at a high address:
  they sort after the names of the text.
It is a model of heap addresses: in large programs the allocator reuses
freed blocks and Nix's order departs from it; the printed order of `let`
bindings and formals may then differ from Nix's (nothing else does).
"""

from __future__ import annotations

from typing import Final

PREDEFINED: Final[tuple[str, ...]] = tuple("""
    outPath meta name value system __overrides outputs outputName __ignoreNulls file line column
    drvPath type __functor __toString right wrong __structuredAttrs builder args __contentAddressed
    __impure outputHash outputHashAlgo outputHashMode recurseForDerivations description self
    startSet operator key path prefix builtins true false null __currentTime currentTime
    __currentSystem currentSystem __nixVersion nixVersion __storeDir storeDir __langVersion
    langVersion __nixPath nixPath scopedImport import __typeOf typeOf isNull __isFunction isFunction
    __isInt isInt __isFloat isFloat __isString isString __isBool isBool __isPath isPath
    __genericClosure genericClosure abort throw __addErrorContext addErrorContext __ceil ceil
    __floor floor __tryEval tryEval __getEnv getEnv __seq seq __deepSeq deepSeq __trace trace
    derivationStrict placeholder __toPath toPath __storePath storePath __pathExists pathExists
    baseNameOf dirOf __readFile readFile __findFile findFile __hashFile hashFile __readDir readDir
    __toXML toXML __toJSON toJSON __fromJSON fromJSON __toFile toFile __filterSource filterSource
    __path __attrNames attrNames __attrValues attrValues __getAttr getAttr __unsafeGetAttrPos
    unsafeGetAttrPos __hasAttr hasAttr r s t u v w __isAttrs isAttrs removeAttrs __listToAttrs
    listToAttrs __intersectAttrs intersectAttrs __catAttrs catAttrs __functionArgs functionArgs
    __mapAttrs mapAttrs __zipAttrsWith zipAttrsWith __isList isList __elemAt elemAt __head head
    __tail tail map __filter filter __elem elem __concatLists concatLists __length length __foldl'
    foldl' __any any __all all __genList genList __sort sort __partition partition __groupBy groupBy
    __concatMap concatMap __add add __sub sub __mul mul __div div __bitAnd bitAnd __bitOr bitOr
    __bitXor bitXor __lessThan lessThan toString __substring substring __stringLength stringLength
    __hashString hashString __match match __split split __concatStringsSep concatStringsSep
    __replaceStrings replaceStrings __parseDrvName parseDrvName __compareVersions compareVersions
    __splitVersion splitVersion __unsafeDiscardStringContext unsafeDiscardStringContext __hasContext
    hasContext __unsafeDiscardOutputDependency unsafeDiscardOutputDependency __getContext getContext
    __appendContext appendContext fetchMercurial fetchTree __fetchurl fetchurl fetchTarball fetchGit
    fromTOML derivation
""".split())
_PREDEFINED_RANK: Final[dict[str, int]] = {name: i for i, name in enumerate(PREDEFINED)}
_LATE: Final[dict[str, int]] = {"x": 0, "__curPos": 1}


def symbol_sort_key(items, created: dict[str, int] | None = None):
    """A sort key over bindings or formals (objects with .name and .pos).

    `created` maps names to the order the parser created them; without it,
    the order of first appearance among `items` stands in.
    """
    if created == "by-name":  # a canonical order, for comparisons that ignore this model
        return lambda item: item.name
    first_seen: dict[str, int] = {}
    for i, item in enumerate(items):
        first_seen.setdefault(item.name, i)
    order = created if created is not None else first_seen

    def key(item):
        name = item.name
        rank = _PREDEFINED_RANK.get(name)
        if rank is not None:
            return (0, rank)
        late = _LATE.get(name)
        if late is not None:
            return (2, late)
        return (1, order.get(name, len(order) + first_seen[name]))

    return key
