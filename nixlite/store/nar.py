"""NAR, the Nix ARchive: the canonical serialisation of a file-system object.

A NAR holds only what Nix considers content: regular files (with their
executable bit), symlinks (their target) and directories (entries sorted by
name bytes). Every token is a string: u64 little-endian length, the bytes,
zero padding to a multiple of 8. The layout:

    "nix-archive-1" "(" "type" "regular" ["executable" ""] "contents" <data> ")"
                        "type" "symlink" "target" <target> ")"
                        "type" "directory" { "entry" "(" "name" <n> "node" <NAR> ")" } ")"

`nar_serialise` streams the archive in chunks (large files are read
piecewise), so hashing a gigabyte tree needs constant memory.
`restore` is the inverse: it recreates files from a NAR stream.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
from typing import Any, BinaryIO, Callable, Final, Iterator

MAGIC: Final[bytes] = b"nix-archive-1"
_CHUNK: Final[int] = 1 << 20
_PAD: Final[bytes] = bytes(8)


class NarError(Exception):
    """A malformed NAR, or a file type a NAR cannot hold."""


def token(data: bytes) -> bytes:
    """One NAR string: length, bytes, padding."""
    n = len(data)
    return struct.pack("<Q", n) + data + _PAD[: (-n) % 8]


_OPEN: Final[bytes] = token(b"(")
_CLOSE: Final[bytes] = token(b")")
_HEADER: Final[bytes] = token(MAGIC)
_REGULAR: Final[bytes] = _OPEN + token(b"type") + token(b"regular")
_EXECUTABLE: Final[bytes] = token(b"executable") + token(b"")
_CONTENTS: Final[bytes] = token(b"contents")
_SYMLINK: Final[bytes] = _OPEN + token(b"type") + token(b"symlink") + token(b"target")
_DIRECTORY: Final[bytes] = _OPEN + token(b"type") + token(b"directory")
_ENTRY: Final[bytes] = token(b"entry") + _OPEN + token(b"name")
_NODE: Final[bytes] = token(b"node")

# filter(path, st) -> keep?  (builtins.path / filterSource decide per entry)
PathFilter = Callable[[str, os.stat_result], bool]


def nar_serialise(path: str, filter: PathFilter | None = None) -> Iterator[bytes]:
    """The NAR of `path` as a stream of byte chunks.

    One iterative walk (an explicit stack, no nested generators) that gathers
    the framing and small files into ~1 MiB chunks, and streams large files in
    pieces: the per-file cost is what dominates trees of many small files.
    """
    buf = bytearray(_HEADER)
    # Stack items: a path to serialise (bytes), or framing to emit when reached (a bytes object
    # tagged by wrapping it in a tuple).
    stack: list[Any] = [os.fsencode(path)]
    while stack:
        item = stack.pop()
        if type(item) is tuple:
            buf += item[0]
            continue
        st = os.lstat(item)
        mode = st.st_mode
        if stat.S_ISREG(mode):
            yield from _regular(item, mode, st.st_size, buf)
        elif stat.S_ISLNK(mode):
            buf += _SYMLINK + token(os.readlink(item)) + _CLOSE
        elif stat.S_ISDIR(mode):
            buf += _DIRECTORY
            stack.append((_CLOSE,))
            for name in sorted(os.listdir(item), reverse=True):
                child = os.path.join(item, name)
                if filter is not None and not filter(os.fsdecode(child), os.lstat(child)):
                    continue
                stack.append((_CLOSE,))
                stack.append(child)
                stack.append((_ENTRY + token(name) + _NODE,))
        else:
            raise NarError(f"file '{os.fsdecode(item)}' has an unsupported type")
        if len(buf) >= _CHUNK:
            yield bytes(buf)
            buf.clear()
    yield bytes(buf)


def _regular(path: bytes, mode: int, size: int, buf: bytearray) -> Iterator[bytes]:
    """Append a regular file's NAR to `buf`, yielding whenever a large file makes it full."""
    buf += _REGULAR + (_EXECUTABLE if mode & stat.S_IXUSR else b"") + _CONTENTS + struct.pack("<Q", size)
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        written = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, size - written + 1))
            if not chunk:
                break
            written += len(chunk)
            if len(buf) + len(chunk) > _CHUNK:
                yield bytes(buf)
                buf.clear()
                if len(chunk) >= _CHUNK:
                    yield chunk
                    continue
            buf += chunk
        if written != size:  # the file changed while we read it
            raise NarError(f"file '{os.fsdecode(path)}' changed while it was being archived")
    finally:
        os.close(fd)
    buf += _PAD[: (-size) % 8] + _CLOSE


