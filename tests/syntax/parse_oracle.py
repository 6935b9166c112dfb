"""Running the oracle (`nix-instantiate --parse`, Nix 2.8) and nixlite side by side.

Programs are written to files in one directory and handed to
nix-instantiate in batches (it prints one line per file); a batch with a
failing program is split until the failure is isolated, so a corpus of
hundreds of programs costs a few dozen nix-instantiate runs. Results are
`("ok", printed)` or `("error", first line of the message, "at …" line)`.
"""

from __future__ import annotations

import os
import re
import subprocess

_AT_RE = re.compile(r"^\s*at (.*):$", re.M)
_ENV = {**os.environ, "NO_COLOR": "1"}


def _error_summary(stderr: str) -> tuple:
    lines = stderr.strip("\n").split("\n")
    message = lines[0] if lines else ""
    at = _AT_RE.search(stderr)
    return ("error", message, at.group(1) if at else None)


def _run_nix(paths: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["nix-instantiate", "--parse", *paths], capture_output=True, env=_ENV, timeout=300)


def oracle_parse_files(paths: list[str]) -> list[tuple]:
    """nix-instantiate --parse on each file, batched.

    nix-instantiate prints one line per file and stops at the first file it
    rejects, with that file's error on stderr; the next batch starts after it.
    So the number of runs is one more than the number of rejected programs.
    """
    results: list[tuple] = []
    k = 0
    while k < len(paths):
        proc = _run_nix(paths[k:])
        lines = proc.stdout.decode("utf-8", "surrogateescape").split("\n")[:-1]
        results += [("ok", line) for line in lines]
        k += len(lines)
        if proc.returncode != 0:
            results.append(_error_summary(proc.stderr.decode("utf-8", "surrogateescape")))
            k += 1
    return results


def nixlite_parse_file(path: str) -> tuple:
    """nixlite's result for one file, in the same shape (in-process)."""
    from nixlite import diagnostics
    from nixlite.eval.errors import NixError
    from nixlite.syntax import parse_file_source, show

    try:
        parsed = parse_file_source(path)
        return ("ok", show(parsed.expr, parsed.symbols))
    except NixError as err:
        return _error_summary(diagnostics.render(err))


def write_programs(directory: str, programs: list[str]) -> list[str]:
    paths = []
    for i, text in enumerate(programs):
        path = os.path.join(directory, f"p{i:04d}.nix")
        with open(path, "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape"))
        paths.append(path)
    return paths
