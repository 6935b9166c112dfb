"""Regenerate the golden expectations from the oracle: `python3 tests/eval/regen_golden.py`.

For every `golden/*.nix`, runs `nix-instantiate --eval FLAGS file` in the
golden directory (FLAGS from a first line `# flags: …`, `--strict` when there
is none) and writes `name.exp` (stdout, when it succeeded) and `name.err`
(stderr, when not empty), with the golden directory's path replaced by
`@DIR@` so that the files do not depend on where the repository lives.
"""

from __future__ import annotations

import glob
import os
import shlex
import subprocess

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


def flags_of(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        first = f.readline()
    if first.startswith("# flags:"):
        return shlex.split(first[len("# flags:"):])
    return ["--strict"]


def main() -> None:
    env = {**os.environ, "NO_COLOR": "1", "NIX_PATH": ""}
    for path in sorted(glob.glob(os.path.join(GOLDEN, "*.nix"))):
        base = path[:-4]
        r = subprocess.run(["nix-instantiate", "--eval", *flags_of(path), os.path.basename(path)],
                           capture_output=True, text=True, cwd=GOLDEN, env=env)
        for suffix in (".exp", ".err"):
            if os.path.exists(base + suffix):
                os.remove(base + suffix)
        if r.returncode == 0:
            with open(base + ".exp", "w", encoding="utf-8") as f:
                f.write(r.stdout.replace(GOLDEN, "@DIR@"))
        if r.stderr:
            with open(base + ".err", "w", encoding="utf-8") as f:
                f.write(r.stderr.replace(GOLDEN, "@DIR@"))
        print(f"{os.path.basename(path)}: rc={r.returncode}")


if __name__ == "__main__":
    main()
