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

import re
from typing import Callable

_NO_INDENT = 1_000_000
# (both loops below go a line at a time: spaces, then the rest of the line)
_SPACES = re.compile(" *")


def _min_indent(pieces: list) -> int:
    at_line_start = True
    min_indent = _NO_INDENT
    cur = 0
    skip_spaces = _SPACES.match
    for piece in pieces:
        if not isinstance(piece, tuple) or not piece[1]:
            if at_line_start:
                at_line_start = False
                min_indent = min(min_indent, cur)
            continue
        text = piece[0]
        n = len(text)
        i = 0
        while i < n:
            if at_line_start:
                j = skip_spaces(text, i).end()
                cur += j - i
                if j == n:
                    break
                if text[j] == "\n":
                    cur = 0  # an empty line does not count
                    i = j + 1
                    continue
                at_line_start = False
                min_indent = min(min_indent, cur)
                i = j
            k = text.find("\n", i)
            if k == -1:
                break
            at_line_start = True
            cur = 0
            i = k + 1
    return min_indent


def strip_indentation(pieces: list, make_string: Callable[[str, object], object]) -> list:
    """The parts of the string after stripping: expressions as given, text via make_string(text, piece)."""
    min_indent = _min_indent(pieces)
    skip_spaces = _SPACES.match
    out = []
    at_line_start = True
    dropped = 0  # spaces met so far at the start of this line
    remaining = len(pieces)
    for piece in pieces:
        remaining -= 1
        if not isinstance(piece, tuple):
            at_line_start = False
            dropped = 0
            out.append(piece)
            continue
        text = piece[0]
        n = len(text)
        kept = []
        i = 0
        while i < n:
            if at_line_start:
                j = skip_spaces(text, i).end()
                # the spaces beyond the first min_indent of the line are kept
                keep = dropped + (j - i) - max(dropped, min_indent)
                if keep > 0:
                    kept.append(" " * keep)
                dropped += j - i
                if j == n:
                    break
                dropped = 0
                if text[j] == "\n":
                    kept.append("\n")
                    i = j + 1
                    continue
                at_line_start = False
                i = j
            k = text.find("\n", i)
            if k == -1:
                kept.append(text[i:])
                break
            kept.append(text[i:k + 1])
            at_line_start = True
            i = k + 1
        text = "".join(kept)
        if remaining == 0:  # drop a last line of spaces only
            cut = text.rfind("\n")
            if cut != -1 and text[cut + 1:].strip(" ") == "":
                text = text[:cut + 1]
        out.append(make_string(text, piece))
    return out
