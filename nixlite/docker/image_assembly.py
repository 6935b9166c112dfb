"""buildImage's last step: the layer plus its closure on the base image, as a (gzipped) tarball.

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
   as after the seed's `chmod -R a-w`) and gzipped without name or timestamp
   (`adaptive_gzip`: incompressible stretches are stored, not deflated).

The final layer tar is written once to the build directory, its size,
tarsum and diff_id computed in the same pass (they are needed before its
name, `<id>/layer.tar`, can be written); the image tarball is then streamed
into the compressor (`image.write_docker_archive`). Memory stays bounded by
the number of files, not their size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

from nixlite.docker import tar_format as tf
from nixlite.docker.adaptive_gzip import AdaptiveGzipWriter
from nixlite.docker.image import (DEFAULT_CREATED, Image, Layer, append_layers, finish_legacy_json,
                                  parse_json_object, write_docker_archive)
from nixlite.docker.layer_apply import image_paths
from nixlite.docker.reader import read_docker_archive
from nixlite.docker.layer_tar import (Entry, directory_entries, entries_from_tar, merge_sorted, scan_tree, sort_key,
                                      write_layer_file)

# The image tarball is a transport wrapper (layer digests are of the uncompressed tars inside),
# so it favours speed: zlib-ng's level 2 deflates text ~5x and binaries ~2x faster than level 6
# (the seed's pigz default) for output ~5-45% larger; incompressible data is stored either way.
IMAGE_GZIP_LEVEL = 2


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
    compressor: str = "gz"  # nixpkgs' buildImage argument: "gz" or "none"


def read_closure(closure_file: str, layer: str) -> list[str]:
    """The layer's closure minus the layer itself (the recipe's `grep -v ${layer}`)."""
    with open(closure_file) as f:
        return [line.strip() for line in f if line.strip() and layer not in line]


def assemble_image(inputs: ImageInputs, out_path: str, work_dir: str, log: Callable[[str], None]) -> None:
    """Build the image tarball at `out_path` (gzipped unless compressor is "none"), using `work_dir`."""
    base = read_base_image(inputs, work_dir) if inputs.from_image else None
    layer_dir = inputs.physical(inputs.layer)
    layer_tar = os.path.join(layer_dir, "layer.tar")
    present = tar_names(layer_tar) | (base.files if base else set())
    closure = closure_entries(ClosureSpec(read_closure(inputs.closure_file, inputs.layer), inputs.physical,
                                          present))
    final_tar = os.path.join(work_dir, "layer.tar")
    with open(layer_tar, "rb") as src:
        digests = write_layer_file(final_tar, final_layer_entries(src, closure))
    with open(os.path.join(layer_dir, "json"), "rb") as f:
        layer_json = parse_json_object(f.read())
    layer_id, legacy_json = finish_legacy_json(layer_json, digests.tarsum, base.image.top_id if base else None,
                                               digests.size)
    log(f"image: layer {layer_id}: {digests.size} bytes, {len(closure)} closure entries, {digests.tarsum}")
    layer = Layer(tar_path=final_tar, diff_id=digests.diff_id, size=digests.size, legacy_id=layer_id,
                  legacy_json=legacy_json)
    image = append_layers(base.image if base else Image(), [layer], config=layer_json.get("config"),
                          created=layer_json.get("created", DEFAULT_CREATED),
                          architecture=layer_json.get("architecture", "amd64"), os=layer_json.get("os", "linux"))
    with open(out_path, "wb") as out:
        if inputs.compressor == "none":
            write_docker_archive(image, out, inputs.image_name, inputs.image_tag, compress=False)
            return
        with AdaptiveGzipWriter(out, IMAGE_GZIP_LEVEL) as gz:
            write_docker_archive(image, gz, inputs.image_name, inputs.image_tag, compress=False)  # type: ignore[arg-type]


@dataclass
class BaseImage:
    """The fromImage: its image value (layers on disk) and the files its layers hold (`/a/b`)."""

    image: Image
    files: set[str]


def read_base_image(inputs: ImageInputs, work_dir: str) -> BaseImage:
    """fromImage read safely (reader.py); its files as the seed's `ls_tar` of every base layer lists them."""
    base_dir = os.path.join(work_dir, "base")
    os.mkdir(base_dir)
    loaded = read_docker_archive(inputs.from_image, base_dir, inputs.from_image_name or None,
                                 inputs.from_image_tag or None)
    return BaseImage(loaded.image, image_paths(layer.tar_path for layer in loaded.image.layers))
