"""Hostile base images: crafted with Python's tarfile; refused or neutralised, never writing outside the root."""

from __future__ import annotations

import io
import json
import os
import tarfile

import pytest

from docker_helpers import image_from_tree
from nixlite.docker.errors import ImageFormatError
from nixlite.docker.image import write_docker_archive
from nixlite.docker.layer_apply import Rootfs, apply_layer, flatten_layers, image_paths
from nixlite.docker.reader import read_docker_archive


def _tar(members: list[tuple]) -> bytes:
    """members: (name, kind, payload) with kind file/dir/symlink/hardlink/chr; payload = data or link target."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                t.addfile(info, io.BytesIO(payload))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                         "chr": tarfile.CHRTYPE}[kind]
            if kind in ("symlink", "hardlink"):
                info.linkname = payload
            if kind == "chr":
                info.devmajor, info.devminor = 1, 3
            t.addfile(info)
    return out.getvalue()


@pytest.fixture
def sandbox(tmp_path):
    """(root, outside): the root to extract into and a sibling directory that must stay untouched."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("do not touch\n")
    root = tmp_path / "box" / "root"
    root.mkdir(parents=True)
    return str(root), str(outside)


def _apply(root: str, members: list[tuple]) -> Rootfs:
    fs = Rootfs(root)
    apply_layer(fs, io.BytesIO(_tar(members)))
    fs.finish()
    return fs


def _untouched(outside: str) -> None:
    assert sorted(os.listdir(outside)) == ["secret"]
    with open(os.path.join(outside, "secret")) as f:
        assert f.read() == "do not touch\n"
    assert not os.path.exists(os.path.join(os.path.dirname(outside), "pwned"))
    assert not os.path.exists(os.path.join(os.path.dirname(outside), "box", "pwned"))


@pytest.mark.parametrize("name", ["../pwned", "a/../../pwned", "./../pwned", "../box/pwned"])
def test_climbing_names_are_refused(sandbox, name) -> None:
    root, outside = sandbox
    with pytest.raises(ImageFormatError, match="outside the image root"):
        _apply(root, [(name, "file", b"x")])
    _untouched(outside)


def test_absolute_names_land_inside(sandbox) -> None:
    root, outside = sandbox
    _apply(root, [(outside + "/pwned", "file", b"x"), ("/etc/passwd", "file", b"root:x:0:0::/:/bin/sh\n")])
    assert os.path.isfile(os.path.join(root, outside.lstrip("/"), "pwned"))
    assert os.path.isfile(os.path.join(root, "etc", "passwd"))
    _untouched(outside)


@pytest.mark.parametrize("target", ["OUTSIDE", "../../OUTSIDE", "../../../../../../../../OUTSIDE", "/"])
def test_writes_through_escaping_symlinks_stay_inside(sandbox, target) -> None:
    root, outside = sandbox
    target = target.replace("OUTSIDE", outside if target == "OUTSIDE" else os.path.basename(outside))
    fs = _apply(root, [("esc", "symlink", target), ("esc/pwned", "file", b"x"), ("esc/secret", "file", b"over")])
    _untouched(outside)
    assert os.path.islink(os.path.join(root, "esc"))
    # Written where a chroot would have put it: the symlink re-anchored at the root.
    landed = os.path.normpath(os.path.join(root, fs.resolve_dir("esc"), "pwned"))
    assert landed.startswith(root + "/") and os.path.isfile(landed)


def test_symlink_in_place_of_the_file_is_replaced_not_followed(sandbox) -> None:
    root, outside = sandbox
    _apply(root, [("victim", "symlink", outside + "/secret"), ("victim", "file", b"new")])
    _untouched(outside)
    assert not os.path.islink(os.path.join(root, "victim"))
    with open(os.path.join(root, "victim"), "rb") as f:
        assert f.read() == b"new"


@pytest.mark.parametrize("link", ["../../outside/secret", "OUTSIDE/secret", "esc/secret"])
def test_hard_links_to_outside_are_refused(sandbox, link) -> None:
    root, outside = sandbox
    link = link.replace("OUTSIDE", outside)
    with pytest.raises(ImageFormatError):
        _apply(root, [("esc", "symlink", outside), ("hl", "hardlink", link)])
    assert os.stat(os.path.join(outside, "secret")).st_nlink == 1
    _untouched(outside)


def test_hard_link_inside_works(sandbox) -> None:
    root, _ = sandbox
    _apply(root, [("a", "file", b"data"), ("b", "hardlink", "a")])
    assert os.path.samefile(os.path.join(root, "a"), os.path.join(root, "b"))


def test_device_nodes_are_skipped(sandbox) -> None:
    root, _ = sandbox
    fs = _apply(root, [("dev/null", "chr", None), ("dev/ok", "file", b"")])
    assert fs.skipped == ["dev/null"] and not os.path.exists(os.path.join(root, "dev", "null"))


@pytest.mark.parametrize("name", [".wh..", ".wh...", "sub/.wh.."])
def test_whiteouts_cannot_delete_the_root_or_above(sandbox, name) -> None:
    root, outside = sandbox
    with pytest.raises(ImageFormatError, match="whiteout"):
        _apply(root, [("sub/keep", "file", b"k"), (name, "file", b"")])
    assert os.path.isdir(root)
    _untouched(outside)


def test_whiteout_through_escaping_symlink_stays_inside(sandbox) -> None:
    root, outside = sandbox
    _apply(root, [("esc", "symlink", outside), ("esc/.wh.secret", "file", b"")])
    _untouched(outside)


def test_symlink_loops_and_files_as_directories(sandbox) -> None:
    root, _ = sandbox
    with pytest.raises(ImageFormatError, match="symbolic links"):
        _apply(root, [("a", "symlink", "b"), ("b", "symlink", "a"), ("a/x", "file", b"")])
    with pytest.raises(ImageFormatError, match="not a directory"):
        _apply(root, [("f", "file", b""), ("f/x", "file", b"")])


