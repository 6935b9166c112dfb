"""The dockerTools Python builders (`builder = "builtin:docker-…"`), per docker_contract.md.

Each builder reads the derivation's environment (attributes as strings,
lists space-joined, null as ""), maps logical store paths to where their
files are with `ctx.physical`, and writes only into `ctx.outputs["out"]`:

  docker-layer       mkPureLayer: contents (rsync -ak), extraCommands, $out/{layer.tar,json,VERSION}
  docker-root-layer  mkRootLayer: the same, plus runAsRoot over base + contents (rootfs.py)
  docker-image       buildImage's result: the gzipped image tarball (image_assembly.py)
  docker-oci         an OCI image layout directory made from that tarball
  docker-export      exportImage: the flattened root filesystem as a tar
  docker-pull        pullImage: a docker-archive fetched over the Registry HTTP API v2
  tarsum             an executable printing the tarsum of the tar on its stdin
"""

from __future__ import annotations

import os
import sys

from nixlite.build.python_builders import BuildContext, BuilderFailed, python_builder
from nixlite.docker.contents_tree import materialise, merge_contents, tree_entries
from nixlite.docker.image import LEGACY_VERSION, layer_json, parse_json_object
from nixlite.docker.image_assembly import ImageInputs, assemble_image
from nixlite.docker.layer_apply import flatten_layers
from nixlite.docker.layer_tar import LayerDigests, scan_tree, write_layer_file
from nixlite.docker.oci import write_oci_layout
from nixlite.docker.reader import LoadedImage, read_docker_archive
from nixlite.docker.registry_client import pull_image
from nixlite.docker.rootfs import SOURCE_DATE_EPOCH, build_root_layer_dir, layer_entries, sandbox_runner

# Where extraCommands find their tools: the sandbox shows the host's /usr and /bin.
EXTRA_COMMANDS_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
SANDBOX_LAYER_DIR = "/build/layer"


def _paths(ctx: BuildContext, attr: str) -> list[str]:
    """A list attribute of store paths (space-joined by the derivation)."""
    return ctx.env.get(attr, "").split()


def _write_layer_outputs(out: str, digests: LayerDigests, base_json: str) -> None:
    """`json` (baseJson as jshon prints it, plus checksum) and `VERSION` beside layer.tar."""
    with open(base_json, "rb") as f:
        base = parse_json_object(f.read())
    with open(os.path.join(out, "json"), "wb") as f:
        f.write(layer_json(base, digests.tarsum))
    with open(os.path.join(out, "VERSION"), "wb") as f:
        f.write(LEGACY_VERSION)


def run_extra_commands(ctx: BuildContext, layer_dir: str, script: str) -> None:
    """Run extraCommands with bash -e in the layer directory, as the seed's `(cd layer; eval …)`."""
    env = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **ctx.env, "PATH": EXTRA_COMMANDS_PATH}
    status = sandbox_runner(ctx)(["/bin/bash", "-e", "-c", script], cwd=SANDBOX_LAYER_DIR, env=env,
                                  writable=[(layer_dir, SANDBOX_LAYER_DIR)], uid0=True)
    if status != 0:
        raise BuilderFailed(f"extraCommands failed with exit status {status}")


@python_builder("docker-layer")
def build_pure_layer(ctx: BuildContext) -> None:
    """mkPureLayer: contents merged as rsync -ak does, extraCommands, then the tar and its json."""
    out = ctx.outputs["out"]
    os.mkdir(out)
    tree = merge_contents([ctx.physical(p) for p in _paths(ctx, "contents")], ctx.physical)
    script = ctx.env.get("extraCommands", "")
    layer_tar = os.path.join(out, "layer.tar")
    if script:
        layer_dir = os.path.join(ctx.build_dir, "layer")
        os.mkdir(layer_dir)
        materialise(tree, layer_dir)
        run_extra_commands(ctx, layer_dir, script)
        digests = write_layer_file(layer_tar, scan_tree(layer_dir, xattrs=False))
    else:
        digests = write_layer_file(layer_tar, tree_entries(tree))
    _write_layer_outputs(out, digests, ctx.physical(ctx.env["baseJson"]))
    ctx.log(f"layer: {digests.entries} entries, {digests.size} bytes, {digests.tarsum}")


