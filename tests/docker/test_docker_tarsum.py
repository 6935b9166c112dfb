"""tarsum v1 against Docker's own implementation (pkg/tarsum built from Debian's source with golang-go).

Vectors: tars written by nixlite's layer writer and by Python's tarfile in
GNU and PAX formats (so the reader side is exercised on foreign layouts),
covering long names, symlinks, hard links, empty files, directories,
xattrs, a multi-megabyte file, duplicate names, and Docker's own testdata.
"""

from __future__ import annotations

import glob
import io
import os
import tarfile

import pytest

from docker_helpers import docker_tarsum
from nixlite.docker.layer_tar import scan_tree, write_layer_file
from nixlite.docker.tarsum import header_bytes, tarsum_of_file
from nixlite.docker.tar_format import Member
from docker_helpers import DOCKER_SRC


def test_header_bytes_layout() -> None:
    # Field order and spelling from pkg/tarsum/versioning.go (v1TarHeaderSelect); uname/gname hashed empty.
    m = Member(name="a/b", mode=0o755, uid=1, gid=2, size=3, typeflag="0", uname="root", gname="wheel",
               xattrs={"user.z": b"2", "user.a": b"1"})
    assert header_bytes(m) == (b"namea/bmode493uid1gid2size3typeflag0linkname"
                               b"unamegnamedevmajor0devminor0user.a1user.z2")


def test_layer_writer_tarsum_matches_docker(go_tarsum, sample_tree, tmp_path) -> None:
    out = str(tmp_path / "layer.tar")
    digests = write_layer_file(out, scan_tree(sample_tree))
    assert digests.tarsum == docker_tarsum(go_tarsum, out)
    assert digests.tarsum == tarsum_of_file(out)


def _tarfile_vector(path: str, fmt: int, tree: str) -> None:
    with tarfile.open(path, "w", format=fmt) as t:
        t.add(tree, arcname=".")
        info = tarfile.TarInfo("./dup")
        data = b"first"
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
        info2 = tarfile.TarInfo("dup")
        info2.size = 6
        t.addfile(info2, io.BytesIO(b"second"))


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT], ids=["gnu", "pax"])
def test_foreign_tars_match_docker(go_tarsum, sample_tree, tmp_path, fmt) -> None:
    path = str(tmp_path / "foreign.tar")
    _tarfile_vector(path, fmt, sample_tree)
    assert tarsum_of_file(path) == docker_tarsum(go_tarsum, path)


def test_gnu_tar_with_xattrs_matches_docker(go_tarsum, sample_tree, tmp_path) -> None:
    path = str(tmp_path / "gnu.tar")
    os.system(f"tar --xattrs --format=posix -C {sample_tree} -cf {path} .")
    assert tarsum_of_file(path) == docker_tarsum(go_tarsum, path)


def test_empty_archive_matches_docker(go_tarsum, tmp_path) -> None:
    path = str(tmp_path / "empty.tar")
    with open(path, "wb") as f:
        f.write(b"\0" * 1024)
    assert tarsum_of_file(path) == docker_tarsum(go_tarsum, path) == (
        "tarsum.v1+sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(DOCKER_SRC, "testdata", "*", "*.tar"))),
                         ids=lambda p: os.path.relpath(p, DOCKER_SRC))
def test_docker_testdata(go_tarsum, path) -> None:
    # Includes the collision tars: two members named `file`, where Docker orders by position.
    assert tarsum_of_file(path) == docker_tarsum(go_tarsum, path)


@pytest.mark.parametrize("count", [13, 60, 300])
def test_many_duplicate_names_match_docker(go_tarsum, tmp_path, count) -> None:
    # Docker's comparator is not a total order with duplicates: this checks the port of Go's pdqsort.
    import random
    rng = random.Random(count)
    path = str(tmp_path / "dups.tar")
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        for i in range(count):
            name = rng.choice(["a", "./a", "b", "/b", "d"]) if rng.random() < 0.5 else f"f{i}"
            data = os.urandom(rng.randint(0, 40))
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    assert tarsum_of_file(path) == docker_tarsum(go_tarsum, path)


def test_large_file_matches_docker(go_tarsum, tmp_path) -> None:
    tree = tmp_path / "t"
    tree.mkdir()
    with open(tree / "large", "wb") as f:
        f.truncate(24 << 20)  # sparse on disk, 24 MiB of data in the tar
        f.seek(5 << 20)
        f.write(b"middle")
    out = str(tmp_path / "layer.tar")
    digests = write_layer_file(out, scan_tree(str(tree)))
    assert digests.tarsum == docker_tarsum(go_tarsum, out)


def test_device_entries_match_docker(go_tarsum, tmp_path) -> None:
    """Character and block devices and fifos (runAsRoot's mknod), written by the layer writer."""
    from nixlite.docker import tar_format as tf
    from nixlite.docker.layer_tar import Entry

    out = str(tmp_path / "devices.tar")
    digests = write_layer_file(out, [
        Entry(name="dev", typeflag=tf.DIRECTORY, mode=0o755),
        Entry(name="dev/console", typeflag=tf.CHAR_DEVICE, mode=0o600, devmajor=5, devminor=1),
        Entry(name="dev/loop0", typeflag=tf.BLOCK_DEVICE, mode=0o660, gid=6, devmajor=7, devminor=0),
        Entry(name="dev/null", typeflag=tf.CHAR_DEVICE, mode=0o666, devmajor=1, devminor=3),
        Entry(name="dev/sda300", typeflag=tf.BLOCK_DEVICE, mode=0o660, devmajor=259, devminor=300),
        Entry(name="initctl", typeflag=tf.FIFO, mode=0o620)])
    assert digests.tarsum == docker_tarsum(go_tarsum, out)
    with tarfile.open(out) as tar:
        assert [(m.name, m.devmajor, m.devminor) for m in tar.getmembers() if m.isdev()][:2] == [
            ("dev/console", 5, 1), ("dev/loop0", 7, 0)]
