"""OCI image layout: structure, digest vs diff_id, umoci and skopeo, reading it back."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess

from docker_helpers import have, image_from_tree, make_sample_tree, rootfs_listing
from nixlite.docker.oci import MEDIA_CONFIG, MEDIA_LAYER_GZIP, MEDIA_MANIFEST, write_oci_layout
from nixlite.docker.reader import read_docker_archive


def _blob(layout: str, digest: str) -> bytes:
    with open(os.path.join(layout, "blobs", "sha256", digest.split(":")[1]), "rb") as f:
        data = f.read()
    assert "sha256:" + hashlib.sha256(data).hexdigest() == digest
    return data


def test_layout_structure(sample_tree, tmp_path) -> None:
    image = image_from_tree(sample_tree, str(tmp_path / "w"))
    layout = str(tmp_path / "oci")
    descriptor = write_oci_layout(image, layout, "v1")
    with open(os.path.join(layout, "oci-layout")) as f:
        assert json.load(f) == {"imageLayoutVersion": "1.0.0"}
    with open(os.path.join(layout, "index.json")) as f:
        index = json.load(f)
    entry = index["manifests"][0]
    assert entry["digest"] == descriptor.digest and entry["annotations"] == {"org.opencontainers.image.ref.name": "v1"}
    manifest = json.loads(_blob(layout, descriptor.digest))
    assert manifest["mediaType"] == MEDIA_MANIFEST and manifest["config"]["mediaType"] == MEDIA_CONFIG
    assert _blob(layout, manifest["config"]["digest"]) == image.config_json()
    (layer,) = manifest["layers"]
    assert layer["mediaType"] == MEDIA_LAYER_GZIP
    compressed = _blob(layout, layer["digest"])
    assert layer["size"] == len(compressed)
    assert layer["digest"] != image.layers[0].diff_id  # digest of the blob, not the diff_id
    assert "sha256:" + hashlib.sha256(gzip.decompress(compressed)).hexdigest() == image.layers[0].diff_id
    assert not [n for n in os.listdir(os.path.join(layout, "blobs", "sha256")) if len(n) != 64]


def test_umoci_unpacks_and_skopeo_reads(sample_tree, tmp_path) -> None:
    have("umoci"), have("skopeo")
    base = image_from_tree(sample_tree, str(tmp_path / "w"))
    top = tmp_path / "top"
    (top / "data").mkdir(parents=True)
    (top / "data" / "x").write_text("x\n")
    (top / ".wh.big").write_text("")
    image = image_from_tree(str(top), str(tmp_path / "w"), base=base)
    layout = str(tmp_path / "oci")
    write_oci_layout(image, layout, "v2")
    bundle = str(tmp_path / "bundle")
    subprocess.run(["umoci", "unpack", "--image", f"{layout}:v2", bundle], check=True, capture_output=True)
    expected = make_sample_tree(str(tmp_path / "expected"))
    os.remove(os.path.join(expected, "big"))
    os.makedirs(os.path.join(expected, "data"))
    with open(os.path.join(expected, "data", "x"), "w") as f:
        f.write("x\n")
    assert rootfs_listing(os.path.join(bundle, "rootfs")) == rootfs_listing(expected)
    inspect = json.loads(subprocess.run(["skopeo", "inspect", f"oci:{layout}:v2"], capture_output=True,
                                        check=True).stdout)
    assert len(inspect["Layers"]) == 2
    back = read_docker_archive(layout, str(tmp_path / "r"), tag="v2")
    assert [l.diff_id for l in back.image.layers] == [l.diff_id for l in image.layers]
    assert back.image.config_json() == image.config_json()


def test_deterministic_layout(sample_tree, tmp_path) -> None:
    image = image_from_tree(sample_tree, str(tmp_path / "w"))
    first = write_oci_layout(image, str(tmp_path / "a"), "t")
    second = write_oci_layout(image, str(tmp_path / "b"), "t")
    assert first == second
