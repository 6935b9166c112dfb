"""Gzip that does not spend deflate on data that will not shrink.

An image tarball is often mostly already-compressed data (binaries' packed
sections, archives, media), and deflate at any level crawls over random
bytes (about 30 MB/s per core) only to emit them stored. This writer looks
at the uncompressed stream in fixed 1 MiB chunks; a level-1 trial on the
first 16 KiB of a chunk decides whether it compresses:

- runs of compressible chunks go through `gzip_stream.GzipWriter` (threaded
  deflate, pigz-style) as one gzip member;
- runs of incompressible chunks become a gzip member of *stored* deflate
  blocks (written here, byte for byte as RFC 1951 defines them, so no
  library's choices enter the output; mtime 0, no name), at memory speed.

A gzip file may hold several members, which every reader concatenates
(gzip(1), Go's compress/gzip as used by Docker, skopeo and podman, Python's
gzip). The chunking, the trial and so the bytes depend only on the data
and the level — never on timing or the number of threads. The trial uses
zlib-ng when present, as gzip_stream does (a pinned dependency), so the
decision does not depend on the system's zlib either.
"""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO, Final

from nixlite.docker.gzip_stream import DEFAULT_LEVEL, GzipWriter

try:
    from zlib_ng import zlib_ng as _trial_zlib
except ImportError:  # pragma: no cover - zlib-ng is a declared dependency
    _trial_zlib = zlib  # type: ignore[assignment]

CHUNK: Final = 1 << 20
TRIAL: Final = 16 << 10
# A trial that keeps more than this fraction of its input marks the chunk incompressible.
INCOMPRESSIBLE_ABOVE: Final = 0.95


def compresses(chunk: bytes) -> bool:
    sample = chunk[:TRIAL]
    trial = _trial_zlib.compressobj(1, zlib.DEFLATED, -15)
    return len(trial.compress(sample) + trial.flush()) <= INCOMPRESSIBLE_ABOVE * len(sample)


GZIP_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0, OS unknown
MAX_STORED: Final = 0xFFFF


class _StoredMember:
    """A gzip member of stored deflate blocks: header, then LEN/NLEN + bytes per block."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._crc = 0
        self._size = 0
        out.write(GZIP_HEADER)

    def write(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        view = memoryview(data)
        for start in range(0, len(data), MAX_STORED):
            block = view[start:start + MAX_STORED]
            self._out.write(struct.pack("<BHH", 0, len(block), len(block) ^ 0xFFFF))
            self._out.write(block)

    def close(self) -> None:
        self._out.write(struct.pack("<BHH", 1, 0, 0xFFFF))  # the final block, empty
        self._out.write(struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))


class AdaptiveGzipWriter:
    """A write-only stream producing gzip members into `out` (which it does not close)."""

    def __init__(self, out: BinaryIO, level: int = DEFAULT_LEVEL) -> None:
        self._out = out
        self._level = level
        self._buffer = bytearray()
        self._member: GzipWriter | _StoredMember | None = None
        self._member_stored = False

    def write(self, data: bytes | memoryview) -> int:
        self._buffer += data
        while len(self._buffer) >= CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]))
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, chunk: bytes) -> None:
        stored = not compresses(chunk)
        if self._member is None or stored != self._member_stored:
            if self._member is not None:
                self._member.close()
            self._member = _StoredMember(self._out) if stored else GzipWriter(self._out, self._level)
            self._member_stored = stored
        self._member.write(chunk)

    def close(self) -> None:
        if self._buffer or self._member is None:
            self._emit(bytes(self._buffer))
            self._buffer.clear()
        assert self._member is not None
        self._member.close()

    def __enter__(self) -> "AdaptiveGzipWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
