"""Build errors, worded as Nix words them.

Nix prints a multi-line error message with every continuation line indented
under the text after `error: ` (7 columns); `build_error` does that, so the
central renderer can print the message as it is.
"""

from __future__ import annotations

import signal

from nixlite.eval.errors import NixError

_INDENT = " " * 7


class BuildError(NixError):
    """A derivation could not be built (builder failed, output check failed, …)."""


def build_error(message: str) -> BuildError:
    """A BuildError whose continuation lines are indented as Nix prints them."""
    return BuildError(message.replace("\n", "\n" + _INDENT))


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
