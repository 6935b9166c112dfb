"""Indented strings `'' … ''`: Nix's indentation stripping (`stripIndentation`).

The lexer hands over the pieces of an indented string: literal text
(`(text, True)`), escapes such as `''$` or `'''` (`(text, False)`: they
never count as indentation), and interpolated expressions. The smallest
indentation of the lines is found, ignoring lines that are only spaces, and
that many spaces are dropped at the start of every line; an interpolation or
an escape ends the leading whitespace of its line. A final line made only of
spaces is removed when it is in the last piece.
"""

from __future__ import annotations

from typing import Callable

_NO_INDENT = 1_000_000


def _min_indent(pieces: list) -> int:
    at_line_start = True
    min_indent = _NO_INDENT
    cur = 0
    for piece in pieces:
        if not isinstance(piece, tuple) or not piece[1]:
            if at_line_start:
                at_line_start = False
                min_indent = min(min_indent, cur)
            continue
        for c in piece[0]:
            if at_line_start:
                if c == " ":
                    cur += 1
                elif c == "\n":
                    cur = 0  # an empty line does not count
                else:
                    at_line_start = False
                    min_indent = min(min_indent, cur)
            elif c == "\n":
                at_line_start = True
                cur = 0
    return min_indent


def strip_indentation(pieces: list, make_string: Callable[[str, object], object]) -> list:
    """The parts of the string after stripping: expressions as given, text via make_string(text, piece)."""
    min_indent = _min_indent(pieces)
    out = []
    at_line_start = True
    dropped = 0
    remaining = len(pieces)
    for piece in pieces:
        if not isinstance(piece, tuple):
            at_line_start = False
            dropped = 0
            out.append(piece)
            remaining -= 1
            continue
        kept = []
        for c in piece[0]:
            if at_line_start:
                if c == " ":
                    if dropped >= min_indent:
                        kept.append(c)
                    dropped += 1
                elif c == "\n":
                    dropped = 0
                    kept.append(c)
                else:
                    at_line_start = False
                    dropped = 0
                    kept.append(c)
            else:
                kept.append(c)
                if c == "\n":
                    at_line_start = True
        text = "".join(kept)
        if remaining == 1:  # drop a last line of spaces only
            cut = text.rfind("\n")
            if cut != -1 and text[cut + 1:].strip(" ") == "":
                text = text[:cut + 1]
        out.append(make_string(text, piece))
        remaining -= 1
    return out
