"""Running cases through nix-instantiate (the oracle) and through nixlite in-process.

Value cases go to the oracle in one batch: a list whose elements are
`builtins.tryEval (let v = (CASE); in builtins.deepSeq v v)`, printed with
`--strict`, then split back into one printed element per case. nixlite
evaluates the very same batch text (so positions agree) and prints each
element separately, so that a failure in one case does not hide the others.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from nixlite import diagnostics
from nixlite.eval import functions
from nixlite.eval.errors import NixError
from nixlite.eval.printer import print_value
from nixlite.eval.state import EvalState
from nixlite.eval.strict import deep_force

sys.setrecursionlimit(max(sys.getrecursionlimit(), 200_000))
NIX_ENV = {**os.environ, "NO_COLOR": "1", "NIX_PATH": ""}


def batch_text(cases: list[str]) -> str:
    body = "\n".join(f"(builtins.tryEval (let v = ({c}\n); in builtins.deepSeq v v))" for c in cases)
    return "[\n" + body + "\n]"


def split_printed_list(text: str) -> list[str]:
    """Split `[ e1 e2 … ]` as printed by Nix into the element texts."""
    text = text.strip()
    assert text.startswith("[ ") and text.endswith("]"), text[:100]
    items, depth, cur, i, inner = [], 0, [], 0, text[2:-1]
    while i < len(inner):
        c = inner[i]
        if c == '"':
            j = i + 1
            while inner[j] != '"':
                j += 2 if inner[j] == "\\" else 1
            cur.append(inner[i:j + 1])
            i = j + 1
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        if c == " " and depth == 0:
            if cur:
                items.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    if cur:
        items.append("".join(cur))
    return items


def oracle_batch(cases: list[str], cwd: str) -> list[str]:
    r = subprocess.run(["nix-instantiate", "--eval", "--strict", "-E", batch_text(cases)], capture_output=True,
                       text=True, errors="surrogateescape", cwd=cwd, env=NIX_ENV, timeout=300)
    assert r.returncode == 0, r.stderr
    items = split_printed_list(r.stdout)
    assert len(items) == len(cases), (len(items), len(cases))
    return items


def nixlite_batch(cases: list[str], cwd: str) -> list[str]:
    state = EvalState(use_nix_path=False)
    functions.set_trace_calls(False)
    diagnostics.register_source("«string»", batch_text(cases))
    values = state.eval_string(batch_text(cases), "«string»", cwd)
    out = []
    for item in values:
        try:
            out.append(print_value(deep_force(item)))
        except NixError as err:
            out.append(diagnostics.render(err))
        except RecursionError:
            out.append("RecursionError")
    return out


def oracle_single(case: str, cwd: str, extra: list[str] | None = None) -> tuple[int, str, str]:
    r = subprocess.run(["nix-instantiate", "--eval", "--strict", *(extra or []), "-E", case], capture_output=True,
                       text=True, errors="surrogateescape", cwd=cwd, env=NIX_ENV, timeout=60)
    return r.returncode, r.stdout, r.stderr


def nixlite_single(case: str, cwd: str) -> tuple[int, str, str]:
    """Evaluate like `nixlite eval --strict -E case` in-process."""
    state = EvalState(use_nix_path=False)
    functions.set_trace_calls(False)
    diagnostics.register_source("«string»", case)
    try:
        value: Any = deep_force(state.eval_string(case, "«string»", cwd))
        return 0, print_value(value) + "\n", ""
    except NixError as err:
        return 1, "", diagnostics.render(err) + "\n"


def first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""
