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

from nixlite.eval.errors import ParseError, hintfmt, syserror_text
from nixlite.syntax import ast
from nixlite.syntax import automaton as _automaton
from nixlite.syntax.automaton import EMPTY, REDUCE, UNIT, UNIT_PREV, UNIT_SHIFT
from nixlite.syntax.builder import Builder
from nixlite.syntax.lexer import Lexer

# Below this many entries the driver's stack is far from Nix's stack limit
# of 9,999 items (the most bison spends per entry of nixlite's is 3, for
# `{}: {}: …`, see bison_depth.py); deeper, the parse is redone knowing
# where Nix's stack runs out.
_DEEP = 2000
_AUTOMATON = _automaton.Automaton()


# The automaton's plans with Builder's functions in place of action names,
# bound once per process (the driver passes the builder as the first
# argument), not once per parse: a parse of a small file must not pay for
# the hundreds of plans the automaton has memoised.
_BOUND_PLANS: list = []


def _bind_callback(names: tuple):
    """One function `(builder, start, value)` doing the actions of a chain of one-child rules, in order."""
    if not names:
        return None
    fused = getattr(Builder, "__".join(names), None) if len(names) > 1 else None
    if fused is not None:  # a builder method doing the whole chain at once
        return fused
    functions = [getattr(Builder, name) for name in names]
    if len(functions) == 1:
        return functions[0]

    def chain(builder, start, value):
        for function in functions:
            value = function(builder, start, value)
        return value

    return chain


def _bind_plan(plan: tuple) -> tuple:
    """A plan of the automaton with its action names replaced by Builder's functions."""
    kind, a, b, c = plan
    if kind == REDUCE or kind == EMPTY:
        return (kind, getattr(Builder, a), b, c)
    return (kind, _bind_callback(a), b, c)


def _bound_plans() -> list:
    """_BOUND_PLANS, caught up with the plans the automaton has made so far."""
    plans = _BOUND_PLANS
    for plan in _AUTOMATON.plans[len(plans):]:
        plans.append(_bind_plan(plan))
    return plans


def _run(tokens, builder: Builder, deep: int = _DEEP):
    """Drive the LALR automaton over `tokens`, calling the builder's actions.

    The stack holds pairs of states (see automaton.py); `values` the tokens
    and built values, `starts` where each one's text starts (bison's @n).
    A reduction's result takes the place of its first child, whose start
    is the rule's.
    """
    automaton = _AUTOMATON
    rows = automaton.rows
    plans = _bound_plans()
    stack = [automaton.start_pair]
    values: list = []
    starts: list = []
    push_pair, push_value, push_start = stack.append, values.append, starts.append
    for tok in tokens:
        ttype = tok[0]
        while True:
            try:  # (a subscript is cheaper than .get(); a miss happens once per pair and token type)
                action = rows[stack[-1]][ttype]
            except KeyError:
                action = _new_action(tok, stack, builder)
            if action < 0:
                kind, a, b, c = plans[~action]
                if kind == UNIT_SHIFT:
                    # One-child reductions (a), then the shift: the top entry's start stays.
                    if a is not None:
                        values[-1] = a(builder, starts[-1], values[-1])
                    stack[-1] = b
                    action = c
                else:
                    if kind == REDUCE:
                        # (plain calls for the common sizes: a call with *args is not inlined)
                        if b == 2:
                            result = a(builder, starts[-2], values[-2], values[-1])
                        elif b == 3:
                            result = a(builder, starts[-3], values[-3], values[-2], values[-1])
                        else:
                            result = a(builder, starts[-b], *values[-b:])
                        keep = 1 - b
                        del values[keep:], starts[keep:], stack[keep:]
                        values[-1] = result
                        first = stack[-1]
                        try:
                            stack[-1] = rows[first][c]
                        except KeyError:
                            stack[-1] = automaton.replacement(first, c)
                    elif kind == UNIT or kind == UNIT_PREV:
                        if kind == UNIT_PREV:
                            builder.prev_end = values[-2][3]
                        if a is not None:
                            values[-1] = a(builder, starts[-1], values[-1])
                        stack[-1] = b
                    elif kind == EMPTY:
                        start = builder.prev_end = values[-1][3] if values else 0
                        push_value(a(builder, start))
                        push_start(start)
                        push_pair(b)
                    else:  # ACCEPT
                        return a(builder, starts[-1], values[-1]) if a is not None else values[-1]
                    continue
            push_pair(action)
            push_value(tok)
            push_start(tok[2])
            if len(stack) > deep:
                raise _DeepNesting
            break
    raise AssertionError("the token stream ended without $END")


def _new_action(tok, stack: list, builder: Builder) -> int:
    """The action for a pair and lookahead met for the first time (or a syntax error)."""
    automaton = _AUTOMATON
    action = automaton.action(stack[-1], tok[0])
    if action is None:
        from nixlite.syntax.syntax_errors import syntax_error

        state_stack = [automaton.pair_state[pair] for pair in stack]
        raise syntax_error(tok, state_stack, builder, _automaton.STATES, _automaton.RULES, _automaton.END)
    _bound_plans()
    return action


class _DeepNesting(Exception):
    """The driver's stack got deep enough for Nix's to overflow (see _parse_deep)."""


def _parse_deep(text: str, file: str, base_dir: str):
    """Parse again, stopping with "memory exhausted" where Nix's parser runs out of stack."""
    from itertools import islice

    from nixlite.syntax.bison_depth import overflow

    builder = Builder(text, file, base_dir, _show)
    tokens: list = []
    lex_error = None
    try:
        tokens.extend(Lexer(text, builder.pos).tokens())
    except ParseError as err:  # raised after the tokens before it, as the lexer does
        lex_error = err
    exhausted = overflow(tokens)

    def replay():
        yield from islice(tokens, exhausted[0] if exhausted else len(tokens))
        if exhausted:
            raise ParseError("memory exhausted", builder.pos(exhausted[1]))
        if lex_error is not None:
            raise lex_error

    return builder, _run(replay(), builder, deep=1 << 62)


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
        try:
            expr = _run(lexer.tokens(), builder)
        except _DeepNesting:
            builder, expr = _parse_deep(text, file, base_dir)
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
        raise ParseError(syserror_text(hintfmt("getting status of '{}'", path), "No such file or directory"))
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
        raise ParseError(syserror_text(hintfmt("opening file '{}'", path), err.strerror)) from None
    return parse_source(text, path, os.path.dirname(path))
