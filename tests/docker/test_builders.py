"""The dockerTools builders called directly: pure layers, images, the tarsum tool, OCI and export.

Expected values come from independent sources: real `rsync -ak` for the
contents merge, Python's tarfile / hashlib and the tarsum module (checked
against Docker's own code in test_tarsum.py) for the archives, umoci for
the OCI layout.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import subprocess
import tarfile

import pytest

from nixlite.build.python_builders import BuilderFailed
from nixlite.docker.jshon import jshon_dumps
from nixlite.docker.tarsum import tarsum_of_file, tarsum_of_stream

from docker_helpers import rootfs_listing
from test_builders_harness import FakeStore, build_image, run_builder


@pytest.fixture
def store(tmp_path):
    return FakeStore(str(tmp_path / "root"))


def layer_members(store: FakeStore, layer: str) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(store.physical(layer) + "/layer.tar") as tar:
        return {m.name: m for m in tar.getmembers()}


def pure_layer(store, contents, extra="", config=None, name="docker-layer-t"):
    base = store.base_json(config, name=f"{name}-config.json")
    layer = run_builder(store, "docker-layer", {"baseJson": base, "contents": " ".join(contents),
                                                "extraCommands": extra}, name)
    return layer, base


# ------------------------------------------------------------ contents: rsync -ak

def _merge_items(store):
    # etc/conf differs in size: rsync's quick check skips a file of equal size and mtime (store
    # files all have mtime 1), keeping the EARLIER one; nixlite lets the later item win (see
    # contents_tree), so only a size difference makes real rsync an oracle here.
    b = store.add_tree("b", {"share/doc/readme": "b-doc", "etc/conf": "from b, longer", "etc/extra": "extra",
                             "thing/inside": "dir wins", "empty": "file replaces an empty dir"})
    b_name = os.path.basename(b)
    a = store.add_tree("a", {"bin/tool": ("mode", "#!/bin/sh\n", 0o555), "etc/conf": ("mode", "from a", 0o444),
                             "share": ("link", f"../{b_name}/share"), "dangling": ("link", "no/such/file"),
                             "lib/libx.so": ("mode", "x", 0o555), "thing": "a file first", "empty": ("dir",),
                             "rel": ("link", "bin/tool")})
    os.chmod(store.physical(a) + "/lib", 0o555)
    return a, b


def _layer_listing(store, layer) -> dict[str, tuple]:
    listing = {}
    with tarfile.open(store.physical(layer) + "/layer.tar") as tar:
        for m in tar.getmembers():
            if m.issym():
                listing[m.name] = ("symlink", m.linkname)
            elif m.isdir():
                listing[m.name] = ("dir", m.mode)
            else:
                listing[m.name] = ("file", m.mode, hashlib.sha256(tar.extractfile(m).read()).hexdigest())
    return listing


def test_contents_merge_matches_real_rsync(store, tmp_path):
    a, b = _merge_items(store)
    dest = tmp_path / "rsync-layer"
    dest.mkdir()
    for item in (a, b):
        subprocess.run(["rsync", "-ak", store.physical(item) + "/", str(dest) + "/"], check=True)
    layer, _ = pure_layer(store, [a, b])
    assert _layer_listing(store, layer) == rootfs_listing(str(dest))


def test_contents_file_over_nonempty_directory_fails_like_rsync(store, tmp_path):
    a = store.add_tree("a", {"x/y": "inside"})
    b = store.add_tree("b", {"x": "a file"})
    dest = tmp_path / "rsync-layer"
    dest.mkdir()
    statuses = [subprocess.run(["rsync", "-ak", store.physical(i) + "/", str(dest) + "/"],
                               capture_output=True).returncode for i in (a, b)]
    assert statuses[0] == 0 and statuses[1] != 0
    with pytest.raises(BuilderFailed, match="non-empty directory"):
        pure_layer(store, [a, b])


def test_contents_symlink_to_store_directory_is_followed(store):
    """An absolute /nix/store link resolves through the physical store, as in Nix's sandbox."""
    target = store.add_tree("target", {"bin/prog": "p"})
    item = store.add_tree("item", {"bin": ("link", target + "/bin"), "host": ("link", "/usr")})
    members = layer_members(store, pure_layer(store, [item])[0])
    assert members["bin"].isdir() and members["bin/prog"].isfile()
    assert members["host"].issym() and members["host"].linkname == "/usr"  # the host is not visible


