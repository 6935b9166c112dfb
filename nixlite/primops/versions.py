"""Version strings: parseDrvName, splitVersion, compareVersions (Nix's algorithm).

A version splits into components at `.` and `-`; a component is a run of
digits or a run of other characters. Components compare numerically when
both are numbers; otherwise the empty component is older than a number,
`pre` is older than anything else, a word is older than a number
(`2.3a` < `2.3.1`), and two words compare by bytes. Numbers that do not
fit a C `int` count as words, as in Nix.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from nixlite.eval.coerce import force_string_no_ctx
from nixlite.eval.values import Attrs
from nixlite.primops.registry import primop

_INT_MAX = 2**31 - 1


# A component: a run of ASCII digits, or a run of anything but digits and separators.
_COMPONENT = re.compile(r"[0-9]+|[^0-9.\-]+")


def components(v: str) -> list[str]:
    """The components of a version, in order (Nix's nextComponent until the end)."""
    return _COMPONENT.findall(v)


def _as_int(c: str) -> int | None:
    # Digit runs that overflow a C int are not numbers for Nix (string2Int fails).
    if c[:1].isdigit() and c.isascii() and (len(c) < 10 or int(c) <= _INT_MAX):
        return int(c)
    return None


def _component_less(c1: str, c2: str, n1: int | None, n2: int | None) -> bool:
    """Nix's componentsLT; `n1`, `n2` are the components as numbers (None when not numbers)."""
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
    """-1, 0 or 1 as Nix's compareVersions (missing components compare as "")."""
    for c1, c2 in itertools.zip_longest(components(v1), components(v2), fillvalue=""):
        if c1 == c2:
            continue
        if len(c1) < 10 and len(c2) < 10 and c1.isdecimal() and c2.isdecimal() and c1.isascii() and c2.isascii():
            n1, n2 = int(c1), int(c2)  # two numbers (the common case, inline)
            if n1 != n2:
                return -1 if n1 < n2 else 1
            continue
        n1, n2 = _as_int(c1), _as_int(c2)  # once per pair, for both directions
        if _component_less(c1, c2, n1, n2):
            return -1
        if _component_less(c2, c1, n2, n1):
            return 1
    return 0


def split_version(v: str) -> list[str]:
    return components(v)


@primop("compareVersions", 2)
def compare_versions_primop(a: Any, b: Any) -> int:
    # Arguments arrive forced: plain strings (the common case) need no coercion.
    return compare_versions(a if type(a) is str else force_string_no_ctx(a),
                            b if type(b) is str else force_string_no_ctx(b))


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
