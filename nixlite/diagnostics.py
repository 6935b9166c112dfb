"""Rendering errors for people, in the shape Nix prints them.

    error: attribute 'a' missing

           at /tmp/c.nix:2:10:

                1| let
                2|   f = x: x.a;
                 |          ^
                3|
           Did you mean b?

Errors are data (`nixlite.eval.errors`); this module only turns one into
text. With colour (a terminal, and NO_COLOR unset) the snippet is highlighted
with pygments' Nix lexer, `error:` is red and the arguments of a message built
with `hintfmt` are magenta, as Nix does.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from nixlite.eval.errors import NixError

_INDENT = " " * 7
_RED = "\x1b[31;1m"
_MAGENTA = "\x1b[35;1m"
_BLUE = "\x1b[34;1m"
_RESET = "\x1b[0m"

# Text of files already read for snippets, so long traces read each file once.
_source_cache: dict[str, list[str] | None] = {}
# Sources that are not files («string», «stdin») are registered by the CLI.
_virtual_sources: dict[str, str] = {}


def register_source(name: str, text: str) -> None:
    """Make the text of a non-file source («string», «stdin») available for snippets."""
    _virtual_sources[name] = text
    _source_cache.pop(name, None)


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal and only when NO_COLOR is not set."""
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def _source_lines(file: str) -> list[str] | None:
    if file not in _source_cache:
        text = _virtual_sources.get(file)
        if text is None:
            try:
                with open(file, encoding="utf-8", errors="replace") as f:
                    text = f.read()
            except OSError:
                text = None
        # Like reading lines with getline, a final newline does not start another line.
        _source_cache[file] = None if text is None else text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
    return _source_cache[file]


def _highlight(line: str) -> str:
    try:
        from pygments import highlight
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import NixLexer

        return highlight(line, NixLexer(), TerminalFormatter()).rstrip("\n")
    except Exception:  # highlighting is cosmetic; never let it hide the error
        return line


def snippet(pos: Any, colour: bool = False) -> str:
    """The `at FILE:L:C:` block with the line before, the line, a caret and the line after."""
    where = f"{pos.file}:{pos.line}:{pos.col}"
    if colour:  # as Nix: "at" in blue, the position in magenta
        where = f"{_BLUE}at {_MAGENTA}{where}{_RESET}"
    else:
        where = "at " + where
    out = [f"{_INDENT}{where}:", ""]
    lines = _source_lines(pos.file)
    if lines is None or not (1 <= pos.line <= len(lines)):
        return "\n".join(out[:1])
    for n in range(max(1, pos.line - 1), min(len(lines), pos.line + 1) + 1):
        text = lines[n - 1].replace("\t", " ").rstrip()  # Nix trims trailing blanks
        if colour and text:
            text = _highlight(text)
        out.append(f"{n:>13}|" + (" " + text if text else ""))
        if n == pos.line:
            caret = "^"
            if colour:
                caret = _RED + caret + _RESET
            out.append(" " * 13 + "|" + " " * pos.col + caret)
    # Nix shows the line after only when it exists in the source.
    return "\n".join(out)


def _shown(text: Any, colour: bool) -> str:
    """A message as printed: on a terminal, a HintText shows its arguments highlighted."""
    return str(getattr(text, "coloured", text) if colour else text)


def render(err: NixError, show_trace: bool = False, colour: bool = False) -> str:
    """The full text Nix would print for `err` (without a trailing newline)."""
    head = f"{_RED}error:{_RESET} " if colour else "error: "
    parts = [head + _shown(err.message, colour)]
    # Nix ends a source snippet with a line break of its own, but not a bare
    # `at FILE:L:C:` line (a file it cannot read): only after a snippet does a
    # blank line come before the next frame.
    bare_at = False
    if err.pos is not None:
        block = snippet(err.pos, colour)
        parts += ["", block]
        bare_at = "\n" not in block
    if err.hint:
        parts.append(_INDENT + _shown(err.hint, colour))
        bare_at = False
    if err.trace and not show_trace:
        # Nix mentions hidden frames with this line (after the hint, no blank line).
        parts.append("(use '--show-trace' to show detailed location information)")
    if show_trace:
        for pos, message in err.trace:
            if not bare_at:
                parts.append("")
            # (Nix 2.8 leaves the "…" plain and colours the frame's arguments)
            parts.append(f"{_INDENT}… {_shown(message, colour)}")
            bare_at = False
            if pos is not None:
                block = snippet(pos, colour)
                parts += ["", block]
                bare_at = "\n" not in block
    return "\n".join(parts)


def report(err: NixError, show_trace: bool = False, stream: TextIO | None = None) -> None:
    """Print `err` to stderr (or `stream`) as Nix does."""
    stream = stream or sys.stderr
    stream.write(render(err, show_trace, use_colour(stream)) + "\n")
    stream.flush()
