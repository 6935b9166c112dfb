"""The examples build into images that skopeo and umoci unpack, and their commands run.

The four examples are built by one `nixlite build -E` (one evaluation, two
jobs) into a temporary store, and the README's command `nixlite build
examples/shell/default.nix -A image` must then name the same image; each image is
unpacked with `skopeo copy docker-archive:… oci:…` and `umoci unpack`, then
its Cmd runs (bwrap) in the unpacked root. That the derivations equal Nix
2.8's is test_derivations' job.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import ROOT, run_nixlite
from tests.prelude.helpers import SEARCH_PATH


EXAMPLES = ("shell", "redis", "nginx", "multi")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return str(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def images(store):
    """Example name -> logical store path of its image, all built by one nixlite process."""
    names = " ".join(f'"{name}"' for name in EXAMPLES)
    expr = f'map (e: (import (./examples + "/${{e}}") {{ }}).image) [ {names} ]'
    result = run_nixlite(["build", *SEARCH_PATH, "--store", store, "--no-out-link", "-j", "2", "-E", expr],
                         cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    return dict(zip(EXAMPLES, result.stdout.split()))


@pytest.fixture(scope="module")
def unpack(store, images, tmp_path_factory):
    work = tmp_path_factory.mktemp("images")

    def unpack_image(example: str) -> tuple[str, dict]:
        image = os.path.join(store, images[example].lstrip("/"))
        # The examples are plain tars (compressor = "none"): skopeo reads `result` as it is.
        with open(image, "rb") as f:
            assert f.read(2) != b"\x1f\x8b"
        tar = image
        oci = os.path.join(work, f"{example}-oci")
        bundle = os.path.join(work, f"{example}-bundle")
        for argv in (["skopeo", "copy", f"docker-archive:{tar}", f"oci:{oci}:latest"],
                     ["umoci", "unpack", "--image", f"{oci}:latest", bundle]):
            result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, result.stderr
        with open(os.path.join(bundle, "config.json")) as f:
            process = json.load(f)["process"]
        return os.path.join(bundle, "rootfs"), process

    return unpack_image


def test_readme_command_builds_the_shell_image(store, images):
    result = run_nixlite(["build", "examples/shell/default.nix", "-A", "image", *SEARCH_PATH,
                          "--store", store, "--no-out-link"], cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [images["shell"]]


def run_cmd(rootfs: str, process: dict, *extra: str, timeout: int = 30) -> subprocess.CompletedProcess:
    """The image's command in its unpacked root (bwrap), with its working directory and env."""
    env = [item.split("=", 1) for item in process.get("env", [])]
    argv = process["args"] + list(extra)
    if not argv[0].startswith("/"):  # a runtime resolves it in the image's PATH
        argv[0] = "/bin/" + argv[0]
    setenv = [arg for name, value in env for arg in ("--setenv", name, value)]
    return subprocess.run(["bwrap", "--bind", rootfs, "/", "--dev", "/dev", "--proc", "/proc",
                           "--unshare-user", "--uid", "0", "--gid", "0", "--clearenv", *setenv,
                           "--chdir", process.get("cwd", "/"), *argv],
                          capture_output=True, text=True, timeout=timeout)


def test_shell_image_says_hello(unpack):
    rootfs, process = unpack("shell")
    assert os.path.islink(os.path.join(rootfs, "bin/sh"))
    result = run_cmd(rootfs, process)
    assert (result.returncode, result.stdout) == (0, "Hello from a nixlite image\n"), result.stderr


def test_redis_image_is_layered_with_data_volume(unpack):
    rootfs, process = unpack("redis")
    assert os.path.isdir(os.path.join(rootfs, "data"))
    assert os.path.islink(os.path.join(rootfs, "bin/sh"))  # from the shell image below
    assert process["cwd"] == "/data"
    result = run_cmd(rootfs, process, "--once")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["redis stand-in: serving from /data", "redis stand-in: /data is ready"]


def test_nginx_image_has_its_user_and_config(unpack):
    rootfs, process = unpack("nginx")
    with open(os.path.join(rootfs, "etc/passwd")) as f:
        users = [line.split(":")[0] for line in f]
    assert users == ["root", "nginx"]
    conf = process["args"][2]
    assert conf.startswith("/nix/store/") and os.path.isfile(os.path.join(rootfs, conf.lstrip("/")))


def test_multi_image_merges_its_contents(unpack):
    rootfs, process = unpack("multi")
    assert sorted(os.listdir(rootfs)) == ["bin", "etc", "lib", "nix", "tmp"]
    assert os.stat(os.path.join(rootfs, "tmp")).st_mode & 0o7777 == 0o1777
    result = run_cmd(rootfs, process)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Welcome to an image built by nixlite.", "Files in /etc: motd"]
