"""Helpers of the end-to-end tests: running `nixlite build`, unpacking images with skopeo and umoci.

skopeo 1.9 (Debian bookworm) cannot read a *gzip-compressed* docker-archive
at all — `loading tar component manifest.json: unexpected EOF` even for a
plain `tar | gzip -n` of a valid archive (its decompressor copies only the
first bytes into its temporary file; test_e2e_examples checks this) — so
gzipped images are decompressed with Python's gzip before `skopeo copy
docker-archive:…`. Docker and podman 4+ load the .tar.gz directly. The
examples use `compressor = "none"`, whose plain tar skopeo reads as it is.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRELUDE = os.path.join(ROOT, "builtins")


def nixlite(args: list[str], env: dict[str, str] | None = None, wrapper: list[str] | None = None,
            timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*(wrapper or []), sys.executable, "-m", "nixlite.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "NO_COLOR": "1", **(env or {})})


def nixlite_build(args: list[str], store: str, out_link: str, env: dict[str, str] | None = None,
                  wrapper: list[str] | None = None) -> str:
    """`nixlite build ARGS -o OUT_LINK` against `store`; returns the physical result path."""
    proc = nixlite(["build", *args, "-I", f"nixpkgs={PRELUDE}", "--store", store, "-o", out_link],
                   env=env, wrapper=wrapper)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return os.path.realpath(out_link)


def is_gzip(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def gunzip_to(src: str, dest: str) -> str:
    """A plain tar of the image: `src` itself when it is not gzipped, else decompressed to `dest`."""
    if not is_gzip(src):
        return src
    with gzip.open(src, "rb") as f, open(dest, "wb") as out:
        shutil.copyfileobj(f, out, 1 << 20)
    return dest


def unpack_image(image_tar: str, work: str, tag: str = "t") -> str:
    """skopeo copy docker-archive → oci, then umoci unpack; returns the bundle's rootfs."""
    archive = gunzip_to(image_tar, os.path.join(work, "image.tar"))
    layout, bundle = os.path.join(work, "oci"), os.path.join(work, "bundle")
    run(["skopeo", "copy", "-q", f"docker-archive:{archive}", f"oci:{layout}:{tag}"])
    run(["umoci", "unpack", "--image", f"{layout}:{tag}", bundle])
    return os.path.join(bundle, "rootfs")


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    assert proc.returncode == 0, f"{argv}: {proc.stderr[-3000:]}"
    return proc


def listing(root: str, skip_store: bool = True) -> dict[str, tuple]:
    """rel path -> (kind, mode, uid, gid, symlink target or file bytes) of the tree below `root`."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if skip_store and rel_dir.startswith("nix/store/"):
            continue
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            st = os.lstat(full)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                found[rel] = ("link", mode, st.st_uid, st.st_gid, os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                found[rel] = ("dir", mode, st.st_uid, st.st_gid, None)
            else:
                with open(full, "rb") as f:
                    found[rel] = ("file", mode, st.st_uid, st.st_gid, f.read())
    return found


def run_in_rootfs(rootfs: str, argv: list[str], env: dict[str, str], cwd: str = "/") -> subprocess.CompletedProcess:
    """Run argv with the image's root filesystem as `/` (bubblewrap), as a container runtime would."""
    args = ["bwrap", "--bind", rootfs, "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
            "--die-with-parent", "--clearenv", "--chdir", cwd]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return subprocess.run(args + argv, capture_output=True, text=True, timeout=60)


def layer_members(image: str, index: int = -1) -> dict[str, tarfile.TarInfo]:
    """The members of one layer of a plain docker-archive (the last layer by default)."""
    with tarfile.open(image) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))[0]
        data = outer.extractfile(manifest["Layers"][index]).read()
    with tarfile.open(fileobj=io.BytesIO(data)) as layer:
        return {m.name: m for m in layer.getmembers()}
