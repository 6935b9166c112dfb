"""Builtins on strings: stringLength, substring, replaceStrings, toString, …

Nix strings are byte strings: `stringLength "é"` is 2 and `substring`
counts bytes. nixlite keeps strings as Python `str`, so these builtins work
on the UTF-8 bytes when a string is not pure ASCII (bytes that a cut leaves
invalid are kept as surrogate escapes and written back out unchanged).

Every builtin that builds a string from others keeps their context (the
union of what went in), as Nix does: substring, replaceStrings,
concatStringsSep, toString, baseNameOf, dirOf.
"""

from __future__ import annotations

import re
from typing import Any

from nixlite.eval.coerce import coerce_to_string, force_list, force_string_ctx, force_int
from nixlite.eval.errors import EvalError
from nixlite.eval.values import PathValue, Thunk, force, make_string
from nixlite.primops.registry import primop


def to_bytes(s: str) -> bytes:
    """The bytes of a Nix string held as `str`."""
    return s.encode("utf-8", "surrogateescape")


def from_bytes(b: bytes) -> str:
    """Back from bytes; invalid UTF-8 survives as surrogate escapes."""
    return b.decode("utf-8", "surrogateescape")


@primop("stringLength", 1, state=True)
def string_length(state: Any, s: Any) -> int:
    text, _ = coerce_to_string(state, s)
    return len(text) if text.isascii() else len(to_bytes(text))


@primop("substring", 3, state=True)
def substring(state: Any, start: Any, length: Any, s: Any) -> Any:
    first = force_int(start)
    count = force_int(length)
    text, ctx = coerce_to_string(state, s)
    if first < 0:
        raise EvalError("negative start position in 'substring'")
    # A negative length means "to the end" (Nix passes it on as a huge size_t).
    end = None if count < 0 else first + count
    if text.isascii():
        return make_string(text[first:end], ctx)
    return make_string(from_bytes(to_bytes(text)[first:end]), ctx)


@primop("replaceStrings", 3)
def replace_strings(from_: Any, to: Any, s: Any) -> Any:
    patterns = force_list(from_)
    replacements = force_list(to)
    if len(patterns) != len(replacements):
        raise EvalError("'from' and 'to' arguments to 'replaceStrings' have different lengths")
    froms = [force_string_ctx(p)[0] for p in patterns]
    text, ctx = force_string_ctx(s)
    context = set(ctx)
    # Replacements are forced only when used (current Nix; 2.8 forced them all).
    cache: dict[int, str] = {}

    def replacement(i: int) -> str:
        if i not in cache:
            r, rctx = force_string_ctx(replacements[i])
            cache[i] = r
            context.update(rctx)
        return cache[i]

    # Valid UTF-8 patterns only match at character boundaries, so the text can be
    # searched as characters unless an empty pattern inserts between bytes.
    if "" in froms:
        result = _replace_scan(text, froms, replacement)
    else:
        result = _replace_regex(text, froms, replacement)
    return make_string(result, frozenset(context))


def _replace_regex(text: str, froms: list[str], replacement: Any) -> str:
    """Without an empty pattern, Nix's scan is an alternation in list order (first match wins)."""
    if not froms:
        return text
    index = {f: i for i, f in reversed(list(enumerate(froms)))}
    rx = re.compile("(" + "|".join(re.escape(f) for f in froms) + ")")
    parts = rx.split(text)  # the matched patterns land at the odd positions
    matched = parts[1::2]
    table = {f: replacement(index[f]) for f in dict.fromkeys(matched)}  # only those used, in order
    parts[1::2] = [table[f] for f in matched]
    return "".join(parts)


def _replace_scan(text: str, froms: list[str], replacement: Any) -> str:
    """Nix's algorithm over bytes: at each position the first matching pattern wins;
    an empty pattern matches everywhere, including after the last character."""
    data = to_bytes(text)
    pats = [to_bytes(f) for f in froms]
    out: list[bytes] = []
    p = 0
    n = len(data)
    while p <= n:
        for i, pat in enumerate(pats):
            if data.startswith(pat, p):
                out.append(to_bytes(replacement(i)))
                if pat:
                    p += len(pat)
                else:
                    out.append(data[p:p + 1])
                    p += 1
                break
        else:
            out.append(data[p:p + 1])
            p += 1
    return from_bytes(b"".join(out))


@primop("concatStringsSep", 2, state=True)
def concat_strings_sep(state: Any, sep: Any, items: Any) -> Any:
    separator, ctx = force_string_ctx(sep)
    context = set(ctx)
    parts = []
    for item in force_list(items):
        if type(item) is Thunk:
            item = item.force()
        if type(item) is str:  # the common case, without the general coercion
            parts.append(item)
            continue
        text, ictx = coerce_to_string(state, item)
        parts.append(text)
        context.update(ictx)
    return make_string(separator.join(parts), frozenset(context))


@primop("toString", 1, state=True, global_=True)
def to_string(state: Any, v: Any) -> Any:
    t = type(v)
    if t is str:  # the common cases, without the general coercion
        return v
    if t is int:
        return str(v)
    text, ctx = coerce_to_string(state, v, copy_to_store=False, coerce_more=True)
    return make_string(text, ctx)


def base_name(path: str) -> str:
    """Nix's baseNameOf: the last component, ignoring one trailing slash."""
    if not path:
        return ""
    last = len(path) - 1
    if path[last] == "/" and last > 0:
        last -= 1
    start = path.rfind("/", 0, last + 1) + 1
    return path[start:last + 1]


def dir_name(path: str) -> str:
    """Nix's dirOf: everything before the last slash ("." without one, "/" for the root)."""
    pos = path.rfind("/")
    if pos == -1:
        return "."
    return "/" if pos == 0 else path[:pos]


@primop("baseNameOf", 1, state=True, global_=True)
def base_name_of(state: Any, v: Any) -> Any:
    text, ctx = coerce_to_string(state, v, copy_to_store=False)
    return make_string(base_name(text), ctx)


@primop("dirOf", 1, state=True, global_=True)
def dir_of(state: Any, v: Any) -> Any:
    v = force(v)
    text, ctx = coerce_to_string(state, v, copy_to_store=False)
    if type(v) is PathValue:
        return PathValue(dir_name(text))
    return make_string(dir_name(text), ctx)


__all__ = ["to_bytes", "from_bytes", "base_name", "dir_name"]
