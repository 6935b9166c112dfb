"""Deterministic threaded gzip: same bytes whatever the thread count or timing, valid for gzip and pigz."""

from __future__ import annotations

import gzip
import io
import random
import subprocess

from nixlite.docker.gzip_stream import BLOCK, GzipWriter, HashingWriter


def _data(size: int) -> bytes:
    rng = random.Random(7)
    words = [rng.randbytes(rng.randint(1, 6)).hex().encode() for _ in range(3000)]
    text = b" ".join(rng.choice(words) for _ in range(size // 6))
    return (text + rng.randbytes(size // 4))[:size]


def _compress(data: bytes, threads: int, piece: int = 300_001) -> bytes:
    out = io.BytesIO()
    with GzipWriter(out, threads=threads) as gz:
        for i in range(0, len(data), piece):
            gz.write(data[i:i + piece])
    return out.getvalue()


def test_bytes_do_not_depend_on_threads_or_timing() -> None:
    data = _data(12 * BLOCK + 12345)
    outputs = {_compress(data, threads) for threads in (1, 2, 3, 2, 4, 1)}
    outputs.add(_compress(data, 2, piece=4096))
    assert len(outputs) == 1
    (blob,) = outputs
    assert gzip.decompress(blob) == data
    assert blob[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0
    for tool in (["gzip", "-t"], ["pigz", "-t"]):
        subprocess.run(tool, input=blob, check=True)


def test_empty_and_tiny_streams() -> None:
    for data in (b"", b"x", _data(BLOCK), _data(BLOCK + 1)):
        assert gzip.decompress(_compress(data, 2)) == data


def test_hashing_writer_sees_the_compressed_bytes() -> None:
    sink = io.BytesIO()
    hashing = HashingWriter(sink)
    with GzipWriter(hashing) as gz:
        gz.write(b"abc" * 1000)
    import hashlib
    assert hashing.digest == "sha256:" + hashlib.sha256(sink.getvalue()).hexdigest()
    assert hashing.size == len(sink.getvalue())
