"""End to end: `nixlite build examples/X/default.nix -A image`, then skopeo, umoci and a run.

For every example the image is converted with `skopeo copy docker-archive:…
oci:…` and unpacked with `umoci unpack`; the unpacked root must hold exactly
the files expected: the contents merged as `rsync -ak` merges them (computed
here from the store, independently of the builders), what runAsRoot or
extraCommands made, and under /nix/store exactly the layer's closure as
listed by `writeReferencesToFile` (plus the base image's, when layered).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from .e2e_helpers import PRELUDE, ROOT, listing, nixlite, run_in_rootfs, unpack_image

EXAMPLES = ["shell", "redis", "nginx", "multi"]


def show_derivation(store: str, drv: str) -> dict:
    return json.loads(nixlite(["show-derivation", "--store", store, drv]).stdout)[drv]


def image_and_layer_env(store: str, example: str) -> tuple[dict, dict]:
    """The environments of the image derivation and of its layer derivation."""
    drv = nixlite(["instantiate", os.path.join(ROOT, "examples", example, "default.nix"), "-A", "image",
                   "-I", f"nixpkgs={PRELUDE}", "--store", store]).stdout.strip().splitlines()[-1]
    image = show_derivation(store, drv)
    layer_drv = next(d for d in image["inputDrvs"] if "-docker-layer-" in d)
    return image["env"], show_derivation(store, layer_drv)["env"]


def merged_contents(store: str, items: list[str]) -> dict[str, tuple]:
    """What `rsync -ak item/ layer/` for each item leaves (symlinks to directories followed)."""
    merged: dict[str, tuple] = {}
    for item in items:
        _merge(store, store + item, "", merged)
    return merged


def _merge(store: str, directory: str, rel: str, merged: dict) -> None:
    for name in sorted(os.listdir(directory)):
        path, sub = os.path.join(directory, name), f"{rel}/{name}".lstrip("/")
        target = os.readlink(path) if os.path.islink(path) else None
        real = (store + target if target and target.startswith("/nix/store/") else
                os.path.join(directory, target) if target else path)
        if os.path.isdir(real):
            merged[sub] = ("dir", os.stat(real).st_mode & 0o7777, 0, 0, None)
            _merge(store, real, sub, merged)
        elif target is not None:
            merged[sub] = ("link", 0o777, 0, 0, target)
        else:
            with open(path, "rb") as f:
                merged[sub] = ("file", os.stat(path).st_mode & 0o7777, 0, 0, f.read())


def closure_of(store: str, env: dict) -> set[str]:
    with open(store + env["layerClosure"]) as f:
        return {os.path.basename(p) for p in f.read().split() if p != env["layer"]}


@pytest.fixture(scope="module")
def unpacked(built, tmp_path_factory):
    roots: dict[str, str] = {}

    def get(example: str) -> str:
        if example not in roots:
            roots[example] = unpack_image(built(example), str(tmp_path_factory.mktemp(f"unpack-{example}")))
        return roots[example]

    return get


def expected_root(e2e_store: str, example: str) -> tuple[dict, set[str], dict]:
    env, layer_env = image_and_layer_env(e2e_store, example)
    expected = merged_contents(e2e_store, layer_env["contents"].split())
    expected.update({"nix": ("dir", 0o755, 0, 0, None), "nix/store": ("dir", 0o755, 0, 0, None)})
    return expected, closure_of(e2e_store, env), env


def outside_store(tree: dict) -> dict:
    return {k: v for k, v in tree.items() if not k.startswith("nix/store/")}


def test_shell_image(built, unpacked, e2e_store):
    rootfs = unpacked("shell")
    expected, closure, _ = expected_root(e2e_store, "shell")
    assert outside_store(listing(rootfs)) == expected
    assert set(os.listdir(os.path.join(rootfs, "nix/store"))) == closure
    result = run_in_rootfs(rootfs, ["/bin/sh", "-c", "echo Hello from a nixlite image"], {"PATH": "/bin"})
    assert (result.returncode, result.stdout) == (0, "Hello from a nixlite image\n")


def test_shell_image_cmd_from_its_config(unpacked):
    rootfs = unpacked("shell")
    with open(os.path.join(os.path.dirname(rootfs), "config.json")) as f:
        process = json.load(f)["process"]
    env = dict(item.split("=", 1) for item in process["env"])
    result = run_in_rootfs(rootfs, process["args"], env, cwd=process["cwd"])
    assert (result.returncode, result.stdout, result.stderr) == (0, "Hello from a nixlite image\n", "")


def test_redis_image_layers_on_shell(built, unpacked, e2e_store):
    rootfs = unpacked("redis")
    expected, closure, env = expected_root(e2e_store, "redis")
    shell_expected, shell_closure, _ = expected_root(e2e_store, "shell")
    expected = {**shell_expected, **expected, "data": ("dir", 0o755, 0, 0, None)}
    assert outside_store(listing(rootfs)) == expected
    assert set(os.listdir(os.path.join(rootfs, "nix/store"))) == closure | shell_closure
    with open(os.path.join(os.path.dirname(rootfs), "config.json")) as f:
        process = json.load(f)["process"]
    assert process["args"] == ["/bin/redis-server"] and process["cwd"] == "/data"
    if os.path.islink(os.path.join(rootfs, "bin/redis-server")) is False:
        result = run_in_rootfs(rootfs, ["/bin/redis-server", "--once"], {"PATH": "/bin"}, cwd="/data")
        assert result.returncode == 0 and "/data is ready" in result.stdout


def test_nginx_image_users_and_config(built, unpacked, e2e_store):
    rootfs = unpacked("nginx")
    expected, closure, env = expected_root(e2e_store, "nginx")
    found = outside_store(listing(rootfs))
    made_by_script = {k: v for k, v in found.items() if k not in expected}
    # shadowSetup's files, useradd/groupadd's results, their backups (NAME-) and lock file.
    assert set(made_by_script) == {"etc", "etc/passwd", "etc/passwd-", "etc/group", "etc/group-", "etc/shadow",
                                   "etc/shadow-", "etc/gshadow", "etc/gshadow-", "etc/login.defs", "etc/pam.d",
                                   "etc/pam.d/other", "etc/.pwd.lock"}
    # useradd stamps "last password change" from SOURCE_DATE_EPOCH (1980-01-01 = day 3652), not today.
    assert found["etc/shadow"][4].decode().splitlines()[1] == "nginx:!:3652::::::"
    assert all(v[2:4] == (0, 0) for v in found.values())
    passwd = found["etc/passwd"][4].decode().splitlines()
    group = found["etc/group"][4].decode().splitlines()
    assert passwd[0] == "root:x:0:0::/root:/bin/sh" and any(l.startswith("nginx:x:") for l in passwd)
    nginx_gid = next(l.split(":")[2] for l in group if l.startswith("nginx:"))
    assert next(l for l in passwd if l.startswith("nginx:")).split(":")[3] == nginx_gid
    assert set(os.listdir(os.path.join(rootfs, "nix/store"))) == closure
    with open(os.path.join(os.path.dirname(rootfs), "config.json")) as f:
        args = json.load(f)["process"]["args"]
    conf = args[args.index("-c") + 1]
    assert os.path.basename(conf) in closure
    with open(rootfs + conf) as f:
        assert "user nginx nginx;" in f.read()


def test_multi_image(built, unpacked, e2e_store):
    rootfs = unpacked("multi")
    expected, closure, _ = expected_root(e2e_store, "multi")
    expected["tmp"] = ("dir", 0o1777, 0, 0, None)
    assert outside_store(listing(rootfs)) == expected
    assert set(os.listdir(os.path.join(rootfs, "nix/store"))) == closure
    result = run_in_rootfs(rootfs, ["/bin/greet"], {"PATH": "/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Welcome to an image built by nixlite.\n")


def test_oci_output_unpacks(e2e_store, tmp_path):
    from .e2e_helpers import nixlite_build, run

    layout = nixlite_build([os.path.join(ROOT, "examples", "shell", "default.nix"), "-A", "image.oci"], e2e_store,
                           str(tmp_path / "oci"))
    run(["umoci", "unpack", "--image", f"{layout}:latest", str(tmp_path / "bundle")])
    assert os.path.isfile(tmp_path / "bundle/rootfs/bin/busybox")


def test_skopeo_reads_the_plain_result_as_it_is(built):
    """The examples' `compressor = "none"`: `skopeo inspect docker-archive:result` works directly."""
    result = subprocess.run(["skopeo", "inspect", f"docker-archive:{built('shell')}"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '"Architecture": "amd64"' in result.stdout


def test_skopeo_cannot_read_any_gzipped_docker_archive(built, tmp_path):
    """Why the examples are plain tars and gzipped images are decompressed first in the tests:
    this skopeo (1.9) fails even on GNU tar | gzip -n output."""
    work = tmp_path / "x"
    work.mkdir()
    subprocess.run(["tar", "-xf", built("shell"), "-C", str(work)], check=True)
    regzipped = tmp_path / "regzipped.tar.gz"
    subprocess.run(f"tar -C {work} -cf - . | gzip -n > {regzipped}", shell=True, check=True)
    result = subprocess.run(["skopeo", "inspect", f"docker-archive:{regzipped}"], capture_output=True, text=True)
    if result.returncode == 0:
        pytest.fail("this skopeo reads gzipped archives: test the .tar.gz directly in e2e_helpers.unpack_image")


def test_export_image_flattens_redis_on_shell(built, e2e_store, tmp_path):
    """exportImage: the layers applied in order, one root filesystem tar."""
    import tarfile

    expr = (f'(import <nixpkgs> {{}}).dockerTools.exportImage {{ name = "redis-rootfs"; '
            f'fromImage = (import {ROOT}/examples/redis {{}}).image; }}')
    from .e2e_helpers import nixlite_build

    exported = nixlite_build(["-E", expr], e2e_store, str(tmp_path / "export"))
    with tarfile.open(exported) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert members["data"].isdir() and members["bin/busybox"].isfile()
    assert all(m.mtime == 0 for m in members.values())
