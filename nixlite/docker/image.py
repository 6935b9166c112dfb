"""Images as immutable values, and the docker-archive writer.

An `Image` is a tuple of `Layer`s (base first) plus the image metadata
(architecture, os, created, the container `config`, history). A `Layer`
is an uncompressed layer tar on disk with its identities kept apart, as
go-containerregistry does:

- `diff_id`   sha256 of the *uncompressed* tar (what `rootfs.diff_ids` lists);
- `legacy_id` the v1 layer id, the directory name in a docker-archive; the
              seed's recipe makes it the sha256 of the layer's json before
              `id` and `Size` are inserted (see `finish_legacy_json`);
- a *digest* (sha256 of a compressed blob) exists only in the OCI layout
  (`nixlite.docker.oci`) and is never confused with the diff_id.

`append_layers(base, layers)` returns a new Image (fromImage layering).

`write_docker_archive` writes what the seed wrote — `<id>/layer.tar`,
`<id>/json`, `<id>/VERSION` (`1.0`), `repositories` in jshon's layout —
plus `manifest.json` and a v1.2 image config `<sha256>.json` with
`rootfs.diff_ids`, which skopeo, podman and Docker ≥ 29 require. The tar
is deterministic (sorted, mtime 0, 0:0, files 0444 / dirs 0555 as the
seed's `chmod -R a-w` left them) and optionally gzip-compressed without
name or timestamp, all streamed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO, Final, Iterable, Mapping

from nixlite.docker import tar_format as tf
from nixlite.docker.gzip_stream import GzipWriter
from nixlite.docker.jshon import jshon_dumps
from nixlite.docker.layer_tar import Entry, sort_key, write_layer

DEFAULT_CREATED: Final = "1970-01-01T00:00:01Z"
LEGACY_VERSION: Final = b"1.0"
_FILE_MODE: Final = 0o444
_DIR_MODE: Final = 0o555


@dataclass(frozen=True)
class Layer:
    """One layer: the uncompressed tar at `tar_path` and its identities."""

    tar_path: str
    diff_id: str  # "sha256:<hex>" of the uncompressed tar
    size: int
    legacy_id: str  # hex, no prefix
    legacy_json: bytes  # contents of <legacy_id>/json
    history: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Image:
    """An image value: layers base-first plus metadata. Never mutated; see `append_layers`."""

    layers: tuple[Layer, ...] = ()
    config: Mapping[str, Any] | None = None
    architecture: str = "amd64"
    os: str = "linux"
    created: str = DEFAULT_CREATED
    # History entries of the config (may include empty_layer entries of a base image).
    history: tuple[Mapping[str, Any], ...] = field(default=())

    def config_json(self) -> bytes:
        """The v1.2 / OCI image configuration, canonical JSON (sorted keys, compact)."""
        body = {
            "architecture": self.architecture,
            "config": dict(self.config) if self.config else {},
            "created": self.created,
            "history": [dict(h) for h in self.full_history()],
            "os": self.os,
            "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in self.layers]},
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def full_history(self) -> tuple[Mapping[str, Any], ...]:
        """`history`, completed so that it has one non-empty entry per layer."""
        non_empty = sum(1 for h in self.history if not h.get("empty_layer"))
        extra = tuple(layer.history or {"created": self.created, "created_by": "nixlite dockerTools"}
                      for layer in self.layers[non_empty:])
        return tuple(self.history) + extra

    def config_digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.config_json()).hexdigest()

    @property
    def top_id(self) -> str | None:
        return self.layers[-1].legacy_id if self.layers else None


def append_layers(base: Image, layers: Iterable[Layer], **metadata: Any) -> Image:
    """`base` with `layers` on top; keyword arguments replace metadata (config, created, …)."""
    return replace(base, layers=base.layers + tuple(layers), **metadata)


# ---------------------------------------------------------------- legacy layer json

def parse_json_object(text: str | bytes) -> dict[str, Any]:
    """A JSON object keeping key order (jshon edits preserve insertion order)."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def layer_json(base_json: Mapping[str, Any], checksum: str) -> bytes:
    """The layer derivation's `json`: the base json plus `checksum`, as `jshon -s … -i checksum` writes it."""
    value = dict(base_json)
    value["checksum"] = checksum
    return jshon_dumps(value).encode()


def finish_legacy_json(layer_json_value: Mapping[str, Any], checksum: str, parent: str | None,
                       size: int) -> tuple[str, bytes]:
    """The final `<id>/json` of a layer and its id, as the seed's image recipe computes them.

    checksum is (re)set to the tarsum of the final layer.tar, `parent` is
    inserted when layering, the id is the sha256 of that json text (with
    jshon's trailing newline), then `id` and `Size` are inserted.
    """
    value = dict(layer_json_value)
    value["checksum"] = checksum
    if parent:
        value["parent"] = parent
    layer_id = hashlib.sha256(jshon_dumps(value).encode()).hexdigest()
    value["id"] = layer_id
    value["Size"] = size
    return layer_id, jshon_dumps(value).encode()


# ---------------------------------------------------------------- docker-archive

def repositories_json(name: str, tag: str, layer_id: str) -> bytes:
    """`repositories` = {"name":{"tag":"id"}} as jshon wrote it."""
    return jshon_dumps({name: {tag: layer_id}}).encode()


def manifest_json(image: Image, repo_tags: Iterable[str]) -> bytes:
    """`manifest.json` as `docker save` writes it (one image)."""
    manifest = [{
        "Config": image.config_digest().split(":", 1)[1] + ".json",
        "RepoTags": list(repo_tags),
        "Layers": [f"{layer.legacy_id}/layer.tar" for layer in image.layers],
    }]
    return json.dumps(manifest, separators=(",", ":"), ensure_ascii=False).encode()


def _archive_entries(image: Image, name: str, tag: str) -> list[Entry]:
    def data_entry(path: str, data: bytes) -> Entry:
        return Entry(name=path, mode=_FILE_MODE, size=len(data), data=data)

    entries = [
        data_entry(image.config_digest().split(":", 1)[1] + ".json", image.config_json()),
        data_entry("manifest.json", manifest_json(image, [f"{name}:{tag}"])),
    ]
    if image.top_id:
        entries.append(data_entry("repositories", repositories_json(name, tag, image.top_id)))
    seen = set()
    for layer in image.layers:
        if layer.legacy_id in seen:
            continue  # the same layer twice (e.g. an empty layer repeated) is stored once
        seen.add(layer.legacy_id)
        size = os.stat(layer.tar_path).st_size
        entries += [
            Entry(name=layer.legacy_id, typeflag=tf.DIRECTORY, mode=_DIR_MODE),
            data_entry(f"{layer.legacy_id}/VERSION", LEGACY_VERSION),
            data_entry(f"{layer.legacy_id}/json", layer.legacy_json),
            Entry(name=f"{layer.legacy_id}/layer.tar", mode=_FILE_MODE, size=size, source=layer.tar_path),
        ]
    return sorted(entries, key=lambda e: sort_key(e.name))


def write_docker_archive(image: Image, out: BinaryIO, name: str, tag: str = "latest", *,
                         compress: bool = True, level: int | None = None) -> None:
    """Write `image` as a docker-archive tar (gzipped unless `compress=False`) to `out`."""
    entries = _archive_entries(image, name, tag)
    if not compress:
        write_layer(out, entries, digests=False)
        return
    with GzipWriter(out, **({"level": level} if level is not None else {})) as gz:
        write_layer(gz, entries, digests=False)  # type: ignore[arg-type]
