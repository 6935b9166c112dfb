"""The static scope check Nix 2.8 runs right after parsing: undefined variables.

Nix resolves variables lexically before evaluating anything (`bindVars`):
`let`, `rec { }`, function arguments and formals open scopes; a variable
found in none of them is looked up in the base environment of builtins
(`map`, `true`, `__sub`, …); anything under a `with` may come from the
`with` at run time, so it is accepted. Otherwise Nix stops with
"undefined variable 'x'" at the variable — and nixlite does the same.

The traversal visits expressions in the order of Nix's `bindVars`, so that
of several undefined variables the one Nix names is reported. It keeps an
explicit stack rather than recursing (10,000 nested brackets must work).
"""

from __future__ import annotations

from typing import Final

from nixlite.eval.errors import UndefinedVarError
from nixlite.syntax import ast
from nixlite.syntax.symbol_order import symbol_sort_key

# The variables of Nix 2.8's base environment, as probed with
# `nix-instantiate --parse -E NAME` (tests/syntax/test_scope.py re-checks them).
BASE_NAMES: Final[frozenset[str]] = frozenset("""
    __add __addErrorContext __all __any __appendContext __attrNames __attrValues __bitAnd __bitOr
    __bitXor __catAttrs __ceil __compareVersions __concatLists __concatMap __concatStringsSep
    __currentSystem __currentTime __deepSeq __div __elem __elemAt __fetchurl __filter __filterSource
    __findFile __floor __foldl' __fromJSON __functionArgs __genList __genericClosure __getAttr
    __getContext __getEnv __groupBy __hasAttr __hasContext __hashFile __hashString __head
    __intersectAttrs __isAttrs __isBool __isFloat __isFunction __isInt __isList __isPath __isString
    __langVersion __length __lessThan __listToAttrs __mapAttrs __match __mul __nixPath __nixVersion
    __parseDrvName __partition __path __pathExists __readDir __readFile __replaceStrings __seq
    __sort __split __splitVersion __storeDir __storePath __stringLength __sub __substring __tail
    __toFile __toJSON __toPath __toXML __trace __tryEval __typeOf __unsafeDiscardOutputDependency
    __unsafeDiscardStringContext __unsafeGetAttrPos __zipAttrsWith abort baseNameOf builtins
    derivation derivationStrict dirOf false fetchGit fetchMercurial fetchTarball fetchTree fromTOML
    import isNull map null placeholder removeAttrs scopedImport throw toString true
""".split())

# A scope is (names, parent); names None marks a `with`.
Scope = tuple


def _lookup_ok(name: str, scope) -> bool:
    under_with = False
    while scope is not None:
        names, scope_parent = scope
        if names is None:
            under_with = True
        elif name in names:
            return True
        scope = scope_parent
    return under_with


def _in_order(items, symbols):
    """Bindings or formals in the order Nix visits them (by symbol); symbols None: as they are."""
    if symbols is None or len(items) < 2:
        return items
    return sorted(items, key=symbol_sort_key(items, symbols))


def _children(e: ast.Expr, scope, symbols) -> list:
    """(child, scope) pairs of `e` in Nix's bindVars order (any order if symbols is None)."""
    t = type(e)
    if t is ast.Call:
        return [(e.fn, scope)] + [(a, scope) for a in e.args]
    if t is ast.Select:
        out = [(e.expr, scope)]
        if e.default is not None:
            out.append((e.default, scope))
        return out + [(n, scope) for n in e.path if not isinstance(n, str)]
    if t is ast.HasAttr:
        return [(e.expr, scope)] + [(n, scope) for n in e.path if not isinstance(n, str)]
    if t is ast.AttrSet:
        inner = ({b.name for b in e.bindings}, scope) if e.rec else scope
        out = [(b.value, scope if b.inherited else inner) for b in _in_order(e.bindings, symbols)]
        for d in e.dynamic:
            out += [(d.name, inner), (d.value, inner)]
        return out
    if t is ast.Let:
        inner = ({b.name for b in e.attrs.bindings}, scope)
        out = [(b.value, scope if b.inherited else inner) for b in _in_order(e.attrs.bindings, symbols)]
        return out + [(e.body, inner)]
    if t is ast.Lambda:
        names = set()
        if e.arg is not None:
            names.add(e.arg)
        formals = e.formals.formals if e.formals is not None else ()
        names.update(f.name for f in formals)
        inner = (names, scope)
        out = [(f.default, inner) for f in _in_order(formals, symbols) if f.default is not None]
        return out + [(e.body, inner)]
    if t is ast.With:
        return [(e.env, scope), (e.body, (None, scope))]
    if t is ast.List:
        return [(i, scope) for i in e.items]
    if t is ast.ConcatStrings:
        return [(p, scope) for p in e.parts]
    if t is ast.BinaryOp:
        return [(e.lhs, scope), (e.rhs, scope)]
    if t is ast.If:
        return [(e.cond, scope), (e.then, scope), (e.else_, scope)]
    if t is ast.Assert:
        return [(e.cond, scope), (e.body, scope)]
    if t is ast.Not:
        return [(e.expr, scope)]
    return []


def check_scope(expr: ast.Expr, base_names: frozenset[str] = BASE_NAMES, symbols: dict | None = None) -> None:
    """Raise UndefinedVarError for the first variable (in Nix's order) bound nowhere.

    `symbols` (from the parser) orders the bindings as Nix visits them.
    Most programs have no undefined variable: a first pass looks for one in
    any order, and only if there is one does a second find the first in Nix's.
    """
    if _first_undefined(expr, base_names, None) is None:
        return
    var = _first_undefined(expr, base_names, symbols if symbols is not None else {})
    raise UndefinedVarError(f"undefined variable '{var.name}'", var.pos)


def _first_undefined(expr: ast.Expr, base_names: frozenset[str], symbols: dict | None):
    """The first variable bound nowhere, visiting in Nix's order unless symbols is None."""
    work = [(expr, (base_names, None))]
    pop, push, push_all = work.pop, work.append, work.extend
    var, call, leaves = ast.Var, ast.Call, _LEAVES
    while work:
        e, scope = pop()
        kind = type(e)
        if kind is var:
            if not _lookup_ok(e.name, scope):
                return e
        elif kind is call:  # (the commonest inner node: its children without a list)
            args = e.args
            for i in range(len(args) - 1, -1, -1):
                push((args[i], scope))
            push((e.fn, scope))
        elif kind not in leaves:
            children = _children(e, scope, symbols)
            children.reverse()
            push_all(children)
    return None


# Nodes without subexpressions.
_LEAVES = frozenset((ast.Int, ast.Float, ast.Str, ast.Path, ast.CurPos))
