"""Parsing Nix source text into the AST: `parse` and `parse_file`.

The pipeline is lexer (nixlite/syntax/lexer.py) → LALR driver (here, over
the tables Lark computes from grammar/nix.lark, see tables.py) → grammar
actions (builder.py) → static scope check (scope.py). The driver is a plain
loop with explicit stacks, so that 10,000 nested brackets need no Python
recursion, and it keeps for each stack entry the offset where its text
starts — bison's locations, from which Nix takes every node's position.

Syntax errors are reported in bison's words (syntax_errors.py).
"""

from __future__ import annotations

import gc
import os
from typing import NamedTuple

from nixlite.eval.errors import ParseError
from nixlite.syntax import ast
from nixlite.syntax import tables as _tables_module
from nixlite.syntax.builder import Builder
from nixlite.syntax.lexer import Lexer

_TABLES = _tables_module.load()
_STATES: list = _TABLES["STATES"]
_START: int = _TABLES["START"]
_END: int = _TABLES["END"]
_RULES: list = _TABLES["RULES"]
# Bison's stack limit (YYMAXDEPTH): Nix rejects ~10,000 nested brackets with
# "memory exhausted"; nixlite stops at the same depth with the same message.
_MAX_DEPTH = 9998
_NON_ASSOC = frozenset(("EQ", "NEQ", "LT", "GT", "LEQ", "GEQ"))


# Pass-through reductions (`?rule` with one child) only replace the top state,
# and the state they end in depends only on the state below, the top state
# and the lookahead: chains of them (an atom climbs ~18 precedence levels)
# are followed once and remembered.
_UNIT_CHAINS: dict = {}


def _unit_chain(below: int, top: int, ttype: str, rules: list) -> int:
    states = _STATES
    state = top
    while True:
        action = states[state].get(ttype)
        if action is None or action >= 0:
            return state
        origin, n, callback = rules[~action]
        if n != 1 or callback is not None:
            return state
        state = states[below][origin]


def _default_reduction(row: dict):
    """The reduction bison takes without looking at the next token, if this state has one.

    A state whose only action is one reduction is reduced by bison before it
    reads the lookahead; its semantic action (e.g. a duplicate-attribute
    check) then runs before a syntax error in the next token is noticed.
    """
    actions = set(row[t] for t in row if t.isupper() or t == "$END")
    if len(actions) == 1:
        (action,) = actions
        if action < 0:
            return action
    return None


# Actions that read `builder.prev_end`, the end of the token before the rule
# (for these rules that symbol is always a token).
_NEEDS_PREV_END = frozenset(("binds_one", "names_none", "parts_none", "formals_none"))


def _run(tokens, builder: Builder, lexer: Lexer):
    """Drive the LALR automaton over `tokens`, calling the builder's actions."""
    states = _STATES
    rules = [(origin, n, getattr(builder, name) if name else None, name in _NEEDS_PREV_END)
             for origin, n, name in _RULES]
    unit_chains = _UNIT_CHAINS
    end, max_depth = _END, _MAX_DEPTH
    state_stack = [_START]
    values: list = []  # tokens and built values
    starts: list = []  # where each one's text starts (bison's @n)
    push_state, push_value, push_start = state_stack.append, values.append, starts.append
    open_lists = 0  # bison's stack holds two entries per open `[` (it and the empty list)
    for tok in tokens:
        ttype = tok[0]
        while True:
            top = state_stack[-1]
            action = states[top].get(ttype)
            if action is None:
                action = _forced_reduction(tok, state_stack, builder)
                forced = True
            else:
                forced = False
            if action >= 0:
                push_state(action)
                push_value(tok)
                push_start(tok[2])
                if ttype == "LBRACKET":
                    open_lists += 1
                elif ttype == "RBRACKET":
                    open_lists -= 1
                if len(state_stack) + open_lists > max_depth:
                    raise ParseError("memory exhausted", builder.pos(tok[2]))
                break
            origin, n, callback, needs_prev_end = rules[~action]
            if n == 1:
                if callback is None:  # a pass-through rule: only the state changes
                    target = None if forced else unit_chains.get((state_stack[-2], top, ttype))
                    if target is None:
                        target = _unit_target(state_stack, top, ttype, origin, forced, unit_chains)
                    state_stack[-1] = target
                    continue
                # One child: replace the top entry in place (its start stays).
                if needs_prev_end:
                    builder.prev_end = values[-2][3]
                values[-1] = callback(starts[-1], values[-1])
                state_stack[-1] = states[state_stack[-2]][origin]
                if state_stack[-1] == end and ttype == "$END":
                    return values[-1]
                continue
            if n:
                # The first child's entry becomes the result's: its start is the rule's.
                if needs_prev_end:
                    builder.prev_end = values[-n - 1][3]
                # (plain calls for the common sizes: a call with *args is not inlined)
                if n == 3:
                    result = callback(starts[-3], values[-3], values[-2], values[-1])
                elif n == 2:
                    result = callback(starts[-2], values[-2], values[-1])
                else:
                    result = callback(starts[-n], *values[-n:])
                keep = 1 - n
                del values[keep:], starts[keep:], state_stack[keep:]
                values[-1] = result
                state_stack[-1] = states[state_stack[-2]][origin]
            else:
                start = builder.prev_end = values[-1][3] if values else 0
                push_value(callback(start))
                push_start(start)
                push_state(states[state_stack[-1]][origin])
    raise AssertionError("the token stream ended without $END")


