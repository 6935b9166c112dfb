"""buildImage's last step: the layer plus its closure on the base image, as a gzipped tarball.

What the seed's `result` recipe does, step by step, and how it is done here:

1. unpack `fromImage`, read `fromImageName` / `fromImageTag` (first key of
   `repositories` when not given) and the parent layer id — `BaseImage`;
2. list the files the base layers already have (`ls_tar` over every
   `*/layer.tar`) and the files of the new layer;
3. append to the layer tar every file of the layer's runtime closure
   (`layerClosure`: /nix, /nix/store, then `find` of each closure path) that
   is not already there and is not the layer derivation itself — the
   recipe's `comm -1 -3` — here merged in sorted order instead of appended;
4. the layer json: the layer's json with `checksum` = tarsum of the FINAL
   layer tar (the seed kept the tarsum of the tar before the closure was
   added) and `parent` when layered; layer id = sha256 of that json text as
   jshon prints it; then `id` and `Size` are added;
5. `repositories`, plus what the seed lacks and modern loaders require:
   `manifest.json` and an image config with `rootfs.diff_ids`;
6. everything tarred (sorted, mtime 0, 0:0, files 0444 and directories 0555
   as after the seed's `chmod -R a-w`) and gzipped without name or timestamp.

The final layer tar is never stored: a first pass over its members computes
its size, tarsum and diff_id (needed before its name, `<id>/layer.tar`, can be
written), a second pass streams the same members into the compressor. Memory
stays bounded by the number of files, not their size.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterable, Iterator

from nixlite.docker import tar_format as tf
from nixlite.docker.gzip_stream import GzipWriter
from nixlite.docker.layer_tar import Entry, LayerDigests, directory_entries, entries_from_tar, merge_sorted, \
    scan_tree, sort_key, write_layer

LAYER_FILES = ("VERSION", "json", "layer.tar")
IMAGE_FILE_MODE = 0o444
IMAGE_DIR_MODE = 0o555


def jshon_text(obj: object) -> str:
    """JSON as jshon prints it: one-space indent, `/` escaped as `\\/`, insertion order, newline."""
    return json.dumps(obj, indent=1, ensure_ascii=False).replace("/", "\\/") + "\n"


def read_json_ordered(path: str) -> dict:
    with open(path, "rb") as f:
        return json.loads(f.read())


def canonical_json(obj: object) -> bytes:
    """Compact JSON with sorted keys: the bytes of manifest.json and the image config."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class _Discard:
    """A sink that only counts (the measuring pass)."""

    def write(self, data: bytes | memoryview) -> int:
        return len(data)


def tar_names(tar_path: str) -> set[str]:
    """The files of a tar as the seed's `ls_tar` prints them: `/a/b`, no `.`."""
    with open(tar_path, "rb") as f:
        return {"/" + e.name for e in entries_from_tar(tf.TarReader(f))}


@dataclass
class ClosureSpec:
    """The store paths to add to the layer, where they are, and what not to add."""

    paths: list[str]  # logical store paths (layerClosure), the layer itself excluded
    physical: Callable[[str], str]
    present: set[str]  # `/a/b` names already in the base or the layer


def closure_entries(spec: ClosureSpec, store_dir: str = "/nix/store") -> list[Entry]:
    """The recipe's `newFiles`, as sorted entries (owned by root, mtime 0)."""
    entries = [e for e in directory_entries(store_dir) if "/" + e.name not in spec.present]
    for path in sorted(set(spec.paths), key=sort_key):
        physical = spec.physical(path)
        name = path.lstrip("/")
        top = _top_entry(physical, name)
        if "/" + name not in spec.present:
            entries.append(top)
        if top.typeflag == tf.DIRECTORY:
            entries.extend(e for e in scan_tree(physical, name, xattrs=False) if "/" + e.name not in spec.present)
    return entries


def _top_entry(physical: str, name: str) -> Entry:
    st = os.lstat(physical)
    if os.path.isdir(physical) and not os.path.islink(physical):
        return Entry(name=name, typeflag=tf.DIRECTORY, mode=st.st_mode & 0o7777)
    if os.path.islink(physical):
        return Entry(name=name, typeflag=tf.SYMLINK, mode=0o777, linkname=os.readlink(physical))
    return Entry(name=name, typeflag=tf.REGULAR, mode=st.st_mode & 0o7777, size=st.st_size, source=physical)


def final_layer_entries(layer_tar: BinaryIO, closure: list[Entry]) -> Iterator[Entry]:
    """The layer's own members merged with the closure's, in sorted order."""
    return merge_sorted(entries_from_tar(tf.TarReader(layer_tar)), iter(closure))


def measure_layer(layer_tar_path: str, closure: list[Entry]) -> LayerDigests:
    with open(layer_tar_path, "rb") as f:
        return write_layer(_Discard(), final_layer_entries(f, closure))  # type: ignore[arg-type]


@dataclass
class LayerMeta:
    """The new layer's id and its final `json` text."""

    layer_id: str
    json_text: str
    config: dict


def layer_meta(layer_json_path: str, digests: LayerDigests, parent_id: str) -> LayerMeta:
    """checksum (of the final tar), parent; id = sha256 of that json; then id and Size."""
    meta = read_json_ordered(layer_json_path)
    meta["checksum"] = digests.tarsum
    if parent_id:
        meta["parent"] = parent_id
    layer_id = hashlib.sha256(jshon_text(meta).encode()).hexdigest()
    meta["id"] = layer_id
    meta["Size"] = digests.size
    return LayerMeta(layer_id, jshon_text(meta), meta)


