"""Reading a base image (fromImage) into an `Image` value, safely.

Accepted: a docker-archive tar, gzip-compressed or not, with `manifest.json`
(what `docker save`, skopeo and nixlite write) or without it (the seed's
images: `repositories` + the `parent` chain of `<id>/json`), and an OCI
image layout directory.

The archive is read in one pass. Nothing in it is extracted under its own
name: every regular member is copied to a fresh numbered file in the work
directory and looked up through a table, so hostile names (`..`, absolute
paths) cannot place anything anywhere. Symlinks and hard links inside the
archive (skopeo writes `<id>/layer.tar -> ../<diff>.tar`) are resolved in
that table, within the archive. Layers are then checked: the sha256 of each
layer tar must equal the diff_id the config claims.

Image selection follows the seed: `fromImageName`/`fromImageTag` when
given, otherwise the first name in `repositories` (or the first manifest
entry) and its first tag.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import posixpath
import re
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

from nixlite.docker import tar_format as tf
from nixlite.docker.errors import ImageFormatError
from nixlite.docker.image import DEFAULT_CREATED, Image, Layer
from nixlite.docker.jshon import jshon_dumps
from nixlite.docker.oci import REF_NAME

_MAX_JSON: Final = 16 << 20  # metadata files larger than this are refused
_MAX_LINK_HOPS: Final = 16
_LAYER_ID: Final = re.compile(r"[0-9a-f]{64}")  # a v1 layer id, also a directory name in the archive


@dataclass(frozen=True)
class LoadedImage:
    """An image read from an archive, with the name and tag it was selected by."""

    image: Image
    name: str
    tag: str


class _ArchiveFiles:
    """The members of an archive, stored as numbered files, looked up by cleaned name."""

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        self.files: dict[str, str] = {}  # cleaned name -> stored file
        self.links: dict[str, str] = {}  # cleaned name -> cleaned target name

    def add(self, reader: tf.TarReader, m: tf.Member) -> None:
        name = _clean(m.name)
        if name is None or m.typeflag == tf.DIRECTORY:
            return
        if m.typeflag == tf.SYMLINK:
            target = m.linkname if m.linkname.startswith("/") else posixpath.join(posixpath.dirname(name), m.linkname)
            cleaned = _clean(target)
            if cleaned is not None:
                self.links[name] = cleaned
        elif m.typeflag == tf.HARDLINK:
            cleaned = _clean(m.linkname)
            if cleaned is not None:
                self.links[name] = cleaned
        elif m.typeflag in (tf.REGULAR, "7"):
            stored = os.path.join(self.workdir, f"member-{len(self.files)}")
            with open(stored, "wb") as out:
                for chunk in reader.data_chunks():
                    out.write(chunk)
            self.files[name] = stored

    def path(self, name: str) -> str | None:
        current = _clean(name)
        for _ in range(_MAX_LINK_HOPS):
            if current is None:
                return None
            if current in self.files:
                return self.files[current]
            current = self.links.get(current)
        return None

    def require(self, name: str) -> str:
        found = self.path(name)
        if found is None:
            raise ImageFormatError(f"image archive: missing {name!r}")
        return found

    def json(self, name: str) -> Any:
        path = self.require(name)
        if os.path.getsize(path) > _MAX_JSON:
            raise ImageFormatError(f"image archive: {name!r} is too large")
        try:
            with open(path, "rb") as f:
                return json.loads(f.read())
        except (ValueError, UnicodeDecodeError) as exc:
            raise ImageFormatError(f"image archive: {name!r} is not valid JSON: {exc}") from None


def _clean(name: str) -> str | None:
    """A member name inside the archive's own namespace; None if it climbs out."""
    cleaned = posixpath.normpath("/" + name).lstrip("/") if name.startswith("/") else posixpath.normpath(name)
    if cleaned in ("", ".") or cleaned == ".." or cleaned.startswith("../"):
        return None
    return cleaned


def _open_maybe_gzip(path: str) -> BinaryIO:
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")  # type: ignore[return-value]


def _read_archive(path: str, workdir: str) -> _ArchiveFiles:
    files = _ArchiveFiles(workdir)
    try:
        with _open_maybe_gzip(path) as stream:
            reader = tf.TarReader(stream)
            for member in reader:
                files.add(reader, member)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ImageFormatError(f"image archive {path!r}: {exc}") from None
    return files


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def _pick_name_tag(repositories: dict[str, Any], name: str | None, tag: str | None) -> tuple[str, str]:
    if not isinstance(repositories, dict) or not repositories:
        raise ImageFormatError("image archive: `repositories` names no image")
    name = name or next(iter(repositories))
    tags = repositories.get(name)
    if not isinstance(tags, dict) or not tags:
        raise ImageFormatError(f"image archive: no image named {name!r}")
    tag = tag or next(iter(tags))
    if tag not in tags or not isinstance(tags[tag], str):
        raise ImageFormatError(f"image archive: image {name!r} has no tag {tag!r}")
    return name, tag