def _forced_reduction(tok, state_stack: list, builder: Builder) -> int:
    """The action when the lookahead has none: bison's default reduction, or a syntax error."""
    # (%nonassoc operators are an error right where they stand in bison)
    action = None if tok[0] in _NON_ASSOC else _default_reduction(_STATES[state_stack[-1]])
    if action is None:
        from nixlite.syntax.syntax_errors import syntax_error

        raise syntax_error(tok, state_stack, builder, _STATES, _RULES, _END)
    return action


def _unit_target(state_stack: list, top: int, ttype: str, origin: str, forced: bool, chains: dict) -> int:
    """The state after a pass-through reduction (and the ones that follow it)."""
    below = state_stack[-2]
    if forced:
        return _STATES[below][origin]
    key = (below, top, ttype)
    target = chains.get(key)
    if target is None:
        target = chains[key] = _unit_chain(below, top, ttype, _RULES)
    return target


def _show(expr) -> str:
    from nixlite.syntax.printer import show

    return show(expr)


class Parsed(NamedTuple):
    """A parse result: the expression and the order in which its names were created."""

    expr: ast.Expr
    symbols: dict


def parse_source(text: str, file: str = "«string»", base_dir: str | None = None,
                 check_scope: bool = True, base_names: frozenset[str] | None = None) -> Parsed:
    """`parse`, also returning the symbol creation order (for the exact --parse printout)."""
    if base_dir is None:
        base_dir = os.getcwd()
    builder = Builder(text, file, base_dir, _show)
    lexer = Lexer(text, builder.pos)
    # The parse allocates many small objects and frees none: the cyclic
    # garbage collector would only rescan them again and again.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        expr = _run(lexer.tokens(), builder, lexer)
        if check_scope:
            from nixlite.syntax.scope import BASE_NAMES, check_scope as _check

            _check(expr, BASE_NAMES if base_names is None else base_names, symbols=builder.symbols)
    finally:
        if gc_was_enabled:
            # The tree is long-lived: file everything allocated meanwhile with
            # the oldest generation at once (freeze + unfreeze moves lists,
            # O(1)) instead of letting the next young collections walk it all.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
    return Parsed(expr, builder.symbols)


def parse(text: str, file: str = "«string»", base_dir: str | None = None, check_scope: bool = True,
          base_names: frozenset[str] | None = None) -> ast.Expr:
    """Parse Nix source `text`; relative paths resolve against base_dir (default: the cwd).

    Variables must be bound lexically or be in `base_names` (default:
    nixlite.syntax.scope.BASE_NAMES, Nix 2.8's base environment) unless
    check_scope is False. Raises ParseError (syntax and static errors) or
    UndefinedVarError, with the position.
    """
    return parse_source(text, file, base_dir, check_scope, base_names).expr


def read_source(path: str) -> str:
    """A source file's text; bytes that are not UTF-8 are kept (as surrogates)."""
    with open(path, "rb") as f:
        data = f.read()
    return data.decode("utf-8", "surrogateescape")


def resolve_expr_path(path: str) -> str:
    """The file Nix reads for `path` (resolveExprPath): symlinks followed, a directory's default.nix."""
    path = os.path.abspath(path)
    for _ in range(1024):  # a symlink cycle ends in an error below
        try:
            if not os.path.islink(path):
                break
            path = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
        except OSError:
            break
    if not os.path.lexists(path):
        raise ParseError(f"getting status of '{path}': No such file or directory")
    if os.path.isdir(path):
        path = os.path.join(path, "default.nix")
    return path


def parse_file(path: str) -> ast.Expr:
    """Parse a file as Nix does: a directory means its default.nix; paths resolve beside the file."""
    return parse_file_source(path).expr


def parse_file_source(path: str) -> Parsed:
    """`parse_file`, also returning the symbol creation order."""
    path = resolve_expr_path(path)
    try:
        text = read_source(path)
    except OSError as err:
        raise ParseError(f"opening file '{path}': {err.strerror}") from None
    return parse_source(text, path, os.path.dirname(path))
