"""The image tarball's gzip: incompressible chunks stored, the rest deflated, always valid gzip."""

from __future__ import annotations

import gzip
import io
import os
import random
import subprocess

from nixlite.docker.adaptive_gzip import CHUNK, AdaptiveGzipWriter


def compress(data: bytes, piece: int = 300_000) -> bytes:
    out = io.BytesIO()
    with AdaptiveGzipWriter(out, 1) as gz:
        for start in range(0, len(data), piece):
            gz.write(data[start:start + piece])
    return out.getvalue()


def sample(seed: int = 7) -> bytes:
    rng = random.Random(seed)
    text = b" ".join(rng.choice([b"layer", b"store", b"image", b"nix"]) for _ in range(600_000))
    noise = rng.randbytes(3 * CHUNK + 12345)
    return text[:2 * CHUNK] + noise + text[:CHUNK // 3]


def test_round_trip_and_gzip_tool_accepts_it(tmp_path):
    data = sample()
    packed = compress(data)
    assert gzip.decompress(packed) == data
    path = tmp_path / "x.gz"
    path.write_bytes(packed)
    assert subprocess.run(["gzip", "-t", str(path)]).returncode == 0
    assert subprocess.run(["gzip", "-dc", str(path)], capture_output=True).stdout == data


def test_random_data_is_stored_and_text_shrinks():
    noise = random.Random(1).randbytes(4 * CHUNK)
    packed = compress(noise)
    assert len(noise) < len(packed) < len(noise) * 1.001  # stored: 5 bytes per 64 KiB block + framing
    text = sample()[:2 * CHUNK]
    assert len(compress(text)) < len(text) // 3


def test_bytes_depend_only_on_the_data():
    data = sample(3)
    assert compress(data, piece=4096) == compress(data, piece=1 << 20)


def test_empty_and_tiny_inputs():
    for data in (b"", b"x", os.urandom(70_000)):
        assert gzip.decompress(compress(data)) == data