# ------------------------------------------------------------ pure layer outputs

def test_pure_layer_outputs(store):
    item = store.add_tree("item", {"etc/motd": "hi"})
    layer, base = pure_layer(store, [item], config={"Cmd": ["/bin/sh"]})
    out = store.physical(layer)
    assert sorted(os.listdir(out)) == ["VERSION", "json", "layer.tar"]
    assert open(out + "/VERSION", "rb").read() == b"1.0"
    base_value = json.loads(open(store.physical(base)).read())
    expected = jshon_dumps({**base_value, "checksum": tarsum_of_file(out + "/layer.tar")})
    assert open(out + "/json").read() == expected
    with tarfile.open(out + "/layer.tar") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["etc", "etc/motd"]
    assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 and m.uname == "" for m in members)


def test_extra_commands_run_in_the_layer(store):
    item = store.add_tree("item", {"etc/motd": "hi"})
    os.chmod(store.physical(item) + "/etc", 0o555)
    layer, _ = pure_layer(store, [item], extra='mkdir -p tmp\nchmod 1777 tmp\necho "$out" > etc/out-path\n')
    members = layer_members(store, layer)
    assert members["tmp"].isdir() and members["tmp"].mode == 0o1777
    assert members["etc"].mode == 0o555
    with tarfile.open(store.physical(layer) + "/layer.tar") as tar:
        assert tar.extractfile("etc/out-path").read().decode().strip() == layer


def test_extra_commands_failure_fails_the_build(store):
    with pytest.raises(BuilderFailed, match="extraCommands failed"):
        pure_layer(store, [], extra="true\nfalse\ntouch never")


# ------------------------------------------------------------ the image

def read_image(store: FakeStore, image: str) -> dict[str, bytes]:
    with gzip.open(store.physical(image)) as f, tarfile.open(fileobj=io.BytesIO(f.read())) as tar:
        return {m.name: (tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()}


def _check_layer_json(files: dict[str, bytes], layer_id: str, parent: str | None) -> dict:
    """checksum = tarsum of the FINAL layer.tar; id = sha256 of the json before id/Size; Size."""
    text = files[f"{layer_id}/json"].decode()
    value = json.loads(text)
    layer_tar = files[f"{layer_id}/layer.tar"]
    assert value["checksum"] == tarsum_of_stream(io.BytesIO(layer_tar))
    assert value.get("parent") == parent
    assert value["Size"] == len(layer_tar)
    without = {k: v for k, v in value.items() if k not in ("id", "Size")}
    assert hashlib.sha256(jshon_dumps(without).encode()).hexdigest() == value["id"] == layer_id
    assert text == jshon_dumps(value)
    return value


def test_image_adds_the_closure_and_metadata(store):
    dep = store.add_tree("dep", {"lib/libdep.so": "dep"})
    item = store.add_tree("item", {"bin/prog": ("link", dep + "/lib/libdep.so")})
    layer, base = pure_layer(store, [item], config={"Cmd": [dep + "/lib/libdep.so"]})
    image = build_image(store, layer, [item, dep, base], base, name="repo/app", tag="v1")
    files = read_image(store, image)
    repositories = json.loads(files["repositories"])
    layer_id = repositories["repo/app"]["v1"]
    value = _check_layer_json(files, layer_id, None)
    assert value["config"] == {"Cmd": [dep + "/lib/libdep.so"]}
    manifest = json.loads(files["manifest.json"])
    assert manifest == [{"Config": manifest[0]["Config"], "RepoTags": ["repo/app:v1"],
                         "Layers": [f"{layer_id}/layer.tar"]}]
    config = json.loads(files[manifest[0]["Config"]])
    assert manifest[0]["Config"] == hashlib.sha256(files[manifest[0]["Config"]]).hexdigest() + ".json"
    assert config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(files[f"{layer_id}/layer.tar"]).hexdigest()]
    with tarfile.open(fileobj=io.BytesIO(files[f"{layer_id}/layer.tar"])) as tar:
        names = [m.name for m in tar.getmembers()]
    store_names = [n for n in names if n == "nix" or n.startswith("nix/")]
    expected_store = ["nix", "nix/store"] + sorted(
        [p.lstrip("/") for p in (item, dep, base)]
        + [dep.lstrip("/") + "/lib", dep.lstrip("/") + "/lib/libdep.so", item.lstrip("/") + "/bin",
           item.lstrip("/") + "/bin/prog"])
    assert sorted(store_names) == sorted(expected_store)
    assert layer.lstrip("/") not in " ".join(names)  # the layer itself is not added
    assert names == sorted(names, key=lambda n: n.encode().split(b"/"))


