"""The layer tar writer: contents, order, ownership, readers' view, hashes, streaming."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile

import pytest

from nixlite.docker import tar_format as tf
from nixlite.docker.errors import ImageFormatError
from nixlite.docker.layer_tar import Entry, directory_entries, entries_from_tar, merge_sorted, scan_tree, \
    sort_key, write_layer, write_layer_file


def _layer(tree: str, tmp_path, **kwargs) -> tuple[str, object]:
    path = str(tmp_path / "layer.tar")
    return path, write_layer_file(path, scan_tree(tree, **kwargs))


def test_python_tarfile_reads_every_entry(sample_tree, tmp_path) -> None:
    path, digests = _layer(sample_tree, tmp_path)
    with tarfile.open(path) as t:
        members = {m.name: m for m in t}
        assert members["a/f"].mode == 0o4755 and members["a/f"].isfile()
        assert t.extractfile("a/f").read() == b"hello\n"
        assert members["hard"].islnk() and members["hard"].linkname == "a/f"
        assert members["link"].issym() and members["link"].linkname == "a/f"
        assert members["longlink"].linkname == "/nix/store/" + "t" * 120
        assert members["fifo"].isfifo()
        assert members["emptydir"].isdir()
        assert members["ro"].mode == 0o444
        assert members["caf\u00e9"].isfile()
        long_name = "long/" + "d" * 120 + "/" + "x" * 150
        assert t.extractfile(long_name).read() == b"long name\n"
        assert members["empty"].pax_headers["SCHILY.xattr.user.nixlite"] == "value\x00binary"
        for m in members.values():
            assert (m.mtime, m.uid, m.gid, m.uname, m.gname) == (0, 0, 0, "", "")
    with open(path, "rb") as f:
        data = f.read()
    assert digests.diff_id == "sha256:" + hashlib.sha256(data).hexdigest()
    assert digests.size == len(data) and len(data) % 512 == 0


def test_gnu_tar_lists_the_same_names(sample_tree, tmp_path) -> None:
    path, _ = _layer(sample_tree, tmp_path)
    listed = subprocess.run(["tar", "-tf", path], capture_output=True, text=True, check=True).stdout.split("\n")
    with tarfile.open(path) as t:
        ours = [m.name + ("/" if m.isdir() else "") for m in t]
    assert [n for n in listed if n] == ours


def test_order_is_by_path_components_like_gnu_tar_sort_name(tmp_path) -> None:
    tree = tmp_path / "t"
    for d in ("a", "a-b", "a/c", "B"):
        (tree / d).mkdir(parents=True)
    (tree / "a" / "z").write_text("")
    path, _ = _layer(str(tree), tmp_path)
    with tarfile.open(path) as t:
        ours = [m.name for m in t]
    assert ours == ["B", "a", "a/c", "a/z", "a-b"]
    gnu = subprocess.run(["tar", "--sort=name", "-C", str(tree), "-cf", "-", "."], capture_output=True, check=True)
    listed = subprocess.run(["tar", "-tf", "-"], input=gnu.stdout, capture_output=True, check=True).stdout.decode()
    assert [n.removeprefix("./").rstrip("/") for n in listed.split("\n") if n not in ("", "./")] == ours


def test_ownership_map_is_recorded(sample_tree, tmp_path) -> None:
    path, _ = _layer(sample_tree, tmp_path, owners={"a": (101, 102), "a/f": (1000, 1000)})
    with tarfile.open(path) as t:
        assert (t.getmember("a").uid, t.getmember("a").gid) == (101, 102)
        assert (t.getmember("a/f").uid, t.getmember("a/f").gid) == (1000, 1000)
        assert (t.getmember("big").uid, t.getmember("big").gid) == (0, 0)


def test_device_nodes_only_when_asked(tmp_path) -> None:
    tree = tmp_path / "t"
    tree.mkdir()
    os.mknod(tree / "null", 0o20666, os.makedev(1, 3))  # CI runs as root; so does this machine
    with pytest.raises(ImageFormatError, match="device node"):
        _layer(str(tree), tmp_path)
    path, _ = _layer(str(tree), tmp_path, devices=True)
    with tarfile.open(path) as t:
        m = t.getmember("null")
        assert m.ischr() and (m.devmajor, m.devminor) == (1, 3)


def test_prefix_merge_and_exclude(sample_tree, tmp_path) -> None:
    store = tmp_path / "store"
    (store / "abc-pkg" / "bin").mkdir(parents=True)
    (store / "abc-pkg" / "bin" / "tool").write_text("#!/bin/sh\n")
    extra = directory_entries("nix/store") + list(scan_tree(str(store), "nix/store"))
    merged = merge_sorted(scan_tree(sample_tree, exclude=lambda n: n.startswith("long")), extra)
    out = io.BytesIO()
    write_layer(out, merged)
    names = [m.name for m in tf.iter_members(out.getvalue())]
    assert "nix/store/abc-pkg/bin/tool" in names and not any(n.startswith("long") for n in names)
    assert names == sorted(names, key=lambda n: sort_key(n.rstrip("/")))


def test_unsorted_or_duplicate_entries_are_refused() -> None:
    with pytest.raises(ImageFormatError, match="out of order"):
        write_layer(io.BytesIO(), [Entry("b", data=b"", size=0), Entry("a", data=b"", size=0)])
    with pytest.raises(ImageFormatError, match="out of order"):
        write_layer(io.BytesIO(), [Entry("a", data=b"", size=0), Entry("a", data=b"", size=0)])


def test_file_changing_size_is_an_error(tmp_path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"12345")
    with pytest.raises(ImageFormatError, match="changed size"):
        write_layer(io.BytesIO(), [Entry("f", size=3, source=str(f))])


def test_round_trip_through_entries_from_tar(sample_tree, tmp_path) -> None:
    path, first = _layer(sample_tree, tmp_path)
    with open(path, "rb") as f:
        again = io.BytesIO()
        second = write_layer(again, entries_from_tar(tf.TarReader(f)))
    with open(path, "rb") as f:
        assert again.getvalue() == f.read()
    assert (second.diff_id, second.tarsum) == (first.diff_id, first.tarsum)


def test_pax_for_large_ids_and_non_ascii_link() -> None:
    out = io.BytesIO()
    write_layer(out, [Entry("f", uid=3_000_000, gid=5, linkname="", data=b"x", size=1),
                      Entry("l", typeflag=tf.SYMLINK, mode=0o777, linkname="\u00e9" * 60)])
    with tarfile.open(fileobj=io.BytesIO(out.getvalue())) as t:
        assert t.getmember("f").uid == 3_000_000
        assert t.getmember("l").linkname == "\u00e9" * 60
    members = tf.iter_members(out.getvalue())
    assert members[0].uid == 3_000_000 and members[1].linkname == "\u00e9" * 60


_STREAM_SCRIPT = r"""
import os, resource, sys
from nixlite.docker.layer_tar import scan_tree, write_layer
tree = sys.argv[1]
with open(os.devnull, "wb") as out:
    write_layer(out, scan_tree(tree))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_memory_does_not_grow_with_file_size(tmp_path) -> None:
    def peak_kib(size: int) -> int:
        tree = tmp_path / f"t{size}"
        tree.mkdir()
        with open(tree / "big", "wb") as f:
            f.truncate(size)  # sparse: cheap to make, still read in full
        run = subprocess.run([sys.executable, "-c", _STREAM_SCRIPT, str(tree)], capture_output=True, text=True,
                             check=True)
        return int(run.stdout)

    small, large = peak_kib(8 << 20), peak_kib(512 << 20)
    assert large - small < 16 * 1024, (small, large)
