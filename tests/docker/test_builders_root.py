"""runAsRoot without a VM (docker-root-layer) and hostile base images given as fromImage.

The layer must hold what overlay's upper directory would: contents, what the
script added or changed (with the owners it set), whiteouts for base files it
deleted. A base image made by someone else must never write outside the
build directory, whatever its member names and symlinks say.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import pytest

from nixlite.build.python_builders import BuilderFailed
from nixlite.docker.errors import ImageFormatError
from nixlite.docker.rootfs import Fingerprint, diff_trees

from test_builders import layer_members, pure_layer, read_image
from test_builders_harness import STORE_DIR as STORE_DIR_NAME, FakeStore, build_image, run_builder


@pytest.fixture
def store(tmp_path):
    return FakeStore(str(tmp_path / "root"))


def script(store: FakeStore, busybox: str, body: str, name: str = "run-as-root.sh") -> str:
    return store.add_file(name, f"#!{busybox}/bin/sh\nset -e\nexport PATH={busybox}/bin\n{body}", mode=0o555)


def root_layer(store, busybox, body, contents=(), from_image="", extra="", config=None):
    base_json = store.base_json(config, name="root-config.json")
    env = {"baseJson": base_json, "contents": " ".join(contents), "runAsRoot": script(store, busybox, body),
           "fromImage": from_image, "fromImageName": "", "fromImageTag": "", "extraCommands": extra,
           "diskSize": "1024"}
    return run_builder(store, "docker-root-layer", env, "docker-layer-root"), base_json


def base_image(store: FakeStore, busybox: str) -> str:
    item = store.add_tree("base-files", {"etc/keep": "keep", "etc/gone": "to delete", "etc/change": "old",
                                         "var/lib/old/file": "x", "bin": ("link", busybox + "/bin")})
    layer, base_json = pure_layer(store, [item], name="docker-layer-base")
    return build_image(store, layer, [item, busybox, base_json], base_json, name="base")


def test_run_as_root_layer_is_what_the_script_changed(store):
    busybox = store.add_busybox()
    base = base_image(store, busybox)
    contents = store.add_tree("contents", {"etc/from-contents": "c"})
    layer, _ = root_layer(store, busybox, "\n".join([
        "mkdir -p /data", "chown 101:102 /data", "rm /etc/gone", "rm -r /var/lib/old",
        "echo new > /etc/change", "touch /etc/created",
    ]), contents=[contents], from_image=base, extra="touch from-extra-commands")
    members = layer_members(store, layer)
    assert sorted(members) == ["data", "etc", "etc/.wh.gone", "etc/change", "etc/created", "etc/from-contents",
                               "from-extra-commands", "var", "var/lib", "var/lib/.wh.old"]
    assert (members["data"].uid, members["data"].gid) == (101, 102)
    assert all((m.uid, m.gid) == (0, 0) for name, m in members.items() if name != "data")
    with tarfile.open(store.physical(layer) + "/layer.tar") as tar:
        assert tar.extractfile("etc/change").read() == b"new\n"


def test_run_as_root_image_runs_and_layers_on_the_base(store, tmp_path):
    busybox = store.add_busybox()
    base = base_image(store, busybox)
    layer, base_json = root_layer(store, busybox, "mkdir -p /data\n", from_image=base,
                                  config={"Cmd": ["/bin/sh"], "WorkingDir": "/data"})
    image = build_image(store, layer, [busybox, base_json], base_json, name="derived", from_image=base)
    files = read_image(store, image)
    manifest = json.loads(files["manifest.json"])[0]
    assert len(manifest["Layers"]) == 2
    with tarfile.open(fileobj=io.BytesIO(files[manifest["Layers"][1]])) as tar:
        names = tar.getnames()
    assert "data" in names and not any("busybox" in n for n in names)


def test_run_as_root_failure_fails_the_build(store):
    busybox = store.add_busybox()
    with pytest.raises(BuilderFailed, match="runAsRoot script failed"):
        root_layer(store, busybox, "false\n")


def _fp(ino: int, mtime: int = 0, mode: int = 0o100644) -> Fingerprint:
    return Fingerprint(mode, 0, 0, 1, mtime, mtime, ino, None)


def test_diff_trees_ships_changes_parents_and_one_whiteout_per_deleted_tree():
    before = {"a": _fp(1, mode=0o40755), "a/b": _fp(2), "d": _fp(3, mode=0o40755), "d/e": _fp(4), "f": _fp(5)}
    after = {"a": _fp(1, 1, 0o40755), "a/b": _fp(2, 1), "f": _fp(5), "n": _fp(6)}
    diff = diff_trees(before, after, always=set(), base=set(before))
    assert diff.changed == ["a", "a/b", "n"]
    assert diff.deleted == ["d"]


# ------------------------------------------------------------ hostile base images

def hostile_archive(path: str, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    """A seed-style image (repositories + <id>/json + <id>/layer.tar) whose layer holds `members`."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    layer_id = "a" * 64
    files = {"repositories": json.dumps({"evil": {"latest": layer_id}}).encode(),
             f"{layer_id}/json": json.dumps({"id": layer_id}).encode(), f"{layer_id}/layer.tar": layer.getvalue(),
             f"{layer_id}/VERSION": b"1.0"}
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _info(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", link: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (data if kind == tarfile.REGTYPE else None)


def _as_from_image(store: FakeStore, tmp_path, members) -> str:
    archive = str(tmp_path / "hostile.tar")
    hostile_archive(archive, members)
    return store.add_file("hostile.tar", open(archive, "rb").read())


def test_hostile_base_with_parent_names_is_refused(store, tmp_path):
    busybox = store.add_busybox()
    outside = tmp_path / "outside"
    base = _as_from_image(store, tmp_path, [_info("../../../outside/evil", data=b"x")])
    with pytest.raises(ImageFormatError):
        root_layer(store, busybox, "true\n", from_image=base)
    item = store.add_tree("item", {"x": "x"})
    layer, base_json = pure_layer(store, [item])
    with pytest.raises(ImageFormatError):
        build_image(store, layer, [item], base_json, from_image=base)
    assert not outside.exists()


def test_hostile_base_symlink_escape_is_neutralised(store, tmp_path):
    busybox = store.add_busybox()
    outside = tmp_path / "outside"
    outside.mkdir()
    base = _as_from_image(store, tmp_path, [
        _info("escape", tarfile.SYMTYPE, link=str(outside)),
        _info("escape/pwned", data=b"through the link"),
        _info("abs", tarfile.SYMTYPE, link="/"),
        _info("/etc/absolute", data=b"absolute name"),
        _info("dev/evil", tarfile.CHRTYPE),
    ])
    layer, _ = root_layer(store, busybox, f"echo from-script > /escape/by-script\nls /abs/etc/absolute\n",
                          from_image=base)
    assert os.listdir(outside) == []
    members = layer_members(store, layer)
    assert "escape" not in members  # the base's symlink is unchanged, so not in the new layer
    inner = [n for n in members if n.endswith("by-script")]
    assert inner == [str(outside).lstrip("/") + "/by-script"]  # written inside the image root


# ------------------------------------------------------------ as an ordinary user (fakeroot)
#
# CI runs as root, so these tests run the builder in a child process that drops
# to nobody (nonroot_builder.py); then rootfs records owners with fakeroot.

NOBODY = 65534
CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nonroot_builder.py")
HOST_TOOLS_EXPR = """
let p = import <nixpkgs> { };
    tool = d: { inherit (d) programs programPaths programHashes programLinks multiCall; };
in { shadowSetup = p.dockerTools.shadowSetup; shadow = "${p.shadow}";
     tools = { bash = tool p.bash; coreutils = tool p.coreutils; shadow = tool p.shadow; }; }
"""


@pytest.fixture(scope="module")
def prelude_tools():
    """The prelude's shadowSetup and the host-tools derivation attributes of bash, coreutils and shadow."""
    from tests.e2e.e2e_helpers import PRELUDE, nixlite
    proc = nixlite(["eval", "-I", f"nixpkgs={PRELUDE}", "--strict", "--json", "--expr", HOST_TOOLS_EXPR])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def shared_store():
    """A FakeStore under /tmp that nobody can read (and write outputs into, once `unprivileged_build` runs)."""
    top = tempfile.mkdtemp(prefix="nixlite-runasroot-", dir="/tmp")
    os.chmod(top, 0o755)
    yield FakeStore(os.path.join(top, "root"))
    subprocess.run(["chmod", "-R", "u+w", top], check=False)
    shutil.rmtree(top, ignore_errors=True)


def _env_string(value) -> str:
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def host_tools(store: FakeStore, prelude_tools, names: list[str]) -> dict[str, str]:
    """The prelude's host-tools packages `names`, built into `store` (their logical paths)."""
    return {name: run_builder(store, "host-tools", {k: _env_string(v) for k, v in prelude_tools["tools"][name].items()},
                              f"host-{name}") for name in names}


def unprivileged_build(store: FakeStore, builder: str, env: dict[str, str], name: str,
                       fakeroot: bool = True) -> str:
    """Run builtin:<builder> as nobody (or as the current user when not root); the logical out path."""
    if os.geteuid() == 0:
        os.chown(store.root + STORE_DIR_NAME, NOBODY, NOBODY)
    spec = {"root": store.root, "builder": builder, "env": env, "name": name, "uid": NOBODY, "gid": NOBODY,
            "no_fakeroot": not fakeroot}
    proc = subprocess.run([sys.executable, CHILD, json.dumps(spec)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if "error" in result:
        raise BuilderFailed(result["error"] + "\nbuild output:\n" + proc.stdout[-2000:])
    assert any("fakeroot" in line for line in result["log"]) == fakeroot, result["log"]
    return result["out"]


def root_layer_env(store: FakeStore, shell: str, path: str, body: str, from_image: str = "",
                   contents: str = "") -> dict[str, str]:
    runner = store.add_file("run-as-root.sh", f"#!{shell}\nset -e\nexport PATH={path}\n\n{body}", mode=0o555)
    return {"baseJson": store.base_json(None, name="root-config.json"), "contents": contents, "runAsRoot": runner,
            "fromImage": from_image, "fromImageName": "", "fromImageTag": "", "extraCommands": "",
            "diskSize": "1024"}


def unprivileged_root_layer(store, shell: str, path: str, body: str, from_image: str = "") -> str:
    return unprivileged_build(store, "docker-root-layer", root_layer_env(store, shell, path, body, from_image),
                              "docker-layer-root")


def layer_summary(store: FakeStore, layer: str) -> dict[str, tuple]:
    """name -> (type, uid, gid, mode, link target, bytes) of a layer.tar."""
    with tarfile.open(store.physical(layer) + "/layer.tar") as tar:
        return {m.name: (m.type, m.uid, m.gid, m.mode, m.linkname, tar.extractfile(m).read() if m.isfile() else b"")
                for m in tar.getmembers()}


def assert_same_as_real_root(store: FakeStore, layer: str, env: dict[str, str]) -> None:
    """As root (CI), the oracle: the same script with real root privileges gives the same layer."""
    if os.geteuid() != 0:
        return  # an ordinary user has no real root to compare with; the explicit checks remain
    real = run_builder(store, "docker-root-layer", env, "docker-layer-real-root")
    assert layer_summary(store, layer) == layer_summary(store, real)


def _owner_mode(member: tarfile.TarInfo) -> tuple[int, int, int]:
    return member.uid, member.gid, member.mode


def test_seed_nginx_users_as_ordinary_user(shared_store, prelude_tools):
    tools = host_tools(shared_store, prelude_tools, ["bash", "coreutils", "shadow"])
    setup = prelude_tools["shadowSetup"].replace(prelude_tools["shadow"], tools["shadow"])
    env = root_layer_env(shared_store, tools["bash"] + "/bin/bash", tools["coreutils"] + "/bin", "\n".join([
        setup, "groupadd --system nginx", "useradd --system --gid nginx nginx",
        "mkdir -p /var/cache/nginx", "chown nginx:nginx /var/cache/nginx"]))
    layer = unprivileged_build(shared_store, "docker-root-layer", env, "docker-layer-root")
    assert_same_as_real_root(shared_store, layer, env)
    members = layer_members(shared_store, layer)
    with tarfile.open(shared_store.physical(layer) + "/layer.tar") as tar:
        text = {name: tar.extractfile("etc/" + name).read().decode() for name in
                ("passwd", "group", "shadow", "gshadow")}
    # shadow's defaults with an empty login.defs: system ids count down from 999 (SYS_UID_MAX); no home
    # is made for a system user; the shell is the host useradd's built-in default (bash on Debian).
    assert text["passwd"].startswith("root:x:0:0::/root:/bin/sh\nnginx:x:999:999::/home/nginx:"), text["passwd"]
    assert text["group"] == "root:x:0:\nnginx:x:999:\n"
    assert "nginx:!:" in text["shadow"] and text["gshadow"] == "root:x::\nnginx:!::\n"
    assert _owner_mode(members["var/cache/nginx"]) == (999, 999, 0o755)
    assert {n for n, m in members.items() if (m.uid, m.gid) != (0, 0)} == {"var/cache/nginx"}
    assert {"etc/passwd", "etc/group", "etc/shadow", "etc/gshadow", "etc/pam.d/other", "etc/login.defs",
            "var", "var/cache"} <= set(members)


def test_chown_and_setuid_modes_as_ordinary_user(shared_store, prelude_tools, tmp_path):
    tools = host_tools(shared_store, prelude_tools, ["bash", "coreutils"])
    base = _as_from_image(shared_store, tmp_path, [
        _owned(_info("home", tarfile.DIRTYPE), 0, 0, 0o755),
        _owned(_info("home/user", tarfile.DIRTYPE), 1000, 100, 0o750),
        _owned(_info("home/user/notes", data=b"n"), 1000, 100, 0o640),
        _owned(_info("etc", tarfile.DIRTYPE), 0, 0, 0o755),
        _owned(_info("etc/keep", data=b"k"), 0, 0, 0o644),
        _owned(_info("bin", tarfile.DIRTYPE), 0, 0, 0o555), _owned(_info("ro", tarfile.DIRTYPE), 0, 0, 0o555)])
    contents = shared_store.add_tree("contents", {"bin/tool": "t"})  # copied into the base's 0555 /bin
    env = root_layer_env(shared_store, tools["bash"] + "/bin/bash", tools["coreutils"] + "/bin", "\n".join([
        "mkdir -p /data", "chown 1000:1000 /data",
        "echo x > /x", "chmod 4755 /x",
        "echo y > /y", "chown 1000:1000 /y", "chmod 2750 /y",
        "chmod 0700 /home/user",
        "stat -c %u:%g:%a /home/user/notes > /etc/seen", "touch /ro/by-script"]), from_image=base,
        contents=contents)
    layer = unprivileged_build(shared_store, "docker-root-layer", env, "docker-layer-root")
    assert_same_as_real_root(shared_store, layer, env)
    members = layer_members(shared_store, layer)
    assert sorted(members) == ["bin", "bin/tool", "data", "etc", "etc/seen", "home", "home/user", "ro",
                               "ro/by-script", "x", "y"]
    assert _owner_mode(members["ro"]) == (0, 0, 0o555)
    assert _owner_mode(members["data"]) == (1000, 1000, 0o755)
    assert _owner_mode(members["x"]) == (0, 0, 0o4755)
    assert _owner_mode(members["y"]) == (1000, 1000, 0o2750)
    assert _owner_mode(members["home/user"]) == (1000, 100, 0o700)  # the base's owner, kept
    assert _owner_mode(members["etc"]) == (0, 0, 0o755)
    with tarfile.open(shared_store.physical(layer) + "/layer.tar") as tar:
        assert tar.extractfile("etc/seen").read() == b"1000:100:640\n"  # the script saw the base's owners


def test_static_chown_as_ordinary_user_fails_with_a_hint(shared_store):
    busybox = shared_store.add_busybox()
    with pytest.raises(BuilderFailed, match="statically linked"):
        unprivileged_root_layer(shared_store, busybox + "/bin/sh", busybox + "/bin",
                                "mkdir /data\nchown 1000 /data\n")


def _owned(pair: tuple, uid: int, gid: int, mode: int) -> tuple:
    info, data = pair
    info.uid, info.gid, info.mode = uid, gid, mode
    return info, data


@pytest.mark.parametrize("body, message", [
    ("echo s > /secret\nchmod 000 /secret\n", "owner cannot read"),
])
def test_what_an_ordinary_user_cannot_ship_is_refused(shared_store, prelude_tools, body, message):
    tools = host_tools(shared_store, prelude_tools, ["bash", "coreutils"])
    with pytest.raises(BuilderFailed, match=message):
        unprivileged_root_layer(shared_store, tools["bash"] + "/bin/bash", tools["coreutils"] + "/bin", body)


def test_without_fakeroot_an_ordinary_user_gets_a_hint(shared_store, prelude_tools):
    tools = host_tools(shared_store, prelude_tools, ["bash", "coreutils"])
    env = root_layer_env(shared_store, tools["bash"] + "/bin/bash", tools["coreutils"] + "/bin", "mkdir /data\n")
    layer = unprivileged_build(shared_store, "docker-root-layer", env, "docker-layer-root", fakeroot=False)
    assert _owner_mode(layer_members(shared_store, layer)["data"]) == (0, 0, 0o755)
    env = root_layer_env(shared_store, tools["bash"] + "/bin/bash", tools["coreutils"] + "/bin", "chown 7 /\n")
    with pytest.raises(BuilderFailed, match="fakeroot is not installed"):
        unprivileged_build(shared_store, "docker-root-layer", env, "docker-layer-root-2", fakeroot=False)