def _synthetic_legacy(diff_id: str, parent: str | None, created: str) -> tuple[str, bytes]:
    """A v1 id and json for a layer that came without one (OCI-style archives)."""
    layer_id = hashlib.sha256(f"{parent or ''} {diff_id}".encode()).hexdigest()
    body: dict[str, Any] = {"id": layer_id}
    if parent:
        body["parent"] = parent
    body["created"] = created
    body["container_config"] = {"Cmd": None}
    return layer_id, jshon_dumps(body).encode()


def _normalise_repo(name: str) -> str:
    """Docker's short names: `x` is `docker.io/library/x`, `a/b` is `docker.io/a/b`."""
    first = name.split("/", 1)[0]
    if "/" not in name:
        return "docker.io/library/" + name
    if "." not in first and ":" not in first and first != "localhost":
        return "docker.io/" + name
    return name


def _select_manifest(manifest: list[Any], name: str | None, tag: str | None) -> tuple[dict[str, Any], str]:
    """The manifest entry for name/tag (the first tag of `name` when no tag; the first entry when no name)."""
    for entry in manifest:
        if not isinstance(entry, dict):
            raise ImageFormatError("image archive: malformed manifest.json")
        for repo_tag in entry.get("RepoTags") or []:
            repo, _, entry_tag = repo_tag.rpartition(":")
            if name is None or (_normalise_repo(repo) == _normalise_repo(name) and tag in (None, "", entry_tag)):
                return entry, repo_tag
    if name:
        raise ImageFormatError(f"image archive: no image named {name}:{tag or '<any tag>'}")
    return manifest[0], ":"


def _from_manifest(files: _ArchiveFiles, name: str | None, tag: str | None) -> LoadedImage:
    manifest = files.json("manifest.json")
    if not isinstance(manifest, list) or not manifest:
        raise ImageFormatError("image archive: manifest.json lists no image")
    chosen, repo_tag = _select_manifest(manifest, name, tag)
    config = files.json(chosen.get("Config", ""))
    layer_names = chosen.get("Layers")
    diff_ids = (config.get("rootfs") or {}).get("diff_ids") if isinstance(config, dict) else None
    if not isinstance(layer_names, list) or not isinstance(diff_ids, list) or len(diff_ids) != len(layer_names):
        raise ImageFormatError("image archive: manifest layers and config diff_ids do not match")
    layers, parent = [], None
    created = config.get("created", DEFAULT_CREATED)
    for layer_name, diff_id in zip(layer_names, diff_ids):
        tar_path = files.require(layer_name)
        if _sha256_file(tar_path) != diff_id:
            raise ImageFormatError(f"image archive: layer {layer_name!r} does not match its diff_id {diff_id}")
        legacy_dir = posixpath.dirname(_clean(layer_name) or "")
        legacy_json_path = files.path(f"{legacy_dir}/json") if _LAYER_ID.fullmatch(legacy_dir) else None
        if legacy_json_path is not None:
            with open(legacy_json_path, "rb") as f:
                legacy_json = f.read()
            layer_id = posixpath.basename(legacy_dir)
        else:
            layer_id, legacy_json = _synthetic_legacy(diff_id, parent, created)
        layers.append(Layer(tar_path, diff_id, os.path.getsize(tar_path), layer_id, legacy_json))
        parent = layer_id
    image = Image(layers=tuple(layers), config=config.get("config"), architecture=config.get("architecture", "amd64"),
                  os=config.get("os", "linux"), created=created, history=tuple(config.get("history") or ()))
    picked_name, _, picked_tag = repo_tag.rpartition(":")
    return LoadedImage(image, picked_name or name or "", picked_tag or tag or "")


def _from_repositories(files: _ArchiveFiles, name: str | None, tag: str | None) -> LoadedImage:
    name, tag = _pick_name_tag(files.json("repositories"), name, tag)
    layer_id: str | None = files.json("repositories")[name][tag]
    chain: list[Layer] = []
    top_json: dict[str, Any] = {}
    seen: set[str] = set()
    while layer_id:
        if not isinstance(layer_id, str) or not _LAYER_ID.fullmatch(layer_id) or layer_id in seen:
            raise ImageFormatError(f"image archive: bad parent chain at {layer_id!r}")
        seen.add(layer_id)
        meta = files.json(f"{layer_id}/json")
        if not isinstance(meta, dict):
            raise ImageFormatError(f"image archive: {layer_id}/json is not an object")
        top_json = top_json or meta
        tar_path = files.require(f"{layer_id}/layer.tar")
        with open(files.require(f"{layer_id}/json"), "rb") as f:
            legacy_json = f.read()
        chain.append(Layer(tar_path, _sha256_file(tar_path), os.path.getsize(tar_path), layer_id, legacy_json))
        layer_id = meta.get("parent")
    chain.reverse()
    image = Image(layers=tuple(chain), config=top_json.get("config"),
                  architecture=top_json.get("architecture", "amd64"), os=top_json.get("os", "linux"),
                  created=top_json.get("created", DEFAULT_CREATED))
    return LoadedImage(image, name, tag)


