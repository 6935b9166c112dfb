"""The tar reader on foreign layouts (GNU long names, base-256, v7, sparse) and the PAX writer's edge cases."""

from __future__ import annotations

import io
import subprocess
import tarfile

import pytest

from nixlite.docker import tar_format as tf
from nixlite.docker.errors import ImageFormatError


def _tarfile_bytes(fmt: int, members: list[tarfile.TarInfo], data: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as t:
        for info in members:
            payload = (data or {}).get(info.name)
            t.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return out.getvalue()


def test_gnu_long_names_and_links() -> None:
    name, target = "d/" + "n" * 200, "t" * 150
    f = tarfile.TarInfo(name)
    f.size = 3
    link = tarfile.TarInfo("l" * 120)
    link.type, link.linkname = tarfile.SYMTYPE, target
    raw = _tarfile_bytes(tarfile.GNU_FORMAT, [f, link], {name: b"abc"})
    reader = tf.TarReader(io.BytesIO(raw))
    first = next(reader)
    assert (first.name, reader.read()) == (name, b"abc")
    second = next(reader)
    assert (second.name, second.linkname, second.typeflag) == ("l" * 120, target, tf.SYMLINK)
    assert list(reader) == []


def test_base256_numbers_and_big_uids() -> None:
    info = tarfile.TarInfo("f")
    info.uid = 1 << 40  # GNU format stores this in base-256
    raw = _tarfile_bytes(tarfile.GNU_FORMAT, [info])
    assert tf.iter_members(raw)[0].uid == 1 << 40


def test_v7_directory_by_trailing_slash() -> None:
    info = tarfile.TarInfo("dir/")
    info.type = tarfile.AREGTYPE
    raw = bytearray(_tarfile_bytes(tarfile.USTAR_FORMAT, [info]))
    raw[156] = 0  # old "\0" typeflag
    raw[148:156] = b"%06o\0 " % (sum(raw[:148]) + 256 + sum(raw[156:512]))
    (member,) = tf.iter_members(bytes(raw))
    assert member.typeflag == tf.DIRECTORY  # as Go's archive/tar reports it


def test_sparse_files_are_refused(tmp_path) -> None:
    sparse = tmp_path / "sparse"
    with open(sparse, "wb") as f:
        f.truncate(1 << 20)
        f.write(b"x")
    archive = tmp_path / "s.tar"
    subprocess.run(["tar", "--sparse", "--format=gnu", "-C", str(tmp_path), "-cf", str(archive), "sparse"],
                   check=True)
    with pytest.raises(ImageFormatError, match="sparse"):
        tf.iter_members(archive.read_bytes())


def test_corrupt_header_and_truncation() -> None:
    info = tarfile.TarInfo("f")
    info.size = 1000
    raw = _tarfile_bytes(tarfile.PAX_FORMAT, [info], {"f": b"y" * 1000})
    broken = raw[:10] + b"Z" + raw[11:]
    with pytest.raises(ImageFormatError, match="checksum"):
        tf.iter_members(broken)
    reader = tf.TarReader(io.BytesIO(raw[:700]))
    next(reader)
    with pytest.raises(ImageFormatError, match="end of archive"):
        reader.read()


@pytest.mark.parametrize("length", [90, 95, 96, 97, 98, 99, 100, 993, 994, 995, 996, 9990])
def test_pax_record_lengths_count_themselves(length) -> None:
    # The decimal length prefix includes its own digits: check around the digit-count boundaries.
    name = "p/" + "x" * length
    raw = tf.encode_header(tf.Member(name=name))
    with tarfile.open(fileobj=io.BytesIO(raw + tf.END_OF_ARCHIVE)) as t:
        assert t.getnames() == [name]
    assert tf.iter_members(raw + tf.END_OF_ARCHIVE)[0].name == name


def test_oversized_pax_header_is_refused() -> None:
    block = bytearray(tf.encode_header(tf.Member(name="PaxHeaders.0/x", typeflag=tf.PAX_HEADER, size=1 << 30)))
    with pytest.raises(ImageFormatError, match="too large"):
        tf.iter_members(bytes(block))
