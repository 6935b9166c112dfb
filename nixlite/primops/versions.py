"""Version strings: parseDrvName, splitVersion, compareVersions (Nix's algorithm).

A version splits into components at `.` and `-`; a component is a run of
digits or a run of other characters. Components compare numerically when
both are numbers; otherwise the empty component is older than a number,
`pre` is older than anything else, a word is older than a number
(`2.3a` < `2.3.1`), and two words compare by bytes. Numbers that do not
fit a C `int` count as words, as in Nix.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.coerce import force_string_no_ctx
from nixlite.eval.values import Attrs
from nixlite.primops.registry import primop

_INT_MAX = 2**31 - 1


def next_component(s: str, p: int) -> tuple[str, int]:
    """The component starting at or after `p` (separators skipped) and the position after it."""
    n = len(s)
    while p < n and s[p] in ".-":
        p += 1
    start = p
    if p < n and s[p].isdigit() and s[p].isascii():
        while p < n and s[p].isascii() and s[p].isdigit():
            p += 1
    else:
        while p < n and not (s[p].isascii() and s[p].isdigit()) and s[p] not in ".-":
            p += 1
    return s[start:p], p


def _as_int(c: str) -> int | None:
    if c and c.isascii() and c.isdigit() and int(c) <= _INT_MAX:
        return int(c)
    return None


def _component_less(c1: str, c2: str) -> bool:
    n1, n2 = _as_int(c1), _as_int(c2)
    if n1 is not None and n2 is not None:
        return n1 < n2
    if c1 == "" and n2 is not None:
        return True
    if c1 == "pre" and c2 != "pre":
        return True
    if c2 == "pre":
        return False
    if n2 is not None:
        return True
    if n1 is not None:
        return False
    return c1.encode("utf-8", "surrogateescape") < c2.encode("utf-8", "surrogateescape")


def compare_versions(v1: str, v2: str) -> int:
    """-1, 0 or 1 as Nix's compareVersions."""
    p1 = p2 = 0
    while p1 < len(v1) or p2 < len(v2):
        c1, p1 = next_component(v1, p1)
        c2, p2 = next_component(v2, p2)
        if _component_less(c1, c2):
            return -1
        if _component_less(c2, c1):
            return 1
    return 0


def split_version(v: str) -> list[str]:
    parts = []
    p = 0
    while p < len(v):
        c, p = next_component(v, p)
        if not c:
            break
        parts.append(c)
    return parts


@primop("compareVersions", 2)
def compare_versions_primop(a: Any, b: Any) -> int:
    return compare_versions(force_string_no_ctx(a), force_string_no_ctx(b))


@primop("splitVersion", 1)
def split_version_primop(v: Any) -> list[str]:
    return split_version(force_string_no_ctx(v))


def parse_drv_name(s: str) -> tuple[str, str]:
    """Name and version: split at the first `-` not followed by a letter."""
    for i, c in enumerate(s):
        if c == "-" and i + 1 < len(s) and not (s[i + 1].isascii() and s[i + 1].isalpha()):
            return s[:i], s[i + 1:]
    return s, ""


@primop("parseDrvName", 1)
def parse_drv_name_primop(s: Any) -> Attrs:
    name, version = parse_drv_name(force_string_no_ctx(s))
    return Attrs({"name": name, "version": version})
