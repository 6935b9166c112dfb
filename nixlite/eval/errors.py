"""Evaluation errors as data: a kind, Nix's message, a position and a trace.

Each class corresponds to an error kind of Nix (`libexpr/nixexpr.hh`), so
that `tryEval` catches exactly what Nix catches (ThrownError and
AssertionError) and the CLI can render any of them the way Nix does
(`nixlite.diagnostics`). Errors never render themselves.

`pos` is a `nixlite.syntax.ast.Pos` or None. `trace` is a list of
`(pos, message)` frames, innermost first, added as the error propagates
(`add_trace`); `--show-trace` prints them as `… while evaluating …` lines.
"""

from __future__ import annotations

from typing import Any


class NixError(Exception):
    """Base of every error nixlite reports as `error: …` (parse, eval, store, build)."""

    def __init__(self, message: str, pos: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos
        self.trace: list[tuple[Any, str]] = []
        self.hint: str | None = None  # e.g. "Did you mean a?"

    # Errors Nix reports without a source position (throw, abort, some
    # builtins' messages) set this, so that `at` leaves them unpositioned.
    positionless = False

    def add_trace(self, pos: Any, message: str) -> "NixError":
        self.trace.append((pos, message))
        return self

    def at(self, pos: Any) -> "NixError":
        """Set the position if none is known yet (the innermost position wins)."""
        if self.pos is None and not self.positionless:
            self.pos = pos
        return self

    def unpositioned(self) -> "NixError":
        """Mark this error as one Nix reports without a position."""
        self.positionless = True
        return self


class ParseError(NixError):
    """A syntax error or a static error found while parsing (duplicate attribute, …)."""


class UndefinedVarError(NixError):
    """`undefined variable 'x'` (static, reported while parsing)."""


class EvalError(NixError):
    """A generic evaluation error."""


class TypeError_(EvalError):
    """`value is X while Y was expected` and other type mismatches."""


class MissingArgumentError(EvalError):
    """A function called without a required formal argument."""


class AssertionError_(EvalError):
    """A failed `assert` (catchable by tryEval)."""


class ThrownError(AssertionError_):
    """`throw` (catchable by tryEval; a subclass of AssertionError as in Nix)."""

    positionless = True


class Abort(EvalError):
    """`abort`: evaluation aborted with a message (not catchable)."""

    positionless = True


class InfiniteRecursion(EvalError):
    """Forcing a value that is already being forced."""

    def __init__(self, pos: Any = None) -> None:
        super().__init__("infinite recursion encountered", pos)


class StackOverflow(EvalError):
    """Call depth beyond max-call-depth (current Nix wording)."""

    def __init__(self, pos: Any = None) -> None:
        super().__init__("stack overflow; max-call-depth exceeded", pos)


class RestrictedPathError(EvalError):
    """Access to a path that is not allowed."""
