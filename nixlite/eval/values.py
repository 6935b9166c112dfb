"""Nix values as Python objects: the closed set the evaluator and primops share.

    Nix        Python
    null       None
    bool       bool          (test bool before int: bool is an int in Python)
    int        int           (64-bit range enforced by arithmetic)
    float      float
    string     str           when it has no context
               ContextString when it carries string context
    path       PathValue
    list       list          (never mutated once built; elements may be Thunks)
    set        Attrs         (a dict subclass; values may be Thunks)
    function   Lambda (built by the evaluator), PrimOp, PrimOpApp
    (lazy)     Thunk         Suspended -> Blackhole -> Evaluated

Containers hold values or thunks; `force` turns either into a value. The
evaluator plugs in how lambdas are applied (`Lambda.apply` is set by the
evaluator's compiler); `call` is the one entry point primops use to call any
function value, including sets with `__functor`.

String context is a frozenset of strings in Nix's own encoding:
`/nix/store/…-x` (plain path), `=/nix/store/…drv` (whole derivation, "all
outputs"), `!out!/nix/store/…drv` (one output of a derivation).
"""

from __future__ import annotations

from typing import Any, Callable, Final

from nixlite.eval.errors import EvalError, InfiniteRecursion

EMPTY_CONTEXT: Final[frozenset[str]] = frozenset()


class ContextString:
    """A string that carries string context (store paths it depends on)."""

    __slots__ = ("s", "context")

    def __init__(self, s: str, context: frozenset[str]) -> None:
        self.s = s
        self.context = context

    def __repr__(self) -> str:
        return f"ContextString({self.s!r}, {sorted(self.context)!r})"

    def __eq__(self, other: object) -> bool:  # Nix equality ignores context
        if isinstance(other, ContextString):
            return self.s == other.s
        if isinstance(other, str):
            return self.s == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.s)


def make_string(s: str, context: frozenset[str] = EMPTY_CONTEXT) -> Any:
    """A Nix string value: plain `str` when the context is empty."""
    return ContextString(s, context) if context else s


def string_text(v: Any) -> str:
    """The characters of a string value (str or ContextString)."""
    return v if type(v) is str else v.s


def string_context(v: Any) -> frozenset[str]:
    """The context of a string value (empty for a plain str)."""
    return v.context if type(v) is ContextString else EMPTY_CONTEXT


