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
import tarfile

import pytest

from nixlite.build.python_builders import BuilderFailed
from nixlite.docker.errors import ImageFormatError
from nixlite.docker.rootfs import Fingerprint, diff_trees

from test_builders import layer_members, pure_layer, read_image
from test_builders_harness import FakeStore, build_image, run_builder


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
