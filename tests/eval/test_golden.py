"""Golden tests: `golden/*.nix` evaluated by `nixlite eval` must give the oracle's output.

Expectations come from nix-instantiate via `regen_golden.py` (`.exp` is
stdout of a successful run, `.err` is stderr; `@DIR@` stands for the golden
directory). nixlite runs in-process through the CLI entry point with the same
flags, in the golden directory.
"""

from __future__ import annotations

import glob
import os
import sys

import pytest

from regen_golden import GOLDEN, flags_of

from nixlite import cli

sys.setrecursionlimit(max(sys.getrecursionlimit(), 200_000))
FILES = sorted(glob.glob(os.path.join(GOLDEN, "*.nix")))


def _read(path: str) -> str | None:
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return f.read().replace("@DIR@", GOLDEN)


@pytest.mark.parametrize("path", FILES, ids=[os.path.basename(p)[:-4] for p in FILES])
def test_golden(path, capsys, monkeypatch):
    monkeypatch.chdir(GOLDEN)
    monkeypatch.setenv("NIX_PATH", "")
    monkeypatch.setenv("NO_COLOR", "1")
    rc = cli._run(["eval", *flags_of(path), os.path.basename(path)])
    out, err = capsys.readouterr()
    expected_out = _read(path[:-4] + ".exp")
    expected_err = _read(path[:-4] + ".err") or ""
    assert (rc, out, err) == (0 if expected_out is not None else 1, expected_out or "", expected_err)
