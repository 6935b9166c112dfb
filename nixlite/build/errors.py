"""Build errors, worded as Nix words them, and the exit status Nix derives from them.

Nix prints a multi-line error message with every continuation line indented
under the text after `error: ` (7 columns); `build_error` does that, so the
central renderer can print the message as it is.

Each error has a `kind`, Nix's BuildResult status for the failed goal, from
which `exit_status` computes nix-build's exit code as Nix's
Worker::exitStatus does: 0x60 plus a bit per kind of failure seen — 0x04 a
build failure (a failing builder, a timeout or a hash mismatch), 0x01 a
timeout, 0x02 a fixed-output hash mismatch, 0x08 a `--check` that found a
different output — so 100 for a failed builder, 101 for a timeout, 102 for
a hash mismatch, 104 for a non-deterministic output; 1 when the only
failures are of other kinds (an output rejected by a check, such as a
missing output or a forbidden reference).
"""

from __future__ import annotations

import signal
from typing import Iterable

from nixlite.eval.errors import NixError

_INDENT = " " * 7

# Nix's BuildResult statuses that matter for the exit code.
PERMANENT_FAILURE = "permanent-failure"  # the builder failed
OUTPUT_REJECTED = "output-rejected"  # the builder succeeded but its outputs are not acceptable
HASH_MISMATCH = "hash-mismatch"  # an output rejected because its fixed-output hash differs
TIMED_OUT = "timed-out"
NOT_DETERMINISTIC = "not-deterministic"
DEPENDENCY_FAILED = "dependency-failed"
GOALS_FAILED = "goals-failed"  # `build of '…', '…' failed`: a summary, no failure of its own


class BuildError(NixError):
    """A derivation could not be built (builder failed, output check failed, …)."""

    def __init__(self, message: str, pos: object = None, kind: str = PERMANENT_FAILURE) -> None:
        super().__init__(message, pos)
        self.kind = kind


def build_error(message: str, kind: str = PERMANENT_FAILURE) -> BuildError:
    """A BuildError whose continuation lines are indented as Nix prints them."""
    return BuildError(message.replace("\n", "\n" + _INDENT), kind=kind)


def exit_status(errors: Iterable[BuildError]) -> int:
    """nix-build's exit code for a run that failed with `errors` (see the module docstring)."""
    kinds = {e.kind for e in errors}
    mask = 0
    if kinds & {PERMANENT_FAILURE, TIMED_OUT, HASH_MISMATCH}:
        mask |= 0x04
    if TIMED_OUT in kinds:
        mask |= 0x01
    if HASH_MISMATCH in kinds:
        mask |= 0x02
    if NOT_DETERMINISTIC in kinds:
        mask |= 0x08
    return mask | 0x60 if mask else 1


def status_text(status: int) -> str:
    """Nix's statusToString for a subprocess return code (negative: killed by a signal)."""
    if status >= 0:
        return f"failed with exit code {status}"
    sig = -status
    try:
        description = signal.strsignal(sig) or f"signal {sig}"
    except ValueError:
        description = f"signal {sig}"
    return f"failed due to signal {sig} ({description})"