class PathValue:
    """A Nix path value: an absolute, canonical file-system path."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"PathValue({self.path!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathValue) and other.path == self.path

    def __hash__(self) -> int:
        return hash(("path", self.path))


class Attrs(dict):  # type: ignore[type-arg]
    """A Nix attribute set: name -> value or Thunk.

    `positions` maps names to the source Pos of their definition (for
    `unsafeGetAttrPos` and error messages); None when the set was built by a
    primop and nothing is known.
    """

    __slots__ = ("positions",)

    def __init__(self, *args: Any, positions: dict[str, Any] | None = None) -> None:
        super().__init__(*args)
        self.positions = positions


class SetPositions(dict):  # type: ignore[type-arg]
    """`Attrs.positions` of a set written in the source, also knowing where the set itself is.

    Nix keeps a position per set (the `{`) for sets the parser made, and none
    for sets built otherwise (`//` of two non-empty sets, listToAttrs, …);
    some errors point there (`attribute 'x' missing for call to 'getAttr'`).
    Kept on the positions dict, which the compiler makes once per set
    literal, so that building a set costs nothing more; copying it as a plain
    dict (as `//` does) forgets the set's position, as in Nix.
    """

    __slots__ = ("set_pos", "force_order")

    def __init__(self, positions: dict[str, Any], set_pos: Any) -> None:
        super().__init__(positions)
        self.set_pos = set_pos
        # The names in the order --strict forces them (nixlite.eval.strict),
        # worked out once for every set the literal builds.
        self.force_order: list[str] | None = None

    def copy(self) -> "SetPositions":
        return SetPositions(self, self.set_pos)


def set_position(s: Attrs) -> Any:
    """Where the set `s` was written, or None when it was not written as such."""
    positions = s.positions
    return positions.set_pos if type(positions) is SetPositions else None


class Thunk:
    """A suspended computation, forced at most once.

    `code(env)` computes the value; while it runs the thunk is a blackhole
    (forcing it again means infinite recursion); afterwards `value` holds the
    result and `code` is None.
    """

    __slots__ = ("code", "env", "value", "pos")

    _BLACKHOLE: Final = object()

    def __init__(self, code: Callable[[Any], Any], env: Any, pos: Any = None) -> None:
        self.code = code
        self.env = env
        self.value: Any = None
        self.pos = pos

    @classmethod
    def ready(cls, value: Any) -> "Thunk":
        """A thunk that is already evaluated (useful where a Thunk is required)."""
        t = cls.__new__(cls)
        t.code = None
        t.env = None
        t.value = value
        t.pos = None
        return t

    def force(self) -> Any:
        code = self.code
        if code is None:
            return self.value
        if code is _BLACKHOLE:
            raise InfiniteRecursion(self.pos)
        self.code = _BLACKHOLE
        try:
            v = code(self.env)
            while type(v) is Thunk:  # a thunk may evaluate to another thunk
                v = v.force()
        except BaseException:
            # Leave the thunk re-forceable: tryEval may catch the error, and a
            # later force must raise it again rather than report recursion.
            self.code = code
            raise
        self.value = v
        self.code = None
        self.env = None
        return v


_BLACKHOLE: Final = Thunk._BLACKHOLE


def force(v: Any) -> Any:
    """The value of `v`, forcing it if it is a thunk."""
    return v.force() if type(v) is Thunk else v


class PrimOp:
    """A builtin function of `arity` arguments implemented in Python.

    `fn(*args)` receives the arguments as given (thunks or values) for the
    positions listed in `lazy`, forced values for the others.
    """

    __slots__ = ("name", "arity", "fn", "lazy")

    def __init__(self, name: str, arity: int, fn: Callable[..., Any], lazy: frozenset[int] = frozenset()) -> None:
        self.name = name
        self.arity = arity
        self.fn = fn
        self.lazy = lazy

    def __repr__(self) -> str:
        return f"<PRIMOP {self.name}>"


class PrimOpApp:
    """A primop applied to fewer arguments than its arity."""

    __slots__ = ("primop", "args")

    def __init__(self, primop: PrimOp, args: tuple[Any, ...]) -> None:
        self.primop = primop
        self.args = args


class Lambda:
    """A closure: compiled body plus captured environment.

    The evaluator defines the concrete subclass and its `apply`; this base
    exists so that type checks (`isFunction`, printing, equality) need not
    import the evaluator.
    """

    __slots__ = ()

    def apply(self, arg: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


def _load_apply(fn: Any, arg: Any, pos: Any) -> Any:
    global _apply_one
    from nixlite.eval.apply import apply_one  # the evaluator provides application

    _apply_one = apply_one
    return apply_one(fn, arg, pos)


# Set to `nixlite.eval.apply.apply_one` when that module loads (hot path of
# every builtin that calls a function: no import statement per call).
_apply_one: Callable[[Any, Any, Any], Any] = _load_apply


def call(fn: Any, *args: Any) -> Any:
    """Apply a function value to arguments (thunks or values) and return the forced result."""
    if type(fn) is Thunk:
        fn = fn.force()
    for arg in args:
        fn = _apply_one(fn, arg, None)
    return fn


def type_name(v: Any) -> str:
    """The Nix type name used in error messages ('a set', 'an integer', …).

    Builtins are named as Nix 2.8 names them: `the built-in function 'map'`,
    `the partially applied built-in function 'map'`.
    """
    t = type(v)
    if t is PrimOp:
        return f"the built-in function '{v.name}'"
    if t is PrimOpApp:
        return f"the partially applied built-in function '{v.primop.name}'"
    return _TYPE_NAMES.get(t) or ("a function" if isinstance(v, Lambda) else "an unknown value")


_TYPE_NAMES: Final[dict[type, str]] = {
    type(None): "null",
    bool: "a Boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    ContextString: "a string",
    PathValue: "a path",
    list: "a list",
    Attrs: "a set",
    PrimOp: "a built-in function",
    PrimOpApp: "a partially applied built-in function",
    Thunk: "a thunk",
}


def type_of(v: Any) -> str:
    """`builtins.typeOf`: null, bool, int, float, string, path, list, set, lambda."""
    t = type(v)
    if t is bool:
        return "bool"
    if t is int:
        return "int"
    return _TYPE_OF.get(t) or "lambda"


_TYPE_OF: Final[dict[type, str]] = {
    type(None): "null",
    float: "float",
    str: "string",
    ContextString: "string",
    PathValue: "path",
    list: "list",
    Attrs: "set",
}

__all__ = [
    "EMPTY_CONTEXT", "ContextString", "make_string", "string_text", "string_context",
    "PathValue", "Attrs", "SetPositions", "set_position", "Thunk", "force", "PrimOp", "PrimOpApp", "Lambda", "call",
    "type_name", "type_of", "EvalError",
]
