"""Evaluation errors as data: a kind, Nix's message, a position and a trace.

Each class corresponds to an error kind of Nix (`libexpr/nixexpr.hh`), so
that `tryEval` catches exactly what Nix catches (ThrownError and
AssertionError) and the CLI can render any of them the way Nix does
(`nixlite.diagnostics`). Errors never render themselves.

`pos` is a `nixlite.syntax.ast.Pos` or None. `trace` is a list of
`(pos, message)` frames, innermost first, added as the error propagates
(`add_trace`); `--show-trace` prints them as `… while evaluating …` lines.

A message built with `hintfmt` is a `HintText`: a `str` equal to the plain
text (what every comparison, pipe and test sees) that also carries the
terminal rendering, in which Nix shows each argument in magenta bold.
"""

from __future__ import annotations

from typing import Any


# Nix's ANSI_WARNING / ANSI_BOLD / ANSI_NORMAL (libutil/ansicolor.hh).
_MAGENTA = "\x1b[35;1m"
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


class HintText(str):
    """Message text that equals its plain form and knows its coloured form (`coloured`)."""

    def __new__(cls, plain: str, coloured: str) -> "HintText":
        text = super().__new__(cls, plain)
        text.coloured = coloured
        return text

    def __reduce__(self):  # keep the coloured form through pickling/copying
        return (HintText, (str(self), self.coloured))


def _coloured(arg: Any) -> str:
    return getattr(arg, "coloured", None) or str(arg)


def hintfmt(fmt: str, *args: Any) -> HintText:
    """`fmt` with each `{}` filled by an argument, highlighted as Nix's hintfmt does (%N%)."""
    return HintText(fmt.format(*map(str, args)),
                    fmt.format(*(_MAGENTA + _coloured(a) + _RESET for a in args)))


def compose(fmt: str, *args: Any) -> HintText:
    """`fmt` filled with arguments that keep their own colouring but get no highlight
    (text Nix streams into a string before it becomes an argument, like a function's name)."""
    return HintText(fmt.format(*map(str, args)), fmt.format(*map(_coloured, args)))


def position_text(file: str, line: int, col: int) -> HintText:
    """`FILE:L:C` as Nix writes a position inside a message: the file name bold on a terminal."""
    return HintText(f"{file}:{line}:{col}", f"{_BOLD}{file}{_RESET}:{line}:{col}")


def syserror_text(what: str, strerror: str) -> HintText:
    """`WHAT: STRERROR` as Nix's SysError builds it: WHAT keeps its colours, the reason is an argument."""
    return compose("{}: {}", what, hintfmt("{}", strerror))


def system_error(what: str, path: str, strerror: str) -> "EvalError":
    """Nix's SysError about a file, e.g. `getting status of '/x': No such file or directory`:
    an evaluation error that carries no source position."""
    return EvalError(syserror_text(hintfmt(what + " '{}'", path), strerror)).unpositioned()  # type: ignore[return-value]


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
