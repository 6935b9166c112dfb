"""Deterministic, streaming layer tars: one pass writes the tar and its hashes.

A layer is a list of `Entry` values (what goes in the tar) produced by
`scan_tree` from a directory, by `entries_from_tar` from an existing tar,
or by hand; `write_layer` writes them as a tar and returns `LayerDigests`:
the sha256 of the uncompressed tar (the `diff_id`), the tarsum v1 and the
size — all computed while writing, in the same pass over each file's data,
with memory bounded by one chunk whatever the file sizes.

Determinism: entries are sorted by path components (byte order within a
directory, parents before children — the order of `tar --sort=name` and of
NAR), mtime is 0 (the epoch), uid/gid 0 with empty uname/gname unless an
ownership map says otherwise (runAsRoot records ownership that way),
permission bits kept, symlinks kept, hard links written as hard-link
entries pointing at the first name in sorted order.

Names are relative without a leading `./` (`bin/`, `bin/sh`), directories
with a trailing `/`, and there is no entry for the root directory itself:
that is how Docker's own layers (Go's archive/tar via pkg/archive,
buildkit) look, and every loader (Docker, containerd, skopeo, umoci,
podman) cleans names anyway. The seed wrote `./…` for contents and `nix/…`
for the closure — a mix nixlite does not reproduce.
"""

from __future__ import annotations

import hashlib
import heapq
import os
import stat
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Final, Iterable, Iterator, Mapping

from nixlite.docker import tar_format as tf
from nixlite.docker.errors import ImageFormatError
from nixlite.docker.tarsum import TarsumBuilder

CHUNK: Final = 1 << 20
_BATCH: Final = 1 << 20  # small members are gathered into writes of about this size
WHITEOUT_PREFIX: Final = ".wh."
OPAQUE_WHITEOUT: Final = ".wh..wh..opq"


@dataclass(frozen=True)
class Entry:
    """One thing in a layer: `name` is relative (`a/b`, no `./`, no trailing `/`).

    `typeflag` is a tar type (tar_format.REGULAR, DIRECTORY, …). Data of a
    regular file comes from `source` (a file path), `data` (bytes) or
    `stream` (a readable object positioned at the data, read sequentially).
    """

    name: str
    typeflag: str = tf.REGULAR
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    size: int = 0
    linkname: str = ""
    devmajor: int = 0
    devminor: int = 0
    xattrs: Mapping[str, bytes] = field(default_factory=dict)
    source: str | None = None
    data: bytes | None = None
    stream: BinaryIO | None = field(default=None, compare=False)

    def member(self) -> tf.Member:
        """The tar header fields for this entry (name with `/` for directories)."""
        return tf.Member(
            name=self.name + "/" if self.typeflag == tf.DIRECTORY else self.name,
            typeflag=self.typeflag, mode=self.mode & 0o7777, uid=self.uid, gid=self.gid,
            size=self.size if self.typeflag == tf.REGULAR else 0, mtime=0,
            linkname=self.linkname, devmajor=self.devmajor, devminor=self.devminor,
            xattrs=dict(self.xattrs))


@dataclass(frozen=True)
class LayerDigests:
    """What writing a layer tar measured: `diff_id` is `sha256:<hex>` of the uncompressed tar."""

    diff_id: str
    tarsum: str
    size: int
    entries: int


def sort_key(name: str) -> tuple[bytes, ...]:
    """Order of entries: by path components, bytewise (parents before their children)."""
    return tuple(tf.fs_bytes(name).split(b"/"))


# ---------------------------------------------------------------- sources of entries

Ownership = Mapping[str, tuple[int, int]]


def _read_xattrs(path: str) -> dict[str, bytes]:
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return {}
    result = {}
    for name in names:
        try:
            result[name] = os.getxattr(path, name, follow_symlinks=False)
        except OSError:
            continue
    return result


class _HardLinks:
    """Remembers the first name of every multiply-linked inode seen."""

    def __init__(self) -> None:
        self.first_name: dict[tuple[int, int], str] = {}

    def previous(self, st: os.stat_result, name: str) -> str | None:
        if st.st_nlink < 2:
            return None
        key = (st.st_dev, st.st_ino)
        if key in self.first_name:
            return self.first_name[key]
        self.first_name[key] = name
        return None