def test_whiteouts_and_opaque_directories(sandbox) -> None:
    root, _ = sandbox
    fs = Rootfs(root)
    apply_layer(fs, io.BytesIO(_tar([("d/old", "file", b"1"), ("d/sub/x", "file", b"2"), ("gone", "file", b"3"),
                                     ("keep", "file", b"4")])))
    apply_layer(fs, io.BytesIO(_tar([("d/-new", "file", b"5"), ("d/.wh..wh..opq", "file", b""),
                                     (".wh.gone", "file", b"")])))
    fs.finish()
    assert sorted(os.listdir(root)) == ["d", "keep"]
    assert os.listdir(os.path.join(root, "d")) == ["-new"]  # created by this layer before the opaque marker
    assert "gone" not in fs.meta and "d/old" not in fs.meta


def test_image_paths_follow_whiteouts(tmp_path) -> None:
    lower, upper = tmp_path / "l.tar", tmp_path / "u.tar"
    lower.write_bytes(_tar([("a/b", "file", b""), ("c", "file", b""), ("d/e", "file", b"")]))
    upper.write_bytes(_tar([("a/.wh.b", "file", b""), ("d/.wh..wh..opq", "file", b""), ("f", "file", b"")]))
    # Parents count as present even without their own entry (tar extraction creates them).
    assert image_paths([str(lower), str(upper)]) == {"/a", "/c", "/d", "/f"}


# ---------------------------------------------------------------- the archive around the layers

def _archive_with(tmp_path, members: list[tuple]) -> str:
    path = str(tmp_path / "hostile.tar")
    with open(path, "wb") as f:
        f.write(_tar(members))
    return path


def test_archive_member_names_never_place_files(tmp_path, sandbox) -> None:
    _, outside = sandbox
    path = _archive_with(tmp_path, [("../../pwned", "file", b"x"), (outside + "/pwned", "file", b"x"),
                                    ("repositories", "file", b'{"x":{"latest":"../../pwned"}}')])
    workdir = str(tmp_path / "work")
    with pytest.raises(ImageFormatError):
        read_docker_archive(path, workdir)
    _untouched(outside)
    assert all(name.startswith("member-") for name in os.listdir(workdir))


@pytest.mark.parametrize("layer_ref", ["../../outside/secret", "OUTSIDE/secret", "link/layer.tar"])
def test_manifest_cannot_point_outside_the_archive(tmp_path, sandbox, layer_ref) -> None:
    _, outside = sandbox
    manifest = [{"Config": "c.json", "RepoTags": ["x:y"], "Layers": [layer_ref.replace("OUTSIDE", outside)]}]
    config = {"rootfs": {"type": "layers", "diff_ids": ["sha256:" + "0" * 64]}}
    path = _archive_with(tmp_path, [("manifest.json", "file", json.dumps(manifest).encode()),
                                    ("c.json", "file", json.dumps(config).encode()),
                                    ("link", "symlink", outside)])
    with pytest.raises(ImageFormatError, match="missing"):
        read_docker_archive(path, str(tmp_path / "work"))


def test_layer_not_matching_its_diff_id_is_refused(sample_tree, tmp_path) -> None:
    image = image_from_tree(sample_tree, str(tmp_path / "w"))
    good = str(tmp_path / "good.tar")
    with open(good, "wb") as f:
        write_docker_archive(image, f, "x", "y", compress=False)
    bad = str(tmp_path / "bad.tar")
    with tarfile.open(good) as src, tarfile.open(bad, "w") as dst:
        for m in src:
            data = src.extractfile(m).read() if m.isfile() else None
            if m.name.endswith("layer.tar"):
                data = data[:600] + bytes([data[600] ^ 1]) + data[601:]  # one bit flipped in a header
            dst.addfile(m, io.BytesIO(data) if data is not None else None)
    with pytest.raises(ImageFormatError, match="does not match its diff_id"):
        read_docker_archive(bad, str(tmp_path / "work"))


def test_flatten_of_truncated_layer_is_an_error(tmp_path) -> None:
    layer = tmp_path / "l.tar"
    layer.write_bytes(_tar([("f", "file", b"x" * 4096)])[:1024])
    with pytest.raises(ImageFormatError, match="end of archive"):
        flatten_layers([str(layer)], str(tmp_path / "root"))


def test_listing_a_truncated_layer_is_an_error(tmp_path) -> None:
    layer = tmp_path / "l.tar"
    layer.write_bytes(_tar([("f", "file", b"x" * 40000), ("g", "file", b"")])[:4096])
    with pytest.raises(ImageFormatError, match="end of archive"):
        image_paths([str(layer)])


@pytest.mark.parametrize("manifest, repositories", [
    ([{"Config": 5, "Layers": [1]}], None),
    ({"not": "a list"}, None),
    ([["x"]], None),
    (None, {"x": {"latest": {"id": 1}}}),
    (None, {"x": ["latest"]}),
    (None, {"x": {"latest": "a" * 64}}),
])
def test_malformed_metadata_is_an_image_error(tmp_path, manifest, repositories) -> None:
    members = []
    if manifest is not None:
        members.append(("manifest.json", "file", json.dumps(manifest).encode()))
    if repositories is not None:
        members.append(("repositories", "file", json.dumps(repositories).encode()))
        members.append(("a" * 64 + "/json", "file", b'{"parent": ["x"]}'))
        members.append(("a" * 64 + "/layer.tar", "file", b"\0" * 1024))
    with pytest.raises(ImageFormatError):
        read_docker_archive(_archive_with(tmp_path, members), str(tmp_path / "work"))
