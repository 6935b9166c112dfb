"""Shared test helpers: the Nix oracle and running the nixlite command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import settings

# CI must not fail at random: generated programs are derandomized (the same
# examples every run). `--hypothesis-profile explore` draws new ones.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_nix(args: list[str], stdin: str | None = None, cwd: str | None = None, timeout: int = 60) -> subprocess.CompletedProcess:
    """Run a Nix 2.8 command (the oracle). CI installs nix-bin, so it must be present."""
    return subprocess.run(args, input=stdin, capture_output=True, text=True, errors="surrogateescape", cwd=cwd,
                          timeout=timeout,
                          env={**os.environ, "NO_COLOR": "1"})


def run_nixlite(args: list[str], stdin: str | None = None, cwd: str | None = None, timeout: int = 120,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m nixlite.cli ARGS` as a user would run `nixlite ARGS`."""
    return subprocess.run([sys.executable, "-m", "nixlite.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, env={**os.environ, "NO_COLOR": "1", **(env or {})})


@pytest.fixture
def nixlite():
    return run_nixlite


@pytest.fixture
def nix():
    return run_nix