def entry_from_stat(path: str, name: str, st: os.stat_result, owner: tuple[int, int],
                    links: _HardLinks | None, devices: bool, xattrs: bool) -> Entry | None:
    """The entry for one file system object, or None for a socket (tar cannot hold one)."""
    uid, gid = owner
    common = dict(name=name, mode=stat.S_IMODE(st.st_mode), uid=uid, gid=gid,
                  xattrs=_read_xattrs(path) if xattrs else {})
    fmt = stat.S_IFMT(st.st_mode)
    if fmt == stat.S_IFDIR:
        return Entry(typeflag=tf.DIRECTORY, **common)
    if fmt == stat.S_IFLNK:
        return Entry(typeflag=tf.SYMLINK, linkname=os.readlink(path), **common)
    if fmt == stat.S_IFREG:
        first = links.previous(st, name) if links else None
        if first is not None:
            return Entry(typeflag=tf.HARDLINK, linkname=first, **common)
        return Entry(typeflag=tf.REGULAR, size=st.st_size, source=path, **common)
    if fmt == stat.S_IFIFO:
        return Entry(typeflag=tf.FIFO, **common)
    if fmt in (stat.S_IFCHR, stat.S_IFBLK):
        if not devices:
            raise ImageFormatError(f"layer: device node {path!r} (device nodes were not asked for)")
        return Entry(typeflag=tf.CHAR_DEVICE if fmt == stat.S_IFCHR else tf.BLOCK_DEVICE,
                     devmajor=os.major(st.st_rdev), devminor=os.minor(st.st_rdev), **common)
    return None


def scan_tree(root: str, prefix: str = "", *, owners: Ownership | None = None,
              exclude: Callable[[str], bool] | None = None, devices: bool = False,
              hardlinks: bool = True, xattrs: bool = True,
              root_entry: Entry | None = None) -> Iterator[Entry]:
    """The entries for the tree under `root`, sorted, named `prefix/…` (lazily, one directory at a time).

    `owners` maps an entry name to (uid, gid) (default 0:0); `exclude(name)`
    drops an entry (and, for a directory, everything under it).
    """
    links = _HardLinks() if hardlinks else None
    owners = owners or {}
    if root_entry is not None:
        yield root_entry

    def walk(directory: str, rel: str) -> Iterator[Entry]:
        with os.scandir(directory) as it:
            children = sorted(it, key=lambda d: tf.fs_bytes(d.name))
        for child in children:
            name = f"{rel}/{child.name}" if rel else child.name
            if exclude is not None and exclude(name):
                continue
            st = child.stat(follow_symlinks=False)
            entry = entry_from_stat(child.path, name, st, owners.get(name, (0, 0)), links, devices, xattrs)
            if entry is None:
                continue
            yield entry
            if entry.typeflag == tf.DIRECTORY:
                yield from walk(child.path, name)

    yield from walk(root, prefix.strip("/"))


def directory_entries(path: str, mode: int = 0o755) -> list[Entry]:
    """Directory entries for every component of `path` (`nix`, `nix/store`), parents first."""
    parts = [p for p in path.split("/") if p]
    return [Entry(name="/".join(parts[:i + 1]), typeflag=tf.DIRECTORY, mode=mode) for i in range(len(parts))]


def entries_from_tar(reader: tf.TarReader) -> Iterator[Entry]:
    """The entries of an existing tar, data streamed from it (consume them in order)."""
    for m in reader:
        if m.typeflag in (tf.PAX_GLOBAL,):
            continue
        name = m.name.strip("/")
        while name.startswith("./"):
            name = name[2:]
        if name in ("", "."):
            continue
        yield Entry(name=name, typeflag=m.typeflag, mode=m.mode, uid=m.uid, gid=m.gid,
                    size=m.data_size, linkname=m.linkname, devmajor=m.devmajor, devminor=m.devminor,
                    xattrs=m.xattrs, stream=reader if m.data_size else None)


def merge_sorted(*sources: Iterable[Entry]) -> Iterator[Entry]:
    """One sorted stream from several sorted ones; on equal names the earlier source wins."""
    streams = [_keyed(src, rank) for rank, src in enumerate(sources)]
    last: tuple[bytes, ...] | None = None
    for (key, _), entry in heapq.merge(*streams, key=lambda item: item[0]):
        if key == last:
            _discard_data(entry)
            continue
        last = key
        yield entry


def _keyed(source: Iterable[Entry], rank: int) -> Iterator[tuple[tuple[tuple[bytes, ...], int], Entry]]:
    for entry in source:
        yield (sort_key(entry.name), rank), entry


def _discard_data(entry: Entry) -> None:
    if entry.stream is not None:
        remaining = entry.size
        while remaining:
            chunk = entry.stream.read(min(remaining, CHUNK))
            if not chunk:
                raise ImageFormatError(f"layer: data of {entry.name!r} ends early")
            remaining -= len(chunk)


# ---------------------------------------------------------------- writing

