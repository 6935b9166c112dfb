"""The static scope check Nix 2.8 runs right after parsing: undefined variables.

Nix resolves variables lexically before evaluating anything (`bindVars`):
`let`, `rec { }`, function arguments and formals open scopes; a variable
found in none of them is looked up in the base environment of builtins
(`map`, `true`, `__sub`, …); anything under a `with` may come from the
`with` at run time, so it is accepted. Otherwise Nix stops with
"undefined variable 'x'" at the variable — and nixlite does the same.

Most programs have no undefined variable, so the check is two passes. The
first only asks whether there is one, in any order: it recurses (the
fastest way in Python), deferring subtrees more than _MAX_DEPTH levels down
to a list of its own (10,000 nested brackets must work without deep
recursion), and skips `with` bodies, where every variable resolves. Only if
it finds one does the second pass visit expressions in the order of Nix's
`bindVars`, with an explicit stack, so that of several undefined variables
the one Nix names is reported. Both take the scopes each node opens from
`_children`.
"""

from __future__ import annotations

from typing import Final

from nixlite.eval.errors import UndefinedVarError, hintfmt
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
    """
    if not _has_undefined(expr, base_names):
        return
    var = _first_undefined(expr, base_names, symbols if symbols is not None else {})
    raise UndefinedVarError(hintfmt("undefined variable '{}'", var.name), var.pos)


class _Undefined(Exception):
    """Raised by the first pass at a variable bound nowhere."""


# Nesting levels the first pass recurses before it defers a subtree (a level
# is one Python frame: the caller may itself be hundreds of frames deep).
_MAX_DEPTH = 200


def _has_undefined(expr: ast.Expr, base_names: frozenset[str]) -> bool:
    """Whether some variable is bound nowhere (the first pass: any order)."""
    deferred = [(expr, (base_names, None))]
    try:
        while deferred:
            e, scope = deferred.pop()
            _visit(e, scope, 0, deferred)
    except _Undefined:
        return True
    return False


def _visit(e: ast.Expr, scope, depth: int, deferred: list) -> None:
    """Raise _Undefined for a variable bound nowhere in `e`, or defer `e` if it is too deep."""
    kind = type(e)
    if kind is _Var:
        name = e.name
        while scope is not None:  # (_lookup_ok, inlined: most nodes are variables)
            names, scope = scope
            if names is None or name in names:
                return
        raise _Undefined
    if kind in _LEAVES:
        return
    if depth >= _MAX_DEPTH:
        deferred.append((e, scope))
        return
    depth += 1
    # Nodes whose subexpressions are all in the node's own scope (as in
    # _children), visited without building lists of them:
    if kind is _Call:
        _visit(e.fn, scope, depth, deferred)
        for arg in e.args:
            _visit(arg, scope, depth, deferred)
    elif kind is _BinaryOp:
        _visit(e.lhs, scope, depth, deferred)
        _visit(e.rhs, scope, depth, deferred)
    elif kind is _List:
        for item in e.items:
            _visit(item, scope, depth, deferred)
    elif kind is _ConcatStrings:
        for part in e.parts:
            _visit(part, scope, depth, deferred)
    elif kind is _Select:
        _visit(e.expr, scope, depth, deferred)
        if e.default is not None:
            _visit(e.default, scope, depth, deferred)
        for name in e.path:
            if not isinstance(name, str):
                _visit(name, scope, depth, deferred)
    elif kind is _AttrSet and not e.rec:
        for b in e.bindings:
            _visit(b.value, scope, depth, deferred)
        for d in e.dynamic:
            _visit(d.name, scope, depth, deferred)
            _visit(d.value, scope, depth, deferred)
    else:
        for child, child_scope in _children(e, scope, None):
            if child_scope[0] is not None:  # (a `with` body: every variable there resolves)
                _visit(child, child_scope, depth, deferred)


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
_Var, _Call, _BinaryOp, _List, _ConcatStrings, _AttrSet, _Select = ast.Var, ast.Call, ast.BinaryOp, ast.List, ast.ConcatStrings, ast.AttrSet, ast.Select
