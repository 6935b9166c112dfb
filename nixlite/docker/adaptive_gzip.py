"""Gzip that does not spend deflate on data that will not shrink.

An image tarball is often mostly already-compressed data (binaries' packed
sections, archives, media), and deflate at any level crawls over random
bytes (about 30 MB/s per core) only to emit them stored. This writer looks
at the uncompressed stream in fixed 1 MiB chunks; a level-1 trial on the
first 16 KiB of a chunk decides whether it compresses:

- runs of compressible chunks go through `gzip_stream.GzipWriter` (threaded
  deflate, pigz-style) as one gzip member;
- runs of incompressible chunks become a gzip member of *stored* deflate
  blocks (zlib level 0 with the gzip wrapper: mtime 0, no name), written at
  memory speed.

A gzip file may hold several members, which every reader concatenates
(gzip(1), Go's compress/gzip as used by Docker, skopeo and podman, Python's
gzip). The chunking, the trial and so the bytes depend only on the data
and the level — never on timing or the number of threads.
"""

from __future__ import annotations

import zlib
from typing import BinaryIO, Final

from nixlite.docker.gzip_stream import DEFAULT_LEVEL, GzipWriter

CHUNK: Final = 1 << 20
TRIAL: Final = 16 << 10
# A trial that keeps more than this fraction of its input marks the chunk incompressible.
INCOMPRESSIBLE_ABOVE: Final = 0.95


def compresses(chunk: bytes) -> bool:
    sample = chunk[:TRIAL]
    trial = zlib.compressobj(1, zlib.DEFLATED, -15)
    return len(trial.compress(sample) + trial.flush()) <= INCOMPRESSIBLE_ABOVE * len(sample)


class _StoredMember:
    """A gzip member of stored blocks (zlib's gzip wrapper writes mtime 0 and no name)."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._zlib = zlib.compressobj(0, zlib.DEFLATED, 31)

    def write(self, data: bytes) -> None:
        self._out.write(self._zlib.compress(data))

    def close(self) -> None:
        self._out.write(self._zlib.flush())


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
