"""The table of builtins, filled by the `@primop` decorator in each family module.

A family module (arith, attrs, lists, strings, …) declares each builtin once:

    @primop("substring", 3)
    def substring(start, length, s): ...

    @primop("seq", 2, lazy=(1,))            # argument 1 stays a thunk
    def seq(a, b): ...

    @primop("import", 1, state=True, global_=True)   # also a top-level name
    def import_(state, path): ...

Arguments are forced before the call except the positions listed in `lazy`.
`state=True` passes the evaluator's state object (search path, store, import
cache) as the first argument. At top level a builtin is visible as
`__name`, or, with `global_=True`, as plain `name` instead (like `map`,
`toString`, `import`, `true`): exactly one of the two, as in Nix.

Constants (`true`, `nixVersion`, …) are registered with `constant(...)`;
a constant whose value needs the state is given as a function of the state.

`make_builtins(state)` builds the `builtins` attribute set for one
evaluator state and returns it with the top-level names.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any, Callable

from nixlite.eval.values import Attrs, PrimOp


@dataclass(frozen=True)
class _Entry:
    name: str
    arity: int
    fn: Callable[..., Any]
    lazy: frozenset[int]
    needs_state: bool
    global_: bool


@dataclass(frozen=True)
class _Constant:
    name: str
    value: Any  # a value, or a function of the state when `from_state`
    from_state: bool
    global_: bool


_PRIMOPS: dict[str, _Entry] = {}
_CONSTANTS: dict[str, _Constant] = {}

# The family modules that register builtins; imported by make_builtins.
FAMILIES: tuple[str, ...] = (
    "arith", "types", "attrs", "lists", "strings", "control", "json", "toml", "xml",
    "hashing", "regex", "versions", "context", "paths", "imports", "derivation", "store",
)


def primop(name: str, arity: int, *, lazy: tuple[int, ...] = (), state: bool = False,
           global_: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a builtin function (see the module docstring)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in _PRIMOPS or name in _CONSTANTS:
            raise ValueError(f"builtin {name!r} registered twice")
        _PRIMOPS[name] = _Entry(name, arity, fn, frozenset(lazy), state, global_)
        return fn

    return register


def constant(name: str, value: Any, *, from_state: bool = False, global_: bool = False) -> None:
    """Register a builtin constant (see the module docstring)."""
    if name in _PRIMOPS or name in _CONSTANTS:
        raise ValueError(f"builtin {name!r} registered twice")
    _CONSTANTS[name] = _Constant(name, value, from_state, global_)


def _load_families() -> None:
    for family in FAMILIES:
        try:
            importlib.import_module(f"nixlite.primops.{family}")
        except ModuleNotFoundError as exc:
            # A family not written yet is simply absent; a broken import is a bug.
            if exc.name != f"nixlite.primops.{family}":
                raise


def make_builtins(state: Any) -> tuple[Attrs, dict[str, Any]]:
    """The `builtins` set for `state`, and the names visible at top level."""
    _load_families()
    builtins = Attrs()
    top: dict[str, Any] = {}
    for e in _PRIMOPS.values():
        fn = functools.partial(e.fn, state) if e.needs_state else e.fn
        op = PrimOp(e.name, e.arity, fn, e.lazy)
        builtins[e.name] = op
        top[e.name if e.global_ else "__" + e.name] = op
    for c in _CONSTANTS.values():
        v = c.value(state) if c.from_state else c.value
        builtins[c.name] = v
        top[c.name if c.global_ else "__" + c.name] = v
    builtins["builtins"] = builtins
    top["builtins"] = builtins
    return builtins, top