def read_docker_archive(path: str, workdir: str, name: str | None = None, tag: str | None = None) -> LoadedImage:
    """Read the docker-archive (or OCI layout directory) at `path`; its files are stored in `workdir`.

    `name`/`tag` select the image (fromImageName/fromImageTag; empty means not given).
    """
    name, tag = name or None, tag or None
    os.makedirs(workdir, exist_ok=True)
    if os.path.isdir(path):
        return read_oci_layout(path, workdir, tag)
    files = _read_archive(path, workdir)
    try:
        if files.path("manifest.json") is not None:
            return _from_manifest(files, name, tag)
        if files.path("repositories") is not None:
            return _from_repositories(files, name, tag)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        # JSON of an unexpected shape somewhere (a list where an object belongs, …).
        raise ImageFormatError(f"image archive {path!r}: malformed metadata ({type(exc).__name__}: {exc})") from None
    raise ImageFormatError(f"image archive {path!r} has neither manifest.json nor repositories")


# ---------------------------------------------------------------- OCI layout

def _blob_path(layout: str, digest: Any) -> str:
    if not isinstance(digest, str) or not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        raise ImageFormatError(f"OCI layout: bad digest {digest!r}")
    return os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1])


def _blob_json(layout: str, descriptor: Any) -> Any:
    path = _blob_path(layout, descriptor.get("digest") if isinstance(descriptor, dict) else None)
    if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) > _MAX_JSON:
        raise ImageFormatError(f"OCI layout: blob {descriptor.get('digest')} missing or too large")
    with open(path, "rb") as f:
        data = f.read()
    if "sha256:" + hashlib.sha256(data).hexdigest() != descriptor["digest"]:
        raise ImageFormatError(f"OCI layout: blob {descriptor['digest']} does not match its digest")
    return json.loads(data)


def _uncompressed_layer(layout: str, descriptor: dict[str, Any], workdir: str, index: int) -> str:
    src = _blob_path(layout, descriptor.get("digest"))
    dest = os.path.join(workdir, f"oci-layer-{index}.tar")
    compressed = hashlib.sha256()
    with open(src, "rb") as raw, open(dest, "wb") as out:
        class _Tee:
            def read(self, n: int = -1) -> bytes:
                data = raw.read(n)
                compressed.update(data)
                return data
        gzipped = str(descriptor.get("mediaType", "")).endswith("gzip")
        stream: Any = gzip.GzipFile(fileobj=_Tee(), mode="rb") if gzipped else _Tee()  # type: ignore[arg-type]
        while chunk := stream.read(1 << 20):
            out.write(chunk)
        while raw.read(1 << 20):
            pass
    if "sha256:" + compressed.hexdigest() != descriptor["digest"]:
        raise ImageFormatError(f"OCI layout: layer blob {descriptor['digest']} does not match its digest")
    return dest


def read_oci_layout(layout: str, workdir: str, tag: str | None = None) -> LoadedImage:
    """Read an image from an OCI layout directory: the manifest named `tag`, or the first."""
    try:
        with open(os.path.join(layout, "index.json"), "rb") as f:
            index = json.loads(f.read())
        manifests = index["manifests"]
        chosen = next((m for m in manifests if tag and (m.get("annotations") or {}).get(REF_NAME) == tag),
                      None) or manifests[0]
        manifest = _blob_json(layout, chosen)
        config = _blob_json(layout, manifest["config"])
        diff_ids = config["rootfs"]["diff_ids"]
        layers, parent = [], None
        created = config.get("created", DEFAULT_CREATED)
        for i, (descriptor, diff_id) in enumerate(zip(manifest["layers"], diff_ids, strict=True)):
            tar_path = _uncompressed_layer(layout, descriptor, workdir, i)
            if _sha256_file(tar_path) != diff_id:
                raise ImageFormatError(f"OCI layout: layer {i} does not match its diff_id {diff_id}")
            layer_id, legacy_json = _synthetic_legacy(diff_id, parent, created)
            layers.append(Layer(tar_path, diff_id, os.path.getsize(tar_path), layer_id, legacy_json))
            parent = layer_id
    except (OSError, KeyError, TypeError, ValueError, IndexError, EOFError) as exc:
        raise ImageFormatError(f"OCI layout {layout!r}: {exc}") from None
    image = Image(layers=tuple(layers), config=config.get("config"), architecture=config.get("architecture", "amd64"),
                  os=config.get("os", "linux"), created=created, history=tuple(config.get("history") or ()))
    ref = (chosen.get("annotations") or {}).get(REF_NAME, tag or "latest")
    return LoadedImage(image, "", ref)
