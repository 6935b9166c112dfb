"""Fixtures for build tests: a fresh store per test, and realising derivations quietly."""

from __future__ import annotations

import io
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from nixlite.build.realise import BuildSettings  # noqa: E402
from nixlite.build.scheduler import realise_derivations  # noqa: E402
from nixlite.store.store import Store  # noqa: E402


@pytest.fixture
def store(tmp_path):
    return Store(str(tmp_path / "root"))


@pytest.fixture
def build(store):
    """realise(drv_paths…, jobs=1) -> the progress text written while building (also in `.output`)."""

    def run(*drv_paths: str, jobs: int = 1, **options: object) -> str:
        """options: BuildSettings fields (keep_failed, keep_going, check, timeout, …)."""
        stream = io.StringIO()
        try:
            realise_derivations(store, [(p, None) for p in drv_paths], jobs=jobs,
                                settings=BuildSettings(cores=2, **options), stream=stream,  # type: ignore[arg-type]
                                interactive=False)
        finally:
            run.output = stream.getvalue()  # type: ignore[attr-defined]
        return stream.getvalue()

    return run
