"""`-A` and `--arg` as nix-instantiate does them, with and without --eval: exit code, stdout, stderr.

Both commands select through nixlite/commands/attr_path.py (Nix's
parseAttrPath, autoCallFunction and findAlongAttrPath): quoted names, list
indices (a number on a set is an error, as string2Int decides), empty and
trailing dots, unclosed quotes, a function at the top or on the way called
with the --arg values, and the error for an argument without a value (its
indented continuation lines and its position at the formal).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

NIX_ENV = {**os.environ, "NO_COLOR": "1", "NIX_PATH": ""}

FILE = """{ x ? 1, y }: {
  a = { "b.c" = derivation { name = "bc"; system = "x"; builder = "/bin/sh"; }; };
  l = [ (derivation { name = "l0"; system = "x"; builder = "/bin/sh"; }) ];
  f = { z }: derivation { name = "f${toString z}"; system = "x"; builder = "/bin/sh"; };
  s = { "0" = derivation { name = "s0"; system = "x"; builder = "/bin/sh"; }; };
  fn = { __functor = self: { q ? 2 }: derivation { name = "fn"; system = "x"; builder = "/bin/sh"; }; };
}
"""

PATHS = ['a."b.c"', "l.0", "l.1", "l.+0", "s.0", "a.zz", "f", "fn", "a..b", '"a', "l.x", "a.", ""]
ARGS = [[], ["--arg", "y", "1"], ["--arg", "y", "1", "--argstr", "z", "3"]]
CASES = [(mode, path, args) for mode in ("eval", "instantiate") for path in PATHS for args in ARGS]


def _run(cmd: list[str], cwd: str) -> tuple[int, str, str]:
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=NIX_ENV, timeout=120)
    # nix-instantiate warns that the .drv is not a GC root; nixlite has no such warning.
    err = "".join(line for line in r.stderr.splitlines(True) if "--add-root" not in line)
    return r.returncode, r.stdout, err


@pytest.mark.parametrize("mode,path,args", CASES, ids=[f"{m} -A {p!r} {' '.join(a)}" for m, p, a in CASES])
def test_selection_is_nix_selection(mode, path, args, tmp_path):
    (tmp_path / "t.nix").write_text(FILE)
    store = str(tmp_path / "store")
    flags = ["--eval"] if mode == "eval" else []
    expected = _run(["nix-instantiate", *flags, "t.nix", "-A", path, *args], str(tmp_path))
    ours = _run([sys.executable, "-m", "nixlite.cli", mode, "t.nix", "-A", path, *args,
                 *(["--store", store] if mode == "instantiate" else [])], str(tmp_path))
    assert ours == expected
