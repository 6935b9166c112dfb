"""OCI image layout: `oci-layout`, `index.json`, `blobs/sha256/<digest>`.

From an `Image`: every layer gzip-compressed into a blob (so a layer's
*digest*, sha256 of the compressed blob, differs from its *diff_id*,
sha256 of the uncompressed tar, which the config lists), the image
config as a blob, a manifest referencing both by descriptor, and
`index.json` naming the manifest with the `org.opencontainers.image.ref.name`
annotation (what `umoci --image DIR:tag` and `skopeo oci:DIR:tag` look up).
Blobs are written to a temporary name and renamed to their digest, so a
layout never holds a blob whose name is not its digest. All JSON is
canonical (sorted keys, compact); gzip has no name and no timestamp.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any, Final

from nixlite.docker.gzip_stream import GzipWriter, HashingWriter
from nixlite.docker.image import Image

MEDIA_MANIFEST: Final = "application/vnd.oci.image.manifest.v1+json"
MEDIA_INDEX: Final = "application/vnd.oci.image.index.v1+json"
MEDIA_CONFIG: Final = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER_GZIP: Final = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME: Final = "org.opencontainers.image.ref.name"


@dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor."""

    media_type: str
    digest: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class _Blobs:
    """The `blobs/sha256` directory of a layout."""

    def __init__(self, layout_dir: str) -> None:
        self.dir = os.path.join(layout_dir, "blobs", "sha256")
        os.makedirs(self.dir, exist_ok=True)

    def put_bytes(self, data: bytes, media_type: str) -> Descriptor:
        digest = hashlib.sha256(data).hexdigest()
        path = os.path.join(self.dir, digest)
        if not os.path.exists(path):
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.replace(path + ".tmp", path)
        return Descriptor(media_type, "sha256:" + digest, len(data))

    def put_gzipped_file(self, src: str, media_type: str) -> Descriptor:
        tmp = os.path.join(self.dir, ".incoming")
        with open(src, "rb") as f, open(tmp, "wb") as out:
            hashing = HashingWriter(out)
            with GzipWriter(hashing) as gz:  # type: ignore[arg-type]
                while chunk := f.read(1 << 20):
                    gz.write(chunk)
        os.replace(tmp, os.path.join(self.dir, hashing.sha256.hexdigest()))
        return Descriptor(media_type, hashing.digest, hashing.size)


def image_manifest(config: Descriptor, layers: list[Descriptor]) -> bytes:
    return canonical_json({
        "schemaVersion": 2,
        "mediaType": MEDIA_MANIFEST,
        "config": config.to_json(),
        "layers": [layer.to_json() for layer in layers],
    })


def write_oci_layout(image: Image, layout_dir: str, tag: str = "latest") -> Descriptor:
    """Write `image` as an OCI image layout in `layout_dir` (created); returns the manifest descriptor."""
    os.makedirs(layout_dir, exist_ok=True)
    blobs = _Blobs(layout_dir)
    compressed: dict[str, Descriptor] = {}
    layer_descriptors = []
    for layer in image.layers:
        if layer.diff_id not in compressed:
            compressed[layer.diff_id] = blobs.put_gzipped_file(layer.tar_path, MEDIA_LAYER_GZIP)
        layer_descriptors.append(compressed[layer.diff_id])
    config = blobs.put_bytes(image.config_json(), MEDIA_CONFIG)
    manifest = blobs.put_bytes(image_manifest(config, layer_descriptors), MEDIA_MANIFEST)
    entry = {**manifest.to_json(), "annotations": {REF_NAME: tag},
             "platform": {"architecture": image.architecture, "os": image.os}}
    index = {"schemaVersion": 2, "mediaType": MEDIA_INDEX, "manifests": [entry]}
    with open(os.path.join(layout_dir, "oci-layout"), "wb") as f:
        f.write(canonical_json({"imageLayoutVersion": "1.0.0"}))
    with open(os.path.join(layout_dir, "index.json"), "wb") as f:
        f.write(canonical_json(index))
    return manifest
