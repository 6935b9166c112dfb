"""Deterministic streaming gzip, and a writer that hashes what passes through it.

The gzip member has no file name and mtime 0 (what `pigz -nT` / `gzip -n`
give), OS byte 255 ("unknown", as Go's compress/gzip writes), so the bytes
depend only on the data, the level and the zlib in use. Data is compressed
in blocks of `BLOCK` bytes by a pool of threads — zlib releases the GIL —
the way pigz does it: each block is a raw deflate stream primed with the
previous block's last 32 KiB as dictionary and ended with a sync flush, so
that the concatenation, closed by an empty final block, is one valid
deflate stream. The block size is
fixed, so the output does not depend on the number of threads or their
timing.

Deflate is zlib-ng's (the `zlib-ng` package, pinned in pyproject.toml): about
twice as fast as zlib at the same level with slightly smaller output, and
bundled in its wheel, so the bytes do not depend on the system's zlib (they
would with the `zlib` module, as they do with pigz). Without the package,
the stdlib zlib is used — valid gzip, but other bytes.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO, Final

try:
    from zlib_ng import zlib_ng as _deflate
except ImportError:  # pragma: no cover - the dependency is declared; see the module docstring
    _deflate = zlib  # type: ignore[assignment]

BLOCK: Final = 1 << 20
_DICT_SIZE: Final = 32 * 1024
_HEADER: Final = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # magic, deflate, no flags, mtime 0, xfl 0, OS unknown
DEFAULT_LEVEL: Final = 6


# The end of the deflate stream: an empty final block with fixed codes (what pigz writes too).
_FINAL_BLOCK: Final = b"\x03\x00"


def _compress_block(data: bytes, dictionary: bytes, level: int) -> bytes:
    """`data` as raw deflate primed with `dictionary`, ended by a sync flush (byte-aligned, not final)."""
    parallel = getattr(_deflate, "_ParallelCompress", None)
    if parallel is not None:
        # zlib-ng's block compressor releases the GIL (its compressobj does not). A fresh one per
        # block: reusing one gives bytes that depend on which blocks it compressed before.
        return parallel(buffersize=BLOCK + BLOCK // 8 + 500, level=level).compress_and_crc(data, dictionary)[0]
    comp = _deflate.compressobj(level, _deflate.DEFLATED, -15, 8, _deflate.Z_DEFAULT_STRATEGY,
                                *((dictionary,) if dictionary else ()))
    return comp.compress(data) + comp.flush(_deflate.Z_SYNC_FLUSH)


class GzipWriter:
    """A file-like sink: `write(data)` … `close()` writes a complete gzip stream to `out`."""

    def __init__(self, out: BinaryIO, level: int = DEFAULT_LEVEL, threads: int | None = None) -> None:
        self._out = out
        self._level = level
        self._crc = 0
        self._size = 0
        self._pending = bytearray()
        self._dictionary = b""
        self._threads = threads if threads is not None else min(4, os.cpu_count() or 1)
        self._pool = ThreadPoolExecutor(self._threads) if self._threads > 1 else None
        self._queue: list[Future[bytes]] = []
        self._closed = False
        out.write(_HEADER)

    def write(self, data: bytes | memoryview) -> int:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        self._pending += data
        while len(self._pending) > BLOCK:
            block = bytes(self._pending[:BLOCK])
            del self._pending[:BLOCK]
            self._submit(block)
        return len(data)

    def _submit(self, block: bytes) -> None:
        dictionary, self._dictionary = self._dictionary, block[-_DICT_SIZE:]
        if self._pool is None:
            self._out.write(_compress_block(block, dictionary, self._level))
            return
        self._queue.append(self._pool.submit(_compress_block, block, dictionary, self._level))
        # Keep a bounded number of blocks in flight (memory stays bounded).
        while len(self._queue) > 2 * self._threads:
            self._out.write(self._queue.pop(0).result())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._pending:
            self._submit(bytes(self._pending))
        self._pending.clear()
        for future in self._queue:
            self._out.write(future.result())
        self._queue.clear()
        self._out.write(_FINAL_BLOCK)
        if self._pool is not None:
            self._pool.shutdown()
        self._out.write(struct.pack("<II", self._crc & 0xFFFFFFFF, self._size & 0xFFFFFFFF))

    def __enter__(self) -> "GzipWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        elif self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


class HashingWriter:
    """Passes writes to `out`, keeping the sha256 and size of everything written."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> int:
        self.sha256.update(data)
        self._out.write(data)
        self.size += len(data)
        return len(data)

    @property
    def digest(self) -> str:
        return "sha256:" + self.sha256.hexdigest()


def gzip_file(src: str, dst: BinaryIO, level: int = DEFAULT_LEVEL) -> None:
    """Compress the file `src` into the stream `dst` (deterministically)."""
    with open(src, "rb") as f, GzipWriter(dst, level) as gz:
        while chunk := f.read(BLOCK):
            gz.write(chunk)
