"""Fixtures of the end-to-end image tests: one nixlite store per session, a local registry, an ordinary user.

Everything here goes through the `nixlite` command as a user would run it
(`nixlite build FILE -A image`), with the prelude named explicitly
(`-I nixpkgs=builtins/`) and a store under a temporary directory.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

from nixlite.store.files import remove_tree

from .e2e_helpers import ROOT, nixlite_build
from .unprivileged import Unprivileged, unprivileged_nixlite


@pytest.fixture(scope="session")
def e2e_store(tmp_path_factory):
    return str(tmp_path_factory.mktemp("e2e-store"))


@pytest.fixture(scope="session")
def built(e2e_store, tmp_path_factory):
    """example name -> the physical path of its built image (each example built once per session)."""
    results: dict[str, str] = {}
    links = tmp_path_factory.mktemp("e2e-results")

    def get(example: str) -> str:
        if example not in results:
            link = str(links / example)
            nixlite_build([os.path.join(ROOT, "examples", example, "default.nix"), "-A", "image"], e2e_store, link)
            results[example] = os.path.realpath(link)
        return results[example]

    return get


@pytest.fixture(scope="session")
def user():
    """An ordinary user who can run nixlite (unprivileged.py), with a work directory under /tmp."""
    workdir = tempfile.mkdtemp(prefix="nixlite-unprivileged-", dir="/tmp")
    try:
        yield unprivileged_nixlite(workdir)
    finally:
        remove_tree(workdir)


@pytest.fixture(scope="session")
def user_store(user: Unprivileged) -> str:
    """The ordinary user's own nixlite store directory."""
    return user.make_dir("store")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def registry(tmp_path_factory):
    """A docker-registry on 127.0.0.1 (plain http); yields its host:port."""
    root = tmp_path_factory.mktemp("registry")
    port = _free_port()
    config = root / "config.yml"
    config.write_text(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {root}/data\n"
                      f"http:\n  addr: 127.0.0.1:{port}\n")
    proc = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("docker-registry did not start")
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
