"""tarsum v1: the layer checksum of Docker's legacy image format.

As Docker's `pkg/tarsum` computes it for `Version1` (checked against that
code, built from Debian's golang-github-docker-docker-dev, in
tests/docker/test_tarsum.py):

- for every member, a fresh sha256 over its header fields written as
  key + value with no separator, in the order name, mode, uid, gid, size,
  typeflag, linkname, uname, gname, devmajor, devminor (numbers in decimal,
  `mtime` left out, `uname`/`gname` always hashed as empty strings), then
  each xattr as name + value in sorted name order, then the member's data;
- the member digests in hex are sorted and fed, in that order, to another
  sha256; the result is `tarsum.v1+sha256:<hex>`.

The fields are the raw header as Go's `archive/tar` reports it: the name
with its trailing slash, the size field even for members without data
(hard links), the typeflag after Go's one normalisation (an old `\\0`
becomes `0`, or `5` for a name ending in `/`). PAX and GNU long-name
headers are not members; a PAX global header (`g`) is.

One quirk is reproduced: when two members have the same cleaned name
(`./a` and `a`), Docker's comparator orders *those two* by archive
position instead of digest. That comparator is not a total order, so the
result depends on Go's sorting algorithm, so nixlite runs a port of Go's
`sort.Sort` (pdqsort, Go ≥ 1.19; `go_sort`). nixlite never writes
duplicate names itself.

`TarsumBuilder` is incremental so that the layer writer computes the
tarsum while it writes the tar, in the same pass over the data.
"""

from __future__ import annotations

import hashlib
import posixpath
from typing import BinaryIO, Final

from nixlite.docker.go_sort import go_sort
from nixlite.docker.tar_format import Member, TarReader, fs_bytes

LABEL: Final = "tarsum.v1+sha256"


def header_bytes(m: Member) -> bytes:
    """The bytes tarsum v1 hashes for `m`'s header (before its data)."""
    fields = [
        b"name" + fs_bytes(m.name),
        b"mode%d" % m.mode,
        b"uid%d" % m.uid,
        b"gid%d" % m.gid,
        b"size%d" % m.size,
        b"typeflag" + m.typeflag.encode("latin-1"),
        b"linkname" + fs_bytes(m.linkname),
        b"uname",
        b"gname",
        b"devmajor%d" % m.devmajor,
        b"devminor%d" % m.devminor,
    ]
    for key in sorted(m.xattrs, key=fs_bytes):
        fields.append(fs_bytes(key) + m.xattrs[key])
    return b"".join(fields)


def _clean_name(name: str) -> str:
    """Go's `path.Join(".", path.Join("/", name))`: the name tarsum compares for duplicates."""
    return posixpath.normpath("/" + name).lstrip("/") or "."


def _name_key(name: str) -> bytes:
    """A short stand-in for the cleaned name: only equality between names matters to tarsum."""
    return hashlib.blake2b(fs_bytes(_clean_name(name)), digest_size=12).digest()


def _order_with_duplicates(entries: list[tuple[bytes, int, bytes]]) -> list[bytes]:
    """Docker's bySum order when some (name key, position, digest) entries share a name."""

    def less(a: tuple[bytes, int, bytes], b: tuple[bytes, int, bytes]) -> bool:
        if a[0] == b[0]:
            return a[1] < b[1]
        return a[2] < b[2]

    items = list(entries)
    go_sort(items, less)
    return [digest for _, _, digest in items]


class TarsumBuilder:
    """Collects per-member digests; `digest()` gives the tarsum of everything added.

    Per member it keeps 32 bytes of digest (sorting raw digests orders them as
    their hex forms) and a 12-byte key of the cleaned name, so memory grows by
    well under 100 bytes per member and not at all with data size.
    """

    def __init__(self) -> None:
        self._member_digests: list[bytes] = []
        self._name_keys: list[bytes] = []
        self._pending_keys: list[bytes] = []

    def member_hash(self, m: Member) -> "hashlib._Hash":
        """A hash primed with `m`'s header; feed it the data, then pass it to `add`."""
        self._pending_keys.append(_name_key(m.name))
        return hashlib.sha256(header_bytes(m))

    def add(self, member_hash: "hashlib._Hash") -> None:
        self._member_digests.append(member_hash.digest())
        self._name_keys.append(self._pending_keys.pop(0))

    def add_member(self, m: Member, data: bytes = b"") -> None:
        """Shortcut for a member whose data is at hand."""
        h = self.member_hash(m)
        h.update(data)
        self.add(h)

    def digest(self) -> str:
        total = hashlib.sha256()
        if len(set(self._name_keys)) == len(self._name_keys):
            ordered = sorted(self._member_digests)
        else:
            ordered = _order_with_duplicates(list(zip(self._name_keys, range(len(self._name_keys)),
                                                      self._member_digests)))
        for raw_digest in ordered:
            total.update(raw_digest.hex().encode("ascii"))
        return f"{LABEL}:{total.hexdigest()}"


def tarsum_of_stream(stream: BinaryIO) -> str:
    """The tarsum v1 of the uncompressed tar read from `stream`."""
    builder = TarsumBuilder()
    reader = TarReader(stream)
    for member in reader:
        h = builder.member_hash(member)
        for chunk in reader.data_chunks():
            h.update(chunk)
        builder.add(h)
    return builder.digest()


def tarsum_of_file(path: str) -> str:
    """The tarsum v1 of the uncompressed tar file at `path`."""
    with open(path, "rb") as f:
        return tarsum_of_stream(f)
