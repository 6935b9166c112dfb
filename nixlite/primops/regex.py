"""`match` and `split` with POSIX extended regular expressions, as Nix runs them.

Nix compiles patterns with libstdc++'s `std::regex::extended`. This module
translates such a pattern into a Python `re` pattern over bytes (Nix matches
bytes, in the C locale) and reproduces the differences that show:

- `\\` may only escape the special characters `.[\\()*+?{|^$`; anything else
  (`\\d`, `\\]`, `\\n`) is an invalid regular expression, as is a `{` that does
  not start an interval and an unknown `[[:class:]]`;
- inside brackets a backslash is an ordinary character, `]` first is literal,
  and `[:alpha:]`-style classes are expanded to their C-locale byte sets;
- `.` matches any byte, newline included; `$` only at the very end;
- a quantifier after a quantifier applies to the quantified atom
  (`a+?` is `(a+)?`, never lazy, and `a*+` is not possessive);
- where a search (`split`) can match several alternatives of a `|` at the
  same position, libstdc++ keeps the longest one; Python keeps the first, so
  for patterns with `|` each match is extended to the longest end at which
  the pattern still matches.

`match` needs the whole string to match; there the first match in
backtracking order is libstdc++'s too. Compiled patterns are cached.
"""

from __future__ import annotations

import re
from typing import Any

from nixlite.eval.coerce import force_string_ctx, force_string_no_ctx
from nixlite.eval.errors import EvalError, hintfmt
from nixlite.primops import regex_nfa
from nixlite.primops.registry import primop
from nixlite.primops.strings import from_bytes, to_bytes

_ESCAPABLE = set(".[\\()*+?{|^$")
_QUANTIFIERS = set("*+?{")
_CLASSES: dict[str, str] = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "0-9a-zA-Z", "upper": "A-Z", "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v", "blank": " \\t", "xdigit": "0-9A-Fa-f", "cntrl": "\\x00-\\x1f\\x7f",
    "print": "\\x20-\\x7e", "graph": "\\x21-\\x7e", "w": "0-9a-zA-Z_",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
}
_INTERVAL = re.compile(r"\{(\d+)(,(\d*))?\}")


class _Invalid(Exception):
    pass


def _bracket(p: str, i: int) -> tuple[str, int]:
    """Translate the bracket expression starting at p[i] == '['; return it and the index after."""
    i += 1
    out = ["["]
    if i < len(p) and p[i] == "^":
        out.append("^")
        i += 1
    first = True
    while True:
        if i >= len(p):
            raise _Invalid
        c = p[i]
        if c == "]" and not first:
            return "".join(out) + "]", i + 1
        first = False
        if c == "[" and i + 1 < len(p) and p[i + 1] in ":.=":
            kind = p[i + 1]
            end = p.find(kind + "]", i + 2)
            if end < 0:
                raise _Invalid
            name = p[i + 2:end]
            if kind == ":":
                if name not in _CLASSES:
                    raise _Invalid
                out.append(_CLASSES[name])
            else:  # collating symbol / equivalence class of one character
                out.append(re.escape(name))
            i = end + 2
            continue
        if c == "-" and out[-1] not in ("[", "^") and i + 1 < len(p) and p[i + 1] != "]":
            out.append("-")
        else:
            out.append(re.escape(c))
        i += 1


def translate(p: str) -> str:
    """The Python pattern for a POSIX ERE (raises _Invalid when libstdc++ would reject it)."""
    # One entry per atom or operator: (text, kind), kind being "atom",
    # "quantified" (an atom with its quantifier), "open" or "op".
    out: list[tuple[str, str]] = []
    depth = 0
    i = 0
    while i < len(p):
        c = p[i]
        if c == "\\":
            if i + 1 >= len(p) or p[i + 1] not in _ESCAPABLE:
                raise _Invalid
            out.append((re.escape(p[i + 1]), "atom"))
            i += 2
        elif c == "[":
            atom, i = _bracket(p, i)
            out.append((atom, "atom"))
        elif c in _QUANTIFIERS:
            q, i = _quantifier(p, i)
            if not out or out[-1][1] in ("open", "op"):
                raise _Invalid
            text, kind = out.pop()
            if kind == "quantified":  # `a+?` is `(a+)?` in POSIX, never lazy or possessive
                text = "(?:" + text + ")"
            out.append((text + q, "quantified"))
        elif c == "(":
            depth += 1
            out.append(("(", "open"))
            i += 1
        elif c == ")":
            if depth == 0:
                raise _Invalid
            depth -= 1
            _close_group(out)
            i += 1
        else:
            special = {".": ("(?s:.)", "atom"), "$": (r"\Z", "op"), "^": ("^", "op"), "|": ("|", "op")}
            out.append(special.get(c, (re.escape(c), "atom")))
            i += 1
    if depth:
        raise _Invalid
    return "".join(text for text, _ in out)