def regular_file_nar(data: bytes, executable: bool = False) -> bytes:
    """The whole NAR of a regular file with these contents (no file needed)."""
    return (_HEADER + _REGULAR + (_EXECUTABLE if executable else b"") + _CONTENTS + token(data) + _CLOSE)


def nar_hash(path: str, filter: PathFilter | None = None, algo: str = "sha256") -> tuple[bytes, int]:
    """(digest of the NAR of `path`, NAR size)."""
    h = hashlib.new(algo)
    size = 0
    for chunk in nar_serialise(path, filter):
        h.update(chunk)
        size += len(chunk)
    return h.digest(), size


def dump_to(path: str, out: BinaryIO, filter: PathFilter | None = None) -> None:
    """Write the NAR of `path` to a binary stream."""
    for chunk in nar_serialise(path, filter):
        out.write(chunk)


class _Reader:
    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def exact(self, n: int) -> bytes:
        data = self.stream.read(n)
        if len(data) != n:
            raise NarError("unexpected end of NAR")
        return data

    def length(self) -> int:
        return int(struct.unpack("<Q", self.exact(8))[0])

    def string(self, limit: int = 1 << 16) -> bytes:
        n = self.length()
        if n > limit:
            raise NarError("NAR string too long")
        data = self.exact(n)
        if any(self.exact((-n) % 8)):
            raise NarError("non-zero padding in NAR")
        return data

    def expect(self, want: bytes) -> None:
        got = self.string()
        if got != want:
            raise NarError(f"expected NAR token {want!r}, got {got[:40]!r}")


def restore(stream: BinaryIO, dest: str) -> None:
    """Recreate the file-system object of a NAR stream at `dest` (which must not exist)."""
    reader = _Reader(stream)
    reader.expect(MAGIC)
    _restore_node(reader, os.fsencode(dest))


def _restore_node(r: _Reader, dest: bytes) -> None:
    r.expect(b"(")
    r.expect(b"type")
    kind = r.string()
    if kind == b"regular":
        _restore_regular(r, dest)
    elif kind == b"symlink":
        r.expect(b"target")
        os.symlink(r.string(4096), dest)
        r.expect(b")")
    elif kind == b"directory":
        os.mkdir(dest, 0o755)
        _restore_entries(r, dest)
    else:
        raise NarError(f"unknown file type {kind!r} in NAR")


def _restore_regular(r: _Reader, dest: bytes) -> None:
    tag = r.string()
    executable = tag == b"executable"
    if executable:
        r.expect(b"")
        tag = r.string()
    if tag != b"contents":
        raise NarError("expected 'contents' in NAR")
    size = r.length()
    with open(dest, "wb") as f:
        left = size
        while left:
            chunk = r.exact(min(left, _CHUNK))
            f.write(chunk)
            left -= len(chunk)
    r.exact((-size) % 8)
    os.chmod(dest, 0o555 if executable else 0o444)
    r.expect(b")")


def _restore_entries(r: _Reader, dest: bytes) -> None:
    previous = None
    while True:
        tag = r.string()
        if tag == b")":
            return
        if tag != b"entry":
            raise NarError("expected 'entry' in NAR directory")
        r.expect(b"(")
        r.expect(b"name")
        name = r.string(255)
        if not name or name in (b".", b"..") or b"/" in name or b"\0" in name:
            raise NarError(f"invalid file name {name!r} in NAR")
        if previous is not None and name <= previous:
            raise NarError("NAR directory entries are not sorted")
        previous = name
        r.expect(b"node")
        _restore_node(r, os.path.join(dest, name))
        r.expect(b")")