def image_config(layer_json: dict, diff_ids: list[str]) -> bytes:
    """The image config (Docker image spec v1.2) beside the legacy files."""
    config = {key: layer_json[key] for key in ("architecture", "os", "created", "config") if key in layer_json}
    if config.get("config") is None:
        config["config"] = {}
    config["rootfs"] = {"type": "layers", "diff_ids": diff_ids}
    return canonical_json(config)


class OuterTar:
    """The image tarball: entries written in the order given (the caller sorts them)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out

    def directory(self, name: str) -> None:
        self.out.write(tf.encode_header(tf.Member(name=name + "/", typeflag=tf.DIRECTORY, mode=IMAGE_DIR_MODE)))

    def file(self, name: str, data: bytes) -> None:
        self.out.write(tf.encode_header(tf.Member(name=name, mode=IMAGE_FILE_MODE, size=len(data))))
        self.out.write(data)
        self.out.write(tf.data_padding(len(data)))

    def streamed_file(self, name: str, size: int, write_data: Callable[[BinaryIO], int]) -> None:
        """A file whose `size` bytes `write_data(out)` writes (and returns the count of)."""
        self.out.write(tf.encode_header(tf.Member(name=name, mode=IMAGE_FILE_MODE, size=size)))
        written = write_data(self.out)
        if written != size:
            raise RuntimeError(f"image: {name} came out {written} bytes long, {size} expected")
        self.out.write(tf.data_padding(size))

    def close(self) -> None:
        self.out.write(tf.END_OF_ARCHIVE)


def outer_names(file_names: Iterable[str]) -> list[str]:
    """All member names (directories as `d/`) of the image tarball, sorted."""
    names = set()
    for name in file_names:
        names.add(name)
        parent = name.rpartition("/")[0]
        while parent:
            names.add(parent + "/")
            parent = parent.rpartition("/")[0]
    return sorted(names, key=lambda n: sort_key(n.rstrip("/")))


def write_image(out_path: str, files: dict[str, bytes | Callable[[BinaryIO], int]], sizes: dict[str, int],
                level: int) -> None:
    """Write the gzipped image tarball: `files` maps a name to bytes or a streaming writer."""
    with open(out_path, "wb") as raw, GzipWriter(raw, level) as gz:
        tar = OuterTar(gz)  # type: ignore[arg-type]
        for name in outer_names(files):
            if name.endswith("/"):
                tar.directory(name[:-1])
                continue
            content = files[name]
            if isinstance(content, bytes):
                tar.file(name, content)
            else:
                tar.streamed_file(name, sizes[name], content)
        tar.close()


@dataclass
class ImageInputs:
    """The docker-image derivation's attributes, store paths made physical where files are read."""

    image_name: str
    image_tag: str
    from_image: str | None  # physical path of the base image tarball
    from_image_name: str
    from_image_tag: str
    layer: str  # logical store path of the layer derivation's output
    closure_file: str  # physical path of the layerClosure file
    physical: Callable[[str], str]


def read_closure(closure_file: str, layer: str) -> list[str]:
    """The layer's closure minus the layer itself (the recipe's `grep -v ${layer}`)."""
    with open(closure_file) as f:
        return [line.strip() for line in f if line.strip() and layer not in line]


def assemble_image(inputs: ImageInputs, out_path: str, log: Callable[[str], None],
                   level: int = 6) -> None:
    """Build the image tarball at `out_path` (see the module docstring for the steps)."""
    base = load_base_image(inputs) if inputs.from_image else None
    layer_dir = inputs.physical(inputs.layer)
    layer_tar = os.path.join(layer_dir, "layer.tar")
    present = tar_names(layer_tar) | (base.files if base else set())
    closure = closure_entries(ClosureSpec(read_closure(inputs.closure_file, inputs.layer), inputs.physical,
                                          present))
    digests = measure_layer(layer_tar, closure)
    meta = layer_meta(os.path.join(layer_dir, "json"), digests, base.top_id if base else "")
    log(f"image: layer {meta.layer_id}, {digests.size} bytes ({len(closure)} closure entries), {digests.tarsum}")

    def stream_layer(out: BinaryIO) -> int:
        with open(layer_tar, "rb") as f:
            return write_layer(out, final_layer_entries(f, closure)).size

    chain = (base.chain if base else []) + [meta.layer_id]
    diff_ids = (base.diff_ids if base else []) + [digests.diff_id]
    config = image_config(meta.config, diff_ids)
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    with open(os.path.join(layer_dir, "VERSION"), "rb") as f:
        version = f.read()
    files: dict[str, bytes | Callable[[BinaryIO], int]] = dict(base.files_to_keep() if base else {})
    files.update({
        f"{meta.layer_id}/VERSION": version,
        f"{meta.layer_id}/json": meta.json_text.encode(),
        f"{meta.layer_id}/layer.tar": stream_layer,
        "repositories": jshon_text({inputs.image_name: {inputs.image_tag: meta.layer_id}}).encode(),
        config_name: config,
        "manifest.json": canonical_json([{
            "Config": config_name,
            "RepoTags": [f"{inputs.image_name}:{inputs.image_tag}"],
            "Layers": [f"{layer_id}/layer.tar" for layer_id in chain],
        }]),
    })
    sizes = dict(base.sizes if base else {})
    sizes[f"{meta.layer_id}/layer.tar"] = digests.size
    write_image(out_path, files, sizes, level)


def load_base_image(inputs: ImageInputs):  # filled in with the formats reader
    raise NotImplementedError