class _HashingSink:
    """The output file plus everything that must see every byte: sha256 (diff_id) and `also`."""

    def __init__(self, out: BinaryIO, also: Callable[[bytes], object] | None, hashing: bool = True) -> None:
        self._out = out
        self._also = also
        self.sha256 = hashlib.sha256() if hashing else None
        self.size = 0
        self._batch = bytearray()

    def write(self, data: bytes) -> None:
        """Small pieces are batched so that hashing and writing run on large buffers."""
        self._batch += data
        if len(self._batch) >= _BATCH:
            self.flush()

    def write_direct(self, data: bytes | memoryview) -> None:
        self.flush()
        self._emit(data)

    def flush(self) -> None:
        if self._batch:
            self._emit(bytes(self._batch))
            self._batch.clear()

    def _emit(self, data: bytes | memoryview) -> None:
        if self.sha256 is not None:
            self.sha256.update(data)
        self._out.write(data)
        if self._also is not None:
            self._also(bytes(data))
        self.size += len(data)


def _copy_file_data(entry: Entry, member_hash: "hashlib._Hash", sink: _HashingSink, buf: bytearray) -> None:
    """Stream the data of a regular-file entry into the tarsum hash and the sink."""
    if entry.data is not None:
        chunks: Iterable[bytes | memoryview] = (entry.data,)
        _feed(entry, chunks, member_hash, sink)
    elif entry.stream is not None:
        _feed(entry, _stream_chunks(entry), member_hash, sink)
    elif entry.source is not None:
        with open(entry.source, "rb") as f:
            if entry.size <= CHUNK:
                _feed(entry, (f.read(entry.size + 1),), member_hash, sink)
            else:
                _feed(entry, _file_chunks(f, buf), member_hash, sink)
    elif entry.size:
        raise ImageFormatError(f"layer: no data for {entry.name!r}")


def _stream_chunks(entry: Entry) -> Iterator[bytes]:
    remaining = entry.size
    while remaining:
        chunk = entry.stream.read(min(remaining, CHUNK))  # type: ignore[union-attr]
        if not chunk:
            return
        remaining -= len(chunk)
        yield chunk


def _file_chunks(f: BinaryIO, buf: bytearray) -> Iterator[memoryview]:
    view = memoryview(buf)
    while True:
        n = f.readinto(buf)  # type: ignore[attr-defined]
        if not n:
            return
        yield view[:n]


def _feed(entry: Entry, chunks: Iterable[bytes | memoryview], member_hash: "hashlib._Hash",
          sink: _HashingSink) -> None:
    written = 0
    for chunk in chunks:
        written += len(chunk)
        if written > entry.size:
            break
        member_hash.update(chunk)
        if len(chunk) >= CHUNK // 2:
            sink.write_direct(chunk)
        else:
            sink.write(chunk)
    if written != entry.size:
        raise ImageFormatError(f"layer: {entry.name!r} changed size while being written "
                               f"({entry.size} bytes expected)")
    sink.write(tf.data_padding(entry.size))


class _NoTarsum:
    """Stands in for TarsumBuilder when no digests are wanted."""

    class _Null:
        def update(self, data: object) -> None:
            pass

    def member_hash(self, m: tf.Member) -> "_NoTarsum._Null":
        return self._Null()

    def add(self, member_hash: object) -> None:
        pass


def write_layer(out: BinaryIO, entries: Iterable[Entry], *,
                also: Callable[[bytes], object] | None = None, digests: bool = True) -> LayerDigests:
    """Write `entries` (sorted by `sort_key`, names unique) as a tar to `out`, hashing as it goes.

    `also`, if given, receives every byte of the tar too (e.g. a compressor).
    With `digests=False` (an image archive, not a layer) nothing is hashed and
    the returned diff_id and tarsum are empty.
    """
    sink = _HashingSink(out, also, hashing=digests)
    tarsum = TarsumBuilder() if digests else _NoTarsum()
    buf = bytearray(CHUNK)
    last: tuple[bytes, ...] | None = None
    count = 0
    for entry in entries:
        key = sort_key(entry.name)
        if last is not None and key <= last:
            raise ImageFormatError(f"layer: entry {entry.name!r} out of order or duplicated")
        last = key
        member = entry.member()
        sink.write(tf.encode_header(member))
        member_hash = tarsum.member_hash(member)
        if member.typeflag == tf.REGULAR:
            _copy_file_data(entry, member_hash, sink, buf)
        tarsum.add(member_hash)
        count += 1
    sink.write(tf.END_OF_ARCHIVE)
    sink.flush()
    if sink.sha256 is None:
        return LayerDigests(diff_id="", tarsum="", size=sink.size, entries=count)
    return LayerDigests(diff_id="sha256:" + sink.sha256.hexdigest(), tarsum=tarsum.digest(),
                        size=sink.size, entries=count)


def write_layer_file(path: str, entries: Iterable[Entry], **kwargs: object) -> LayerDigests:
    """`write_layer` into a new file at `path`."""
    with open(path, "wb") as out:
        return write_layer(out, entries, **kwargs)  # type: ignore[arg-type]
