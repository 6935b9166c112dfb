"""Images: legacy json against the seed's own jshon commands, docker-archive round trips, loaders, determinism."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import tarfile

import pytest

from docker_helpers import BASE_JSON, have, image_from_tree, make_sample_tree, rootfs_listing
from nixlite.docker.image import finish_legacy_json, layer_json, parse_json_object, repositories_json, \
    write_docker_archive
from nixlite.docker.jshon import jshon_dumps
from nixlite.docker.layer_apply import flatten_layers
from nixlite.docker.layer_tar import sort_key
from nixlite.docker.reader import read_docker_archive


def _sh(script: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["bash", "-c", script], input=stdin, capture_output=True, check=True).stdout


TARSUM = "tarsum.v1+sha256:" + "ab" * 32


def test_layer_json_and_id_match_the_seed_recipe(tmp_path) -> None:
    have("jshon")
    base = tmp_path / "base.json"
    base.write_text(BASE_JSON)
    # The seed's mkPureLayer, then its image recipe, verbatim (jshon, sha256sum).
    seed_layer_json = _sh(f'cat {base} | jshon -s "{TARSUM}" -i checksum')
    ours = layer_json(parse_json_object(BASE_JSON), TARSUM)
    assert ours == seed_layer_json
    (tmp_path / "json").write_bytes(seed_layer_json)
    parent = "cd" * 32
    seed = _sh(f'cd {tmp_path} && cat json | jshon -s "{parent}" -i parent > tmpjson && mv tmpjson json && '
               'id=$(sha256sum json | cut -d " " -f 1) && echo $id && '
               'cat json | jshon -s "$id" -i id -n 4096 -i Size').decode()
    seed_id, seed_final = seed.split("\n", 1)
    layer_id, final = finish_legacy_json(parse_json_object(ours), TARSUM, parent, 4096)
    assert (layer_id, final.decode()) == (seed_id, seed_final)


def test_repositories_match_jshon() -> None:
    have("jshon")
    seed = _sh('jshon -n object -n object -s "0123abc" -i "v1" -i "repo/name"')
    assert repositories_json("repo/name", "v1", "0123abc") == seed


@pytest.mark.parametrize("value", [
    {"s": "a/b\"\\\n\t\x01\x7f\u00e9\u2028", "n": [1, -2, 0.5, 1e100, 3.0, -0.0, 123456789012345678],
     "e": {}, "l": [], "nested": {"x": [{"y": None, "t": True, "f": False}]}},
])
def test_jshon_dumps_matches_jshon(value) -> None:
    have("jshon")
    text = json.dumps(value)
    assert jshon_dumps(json.loads(text)).encode() == _sh("jshon", text.encode())


def _archive(image, tmp_path, name="repo/test", tag="v1", compress=True) -> str:
    path = str(tmp_path / ("image.tar.gz" if compress else "image.tar"))
    with open(path, "wb") as f:
        write_docker_archive(image, f, name, tag, compress=compress)
    return path


def test_archive_layout(sample_tree, tmp_path) -> None:
    image = image_from_tree(sample_tree, str(tmp_path / "w"))
    path = _archive(image, tmp_path)
    with open(path, "rb") as f:
        head = f.read(10)
    assert head == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0
    with tarfile.open(path) as t:
        names = t.getnames()
        layer_id = image.top_id
        config_name = image.config_digest().split(":")[1] + ".json"
        assert names == sorted(names, key=sort_key)
        assert set(names) == {layer_id, f"{layer_id}/VERSION", f"{layer_id}/json", f"{layer_id}/layer.tar",
                              config_name, "manifest.json", "repositories"}
        assert t.extractfile(f"{layer_id}/VERSION").read() == b"1.0"
        manifest = json.loads(t.extractfile("manifest.json").read())
        assert manifest == [{"Config": config_name, "RepoTags": ["repo/test:v1"],
                             "Layers": [f"{layer_id}/layer.tar"]}]
        config = json.loads(t.extractfile(config_name).read())
        layer_data = t.extractfile(f"{layer_id}/layer.tar").read()
        assert config["rootfs"] == {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer_data).hexdigest()]}
        assert config["config"]["WorkingDir"] == "/data" and config["os"] == "linux"
        assert json.loads(t.extractfile("repositories").read()) == {"repo/test": {"v1": layer_id}}
        for m in t:
            assert (m.mtime, m.uid, m.gid) == (0, 0, 0)
            assert m.mode == (0o555 if m.isdir() else 0o444)


def test_round_trip_with_and_without_manifest(sample_tree, tmp_path) -> None:
    base = image_from_tree(sample_tree, str(tmp_path / "w"))
    top_tree = tmp_path / "top"
    (top_tree / "data").mkdir(parents=True)
    (top_tree / "data" / "new").write_text("on top\n")
    image = image_from_tree(str(top_tree), str(tmp_path / "w"), base=base)
    assert [json.loads(l.legacy_json).get("parent") for l in image.layers] == [None, base.top_id]
    path = _archive(image, tmp_path)
    back = read_docker_archive(path, str(tmp_path / "r1"))
    assert (back.name, back.tag) == ("repo/test", "v1")
    assert [(l.diff_id, l.legacy_id, l.legacy_json) for l in back.image.layers] == \
           [(l.diff_id, l.legacy_id, l.legacy_json) for l in image.layers]
    assert back.image.config_json() == image.config_json()
    # The seed's images have no manifest.json: the repositories + parent chain must give the same layers.
    legacy = str(tmp_path / "legacy.tar")
    with tarfile.open(path) as src, tarfile.open(legacy, "w") as dst:
        for m in src:
            top_level_json = "/" not in m.name and m.name.endswith(".json")  # manifest.json and the config
            if not top_level_json:
                dst.addfile(m, src.extractfile(m) if m.isfile() else None)
    again = read_docker_archive(legacy, str(tmp_path / "r2"))
    assert [l.diff_id for l in again.image.layers] == [l.diff_id for l in image.layers]
    assert again.image.config == image.config


def test_skopeo_and_umoci_load_it(sample_tree, tmp_path) -> None:
    have("skopeo"), have("umoci")
    image = image_from_tree(sample_tree, str(tmp_path / "w"))
    # skopeo 1.9 cannot read a gzip-compressed docker-archive (not even its own, gzipped):
    # the builder's .tar.gz is decompressed first.
    path = _archive(image, tmp_path, compress=False)
    inspect = json.loads(subprocess.run(["skopeo", "inspect", f"docker-archive:{path}"], capture_output=True,
                                        check=True).stdout)
    assert inspect["Layers"] == [image.layers[0].diff_id] and inspect["Os"] == "linux"
    oci = str(tmp_path / "oci")
    subprocess.run(["skopeo", "copy", "-q", f"docker-archive:{path}", f"oci:{oci}:v1"], check=True)
    bundle = str(tmp_path / "bundle")
    subprocess.run(["umoci", "unpack", "--image", f"{oci}:v1", bundle], check=True, capture_output=True)
    expected = make_sample_tree(str(tmp_path / "expected"))
    listing = rootfs_listing(os.path.join(bundle, "rootfs"))
    assert listing == rootfs_listing(expected)
    st = os.lstat(os.path.join(bundle, "rootfs", "a", "f"))
    assert (st.st_uid, st.st_gid) == (0, 0)


_DETERMINISM_SCRIPT = r"""
import sys
sys.path.insert(0, sys.argv[3])
from docker_helpers import image_from_tree, make_sample_tree
from nixlite.docker.image import write_docker_archive
tree = make_sample_tree(sys.argv[1] + "/tree")
image = image_from_tree(tree, sys.argv[1] + "/work")
with open(sys.argv[2], "wb") as f:
    write_docker_archive(image, f, "repo/test", "v1")
