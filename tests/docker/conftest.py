"""Fixtures for the image-format tests: Docker's own tarsum built from source, and sample trees."""

from __future__ import annotations

import os
import subprocess

import pytest

from docker_helpers import DOCKER_SRC, make_sample_tree

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="session")
def go_tarsum(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Path of a binary printing Docker's tarsum v1 of stdin (pkg/tarsum, built offline with golang-go).

    CI installs golang-go and golang-github-docker-docker-dev (.ci/setup), so
    this must build; a failure here is a failure, not a skip.
    """
    assert os.path.isdir(DOCKER_SRC), "golang-github-docker-docker-dev is not installed"
    out = tmp_path_factory.mktemp("go-tarsum")
    binary = str(out / "tarsum")
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOCACHE": str(out / "cache"),
           "GOFLAGS": "", "CGO_ENABLED": "0"}
    subprocess.run(["go", "build", "-o", binary, os.path.join(HERE, "tarsum_vectors", "main.go")],
                   check=True, env=env, capture_output=True, timeout=300)
    return binary


@pytest.fixture
def sample_tree(tmp_path) -> str:
    return make_sample_tree(str(tmp_path / "tree"))