@python_builder("docker-root-layer")
def build_root_layer(ctx: BuildContext) -> None:
    """mkRootLayer: runAsRoot over base image + contents; the layer is what changed."""
    out = ctx.outputs["out"]
    os.mkdir(out)
    layer_dir = build_root_layer_dir(ctx)
    script = ctx.env.get("extraCommands", "")
    if script:
        run_extra_commands(ctx, layer_dir, script)
    digests = write_layer_file(os.path.join(out, "layer.tar"), layer_entries(layer_dir))
    _write_layer_outputs(out, digests, ctx.physical(ctx.env["baseJson"]))
    ctx.log(f"root layer: {digests.entries} entries, {digests.size} bytes, {digests.tarsum}")


@python_builder("docker-image")
def build_image(ctx: BuildContext) -> None:
    """buildImage's result: the docker image tarball, gzipped unless `compressor = "none"`."""
    inputs = ImageInputs(
        image_name=ctx.env["imageName"], image_tag=ctx.env.get("imageTag") or "latest",
        from_image=ctx.physical(ctx.env["fromImage"]) if ctx.env.get("fromImage") else None,
        from_image_name=ctx.env.get("fromImageName", ""), from_image_tag=ctx.env.get("fromImageTag", ""),
        layer=ctx.env["layer"], closure_file=ctx.physical(ctx.env["layerClosure"]), physical=ctx.physical,
        compressor=_compressor(ctx.env.get("compressor", "gz")))
    assemble_image(inputs, ctx.outputs["out"], ctx.build_dir, ctx.log)


def _compressor(name: str) -> str:
    """nixpkgs' `compressor` values that nixlite writes ("zstd" is not offered)."""
    if name not in ("gz", "none"):
        raise BuilderFailed(f"buildImage: unsupported compressor '{name}' (nixlite offers \"gz\" and \"none\")")
    return name


TARSUM_SCRIPT = """#!{python}
# tarsum (v1) of the tar read on stdin, as Docker's pkg/tarsum computes it (nixlite builtin:tarsum).
import sys
sys.path.insert(0, {path!r})
from nixlite.docker.tarsum import tarsum_of_stream
print(tarsum_of_stream(sys.stdin.buffer))
"""


@python_builder("tarsum")
def build_tarsum(ctx: BuildContext) -> None:
    """The seed's `tarsum` tool: here a Python script using nixlite's own tarsum."""
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = ctx.outputs["out"]
    with open(out, "w") as f:
        f.write(TARSUM_SCRIPT.format(python=sys.executable or "/usr/bin/python3", path=package_root))
    os.chmod(out, 0o555)


def _read_image(ctx: BuildContext, attr: str, name_attr: str = "", tag_attr: str = "") -> LoadedImage:
    """The image tarball named by a store-path attribute, read safely into the build directory."""
    work = os.path.join(ctx.build_dir, "image")
    os.makedirs(work, exist_ok=True)
    return read_docker_archive(ctx.physical(ctx.env[attr]), work,
                               ctx.env.get(name_attr) or None if name_attr else None,
                               ctx.env.get(tag_attr) or None if tag_attr else None)


@python_builder("docker-oci")
def build_oci_layout(ctx: BuildContext) -> None:
    """buildImage's `.oci`: the image as an OCI image layout directory (tagged with the image tag)."""
    loaded = _read_image(ctx, "image")
    manifest = write_oci_layout(loaded.image, ctx.outputs["out"], loaded.tag)
    ctx.log(f"oci: manifest {manifest.digest}, tag {loaded.tag}")


@python_builder("docker-export")
def build_export(ctx: BuildContext) -> None:
    """exportImage: the image's layers applied in order, written out as one root filesystem tar."""
    loaded = _read_image(ctx, "fromImage", "fromImageName", "fromImageTag")
    root = os.path.join(ctx.build_dir, "root")
    fs = flatten_layers([layer.tar_path for layer in loaded.image.layers], root)
    owners = {rel: (uid, gid) for rel, (uid, gid, _mode) in fs.meta.items()}
    digests = write_layer_file(ctx.outputs["out"], scan_tree(root, owners=owners, xattrs=False))
    skipped = f"; device nodes left out: {', '.join(fs.skipped)}" if fs.skipped else ""
    ctx.log(f"export: {digests.entries} entries, {digests.size} bytes{skipped}")


@python_builder("docker-pull")
def build_pull(ctx: BuildContext) -> None:
    """pullImage: fetch over the Registry HTTP API v2 and write a docker-archive (uncompressed, as skopeo)."""
    pull_image(registry=ctx.env.get("registry") or "registry-1.docker.io", image_name=ctx.env["imageName"],
               reference=ctx.env["imageDigest"], tag=ctx.env.get("finalImageTag") or "latest",
               tls_verify=ctx.env.get("tlsVerify", "1") == "1", out_path=ctx.outputs["out"],
               work_dir=ctx.build_dir, log=ctx.log)
