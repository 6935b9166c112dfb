"""Helpers of the image-format tests: Docker's tarsum binary, sample trees, required tools."""

from __future__ import annotations

import os
import shutil
import subprocess


def docker_tarsum(binary: str, tar_path: str) -> str:
    with open(tar_path, "rb") as f:
        return subprocess.run([binary], stdin=f, capture_output=True, text=True, check=True).stdout.strip()


def make_sample_tree(root: str, big_size: int = 3 * 1024 * 1024 + 7) -> str:
    """A tree with every kind of entry a layer may hold (no device nodes)."""
    os.makedirs(os.path.join(root, "a", "b"))
    os.makedirs(os.path.join(root, "emptydir"))
    with open(os.path.join(root, "a", "f"), "w") as f:
        f.write("hello\n")
    os.chmod(os.path.join(root, "a", "f"), 0o4755)
    open(os.path.join(root, "empty"), "w").close()
    os.symlink("a/f", os.path.join(root, "link"))
    os.symlink("/nix/store/" + "t" * 120, os.path.join(root, "longlink"))
    os.link(os.path.join(root, "a", "f"), os.path.join(root, "hard"))
    deep = os.path.join(root, "long", "d" * 120)
    os.makedirs(deep)
    with open(os.path.join(deep, "x" * 150), "w") as f:
        f.write("long name\n")
    with open(os.path.join(root, "caf\u00e9"), "w") as f:
        f.write("utf-8 name\n")
    with open(os.path.join(root, "big"), "wb") as f:
        f.write(bytes(range(256)) * (big_size // 256) + b"x" * (big_size % 256))
    os.mkfifo(os.path.join(root, "fifo"))
    with open(os.path.join(root, "ro"), "w") as f:
        f.write("read only\n")
    os.chmod(os.path.join(root, "ro"), 0o444)
    os.setxattr(os.path.join(root, "empty"), "user.nixlite", b"value\x00binary")
    return root


def have(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is required (installed by .ci/setup)"
    return path
