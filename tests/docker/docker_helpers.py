"""Helpers of the image-format tests: Docker's tarsum binary, sample trees, required tools."""

from __future__ import annotations

import hashlib
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


# Docker's pkg/tarsum source (Debian's golang-github-docker-docker-dev), the tarsum oracle.
DOCKER_SRC = "/usr/share/gocode/src/github.com/docker/docker/pkg/tarsum"

BASE_JSON = ('{"architecture":"amd64","config":{"Cmd":["/bin/sh"],"Env":["PATH=/bin"],"WorkingDir":"/data"},'
             '"created":"1970-01-01T00:00:01Z","os":"linux"}')


def image_from_tree(tree: str, workdir: str, base=None, base_json: str = BASE_JSON):
    """An Image whose top layer holds `tree`, on `base` if given — what buildImage produces, minus the closure."""
    from nixlite.docker.image import Image, Layer, append_layers, finish_legacy_json, layer_json, parse_json_object
    from nixlite.docker.layer_tar import scan_tree, write_layer_file

    os.makedirs(workdir, exist_ok=True)
    tar_path = os.path.join(workdir, f"layer-{len(base.layers) if base else 0}.tar")
    digests = write_layer_file(tar_path, scan_tree(tree))
    config = parse_json_object(base_json)
    layer_meta = parse_json_object(layer_json(config, digests.tarsum))
    layer_id, text = finish_legacy_json(layer_meta, digests.tarsum, base.top_id if base else None, digests.size)
    layer = Layer(tar_path, digests.diff_id, digests.size, layer_id, text)
    return append_layers(base or Image(), [layer], config=config["config"])


def rootfs_listing(root: str) -> dict[str, tuple]:
    """path -> (kind, mode, data or link target) for every entry under `root` (not following symlinks)."""
    import stat
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                result[rel] = ("symlink", os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                result[rel] = ("dir", stat.S_IMODE(st.st_mode))
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    result[rel] = ("file", stat.S_IMODE(st.st_mode), hashlib.sha256(f.read()).hexdigest())
            else:
                result[rel] = ("other", stat.S_IFMT(st.st_mode))
    return result