"""


def test_same_bytes_on_another_day_in_another_zone(tmp_path) -> None:
    have("faketime")
    here = os.path.dirname(os.path.abspath(__file__))
    outputs = []
    for i, (prefix, tz) in enumerate([([], "UTC"), (["faketime", "2031-07-04 23:59:59"], "Pacific/Kiritimati")]):
        out = str(tmp_path / f"img{i}.tar.gz")
        env = {**os.environ, "TZ": tz}
        subprocess.run(prefix + [sys.executable, "-c", _DETERMINISM_SCRIPT, str(tmp_path / f"run{i}"), out, here],
                       check=True, env=env, timeout=120)
        with open(out, "rb") as f:
            outputs.append(f.read())
    assert outputs[0] == outputs[1]
    assert gzip.decompress(outputs[0])  # a valid gzip stream


def test_flatten_of_layered_image(sample_tree, tmp_path) -> None:
    base = image_from_tree(sample_tree, str(tmp_path / "w"))
    top = tmp_path / "top"
    (top / "a").mkdir(parents=True)
    (top / "a" / "f").write_text("replaced\n")
    (top / ".wh.big").write_text("")
    image = image_from_tree(str(top), str(tmp_path / "w"), base=base)
    root = str(tmp_path / "root")
    fs = flatten_layers([l.tar_path for l in image.layers], root)
    assert not os.path.exists(os.path.join(root, "big"))
    with open(os.path.join(root, "a", "f")) as f:
        assert f.read() == "replaced\n"
    assert os.readlink(os.path.join(root, "link")) == "a/f"
    assert fs.meta["a"][:2] == (0, 0)


def test_image_selection_by_name_and_tag(sample_tree, tmp_path) -> None:
    from nixlite.docker.errors import ImageFormatError
    image = image_from_tree(sample_tree, str(tmp_path / "w"))
    path = _archive(image, tmp_path, name="repo/test", tag="v1", compress=False)
    for name, tag in [(None, None), ("repo/test", None), ("repo/test", "v1"), ("docker.io/repo/test", "v1"),
                      ("", "")]:
        loaded = read_docker_archive(path, str(tmp_path / "r"), name, tag)
        assert (loaded.name, loaded.tag) == ("repo/test", "v1")
    for name, tag in [("other", None), ("repo/test", "v2")]:
        with pytest.raises(ImageFormatError, match="no image"):
            read_docker_archive(path, str(tmp_path / "r"), name, tag)


def test_flatten_keeps_recorded_owners_for_export(tmp_path) -> None:
    import io
    from nixlite.docker.layer_tar import scan_tree, write_layer
    from nixlite.docker import tar_format as tf
    layer = tmp_path / "l.tar"
    with tarfile.open(layer, "w") as t:
        for name, uid in (("home", 0), ("home/user", 1000), ("home/user/file", 1000)):
            info = tarfile.TarInfo(name)
            info.uid = info.gid = uid
            if name.endswith("file"):
                info.size = 2
                t.addfile(info, io.BytesIO(b"hi"))
            else:
                info.type, info.mode = tarfile.DIRTYPE, 0o700 if uid else 0o755
                t.addfile(info)
    fs = flatten_layers([str(layer)], str(tmp_path / "root"))
    out = io.BytesIO()
    write_layer(out, scan_tree(fs.root, owners=fs.owners()))
    members = {m.name: m for m in tf.iter_members(out.getvalue())}
    assert (members["home/user/"].uid, members["home/user/"].mode) == (1000, 0o700)
    assert members["home/user/file"].gid == 1000 and members["home/"].uid == 0