def _quantifier(p: str, i: int) -> tuple[str, int]:
    if p[i] != "{":
        return p[i], i + 1
    m = _INTERVAL.match(p, i)
    if not m or (m.group(3) and int(m.group(3)) < int(m.group(1))):
        raise _Invalid
    return m.group(0), m.end()


def _close_group(out: list[tuple[str, str]]) -> None:
    """Fold everything since the matching '(' into one atom, so quantifiers apply to it."""
    j = len(out) - 1
    while out[j][1] != "open":
        j -= 1
    group = "(" + "".join(text for text, _ in out[j + 1:]) + ")"
    del out[j:]
    out.append((group, "atom"))


_cache: dict[str, tuple[re.Pattern[bytes], int | None]] = {}
_UNBOUNDED = 1 << 62
_CACHE_LIMIT = 4096


def compile_regex(pattern: str) -> tuple[re.Pattern[bytes], int | None]:
    """The compiled pattern, and for patterns with alternatives the longest match
    they can make (for longest-match searching; None without alternatives)."""
    hit = _cache.get(pattern)
    if hit is None:
        try:
            translated = to_bytes(translate(pattern))
            rx = re.compile(translated)
            longest = re._parser.parse(translated).getwidth()[1] if "|" in pattern else None  # type: ignore[attr-defined]
        except (_Invalid, re.error, OverflowError):
            raise EvalError(hintfmt("invalid regular expression '{}'", pattern)) from None
        hit = (rx, None if longest is None else min(longest, _UNBOUNDED))
        if len(_cache) >= _CACHE_LIMIT:  # patterns built at run time must not grow it forever
            _cache.clear()
        _cache[pattern] = hit
    return hit


def _groups(m: re.Match[bytes]) -> list[Any]:
    return [None if g is None else from_bytes(g) for g in m.groups()]


@primop("match", 2)
def match(regex: Any, s: Any) -> Any:
    rx, _ = compile_regex(force_string_no_ctx(regex))
    m = rx.fullmatch(to_bytes(force_string_ctx(s)[0]))
    return None if m is None else _groups(m)


def _longest_at(rx: re.Pattern[bytes], data: bytes, start: int, shortest: int,
                longest: int) -> re.Match[bytes] | None:
    """The longest match from `start` ending after `shortest` (libstdc++ prefers longer alternatives)."""
    anchored_end = b"\\Z" in rx.pattern  # \Z would also match at a shortened end
    for end in range(min(len(data), start + longest), shortest, -1):
        longer = rx.fullmatch(data, start, end)
        if longer is not None:
            return longer
        if anchored_end:
            break
    return None


def _search_longest(rx: re.Pattern[bytes], data: bytes, longest: int) -> Any:
    """The matches std::regex_iterator finds, taking the longest alternative at each start."""
    pos = 0
    n = len(data)
    while pos <= n:
        m = rx.search(data, pos)
        if m is None:
            return
        if m.end() - m.start() < longest:
            m = _longest_at(rx, data, m.start(), m.end(), longest) or m
        yield m
        # After an empty match the search goes on from the next byte (a longer
        # match at the same start would have been found above).
        pos = m.end() if m.end() > m.start() else m.end() + 1


# Subjects up to this size are searched by the libstdc++ re-enactment when the
# pattern has both alternation and repetition (where Python's answer may differ).
_NFA_MAX_SUBJECT = 2000
_programs: dict[str, regex_nfa.Program] = {}


def _bracket_bytes(text: str) -> frozenset[int]:
    translated, _ = _bracket(text, 0)
    rx = re.compile(to_bytes(translated))
    return frozenset(b for b in range(256) if rx.fullmatch(bytes((b,))))


def _nfa_matches(pattern: str, data: bytes) -> Any:
    prog = _programs.get(pattern)
    if prog is None:
        if len(_programs) >= _CACHE_LIMIT:
            _programs.clear()
        prog = _programs[pattern] = regex_nfa.Program(pattern, _bracket_bytes)
    for start, end, groups in regex_nfa.iterate(prog, data):
        yield start, end, [None if g is None else from_bytes(data[g[0]:g[1]]) for g in groups]


def _python_matches(rx: re.Pattern[bytes], longest: int | None, data: bytes) -> Any:
    for m in (rx.finditer(data) if longest is None else _search_longest(rx, data, longest)):
        yield m.start(), m.end(), _groups(m)


@primop("split", 2)
def split(regex: Any, s: Any) -> list[Any]:
    pattern = force_string_no_ctx(regex)
    rx, longest = compile_regex(pattern)
    text = force_string_ctx(s)[0]
    data = to_bytes(text)
    if longest is not None and any(q in pattern for q in "*+?{") and len(data) <= _NFA_MAX_SUBJECT:
        matches = _nfa_matches(pattern, data)
    else:
        matches = _python_matches(rx, longest, data)
    out: list[Any] = []
    prev_end = 0
    for start, end, groups in matches:
        out.append(from_bytes(data[prev_end:start]))
        out.append(groups)
        prev_end = end
    if not out:
        return [s]  # no match: the string itself, context included
    out.append(from_bytes(data[prev_end:]))
    return out
