"""The options of a build run, in a module of their own.

`nixlite build` needs them before it knows whether anything is to be built;
keeping them apart from `realise` lets a no-op build skip importing the
builder machinery (sandbox, environment, output checks).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class BuildSettings:
    """Options of a build run (nix-build's --cores, --keep-failed, --keep-going, --timeout,
    --max-silent-time, --check).

    timeout / max_silent_time are seconds (0: no limit); they apply to
    process builders, which are killed with their whole sandbox.
    """

    cores: int = field(default_factory=lambda: os.cpu_count() or 1)
    keep_failed: bool = False
    keep_going: bool = False
    timeout: int = 0
    max_silent_time: int = 0
    check: bool = False
