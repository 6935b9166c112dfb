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
    """Options of a build run (nix-build's --cores, --keep-failed, --keep-going)."""

    cores: int = field(default_factory=lambda: os.cpu_count() or 1)
    keep_failed: bool = False
    keep_going: bool = False