def test_image_from_image_keeps_base_layers_and_skips_their_files(store):
    busybox = store.add_busybox()
    base_layer, base_json = pure_layer(store, [busybox], name="docker-layer-base")
    base_image = build_image(store, base_layer, [busybox, base_json], base_json, name="base")
    extra = store.add_tree("extra", {"etc/extra": "x"})
    top_layer, top_json = pure_layer(store, [extra], config={"Cmd": ["/bin/sh"]}, name="docker-layer-top")
    image = build_image(store, top_layer, [extra, busybox, top_json], top_json, name="top", from_image=base_image)
    base_files, files = read_image(store, base_image), read_image(store, image)
    base_id = json.loads(base_files["repositories"])["base"]["latest"]
    top_id = json.loads(files["repositories"])["top"]["latest"]
    _check_layer_json(files, top_id, base_id)
    assert files[f"{base_id}/layer.tar"] == base_files[f"{base_id}/layer.tar"]
    assert json.loads(files["manifest.json"])[0]["Layers"] == [f"{base_id}/layer.tar", f"{top_id}/layer.tar"]
    with tarfile.open(fileobj=io.BytesIO(files[f"{top_id}/layer.tar"])) as tar:
        names = [m.name for m in tar.getmembers()]
    assert not any(busybox.lstrip("/") in n for n in names)  # already in the base
    assert "nix" not in names and extra.lstrip("/") in names


def test_tarsum_tool(store):
    item = store.add_tree("item", {"a": "a", "d/b": "b"})
    layer, _ = pure_layer(store, [item])
    tool = run_builder(store, "tarsum", {}, "tarsum")
    with open(store.physical(layer) + "/layer.tar", "rb") as f:
        printed = subprocess.run([store.physical(tool)], stdin=f, capture_output=True, text=True, check=True).stdout
    assert printed == tarsum_of_file(store.physical(layer) + "/layer.tar") + "\n"


def test_oci_layout_and_export(store, tmp_path):
    item = store.add_tree("item", {"etc/motd": "hi", "bin/x": ("mode", "x", 0o555)})
    layer, base = pure_layer(store, [item])
    image = build_image(store, layer, [item, base], base, name="app", tag="v3")
    oci = run_builder(store, "docker-oci", {"image": image}, "docker-image-app-oci")
    bundle = tmp_path / "bundle"
    subprocess.run(["umoci", "unpack", "--image", f"{store.physical(oci)}:v3", str(bundle)], check=True,
                   capture_output=True)
    assert (bundle / "rootfs/etc/motd").read_text() == "hi"
    assert stat.S_IMODE(os.lstat(bundle / "rootfs/bin/x").st_mode) == 0o555
    exported = run_builder(store, "docker-export", {"fromImage": image, "fromImageName": "", "fromImageTag": ""},
                           "app-export.tar")
    with tarfile.open(store.physical(exported)) as tar:
        names = tar.getnames()
        assert tar.extractfile("etc/motd").read() == b"hi"
    assert "nix/store" in names and item.lstrip("/") + "/etc/motd" in names
