"""Hostile base images given to `nixlite build` as fromImage: refused or neutralised.

The archives are built by hand as an attacker would: a layer whose member
climbs out with `..`; a layer that plants a symlink to a host directory and
then writes through it, names an absolute path and a device node, and is
then used under a runAsRoot script that writes through the same link
(device nodes are skipped while the base is unpacked). No file may appear
outside the build, and a refusal is an `error:` message,
not a traceback.
"""

from __future__ import annotations

import io
import json
import os
import tarfile

from .e2e_helpers import PRELUDE, nixlite, nixlite_build, unpack_image

LAYER_ID = "b" * 64


def _member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", linkname: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, linkname, len(data)
    return info, io.BytesIO(data) if data else None


def write_seed_style_image(path: str, layer_members: list[tuple]) -> None:
    """repositories + <id>/{json,layer.tar}: the seed's image layout, with an attacker's layer."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as tar:
        for info, data in layer_members:
            tar.addfile(info, data)
    with tarfile.open(path, "w:gz") as image:
        for name, data in (("repositories", json.dumps({"evil": {"latest": LAYER_ID}}).encode()),
                           (f"{LAYER_ID}/json", json.dumps({"id": LAYER_ID, "config": {}}).encode()),
                           (f"{LAYER_ID}/layer.tar", layer.getvalue())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            image.addfile(info, io.BytesIO(data))


def build_on(base: str, run_as_root: str | None) -> str:
    script = f'runAsRoot = "{run_as_root}";' if run_as_root else ""
    return (f'let pkgs = import <nixpkgs> {{}}; in pkgs.dockerTools.buildImage {{ name = "victim"; '
            f'fromImage = {base}; contents = pkgs.writeTextDir "etc/victim" "v"; {script} }}')


def test_member_climbing_out_is_refused(e2e_store, tmp_path):
    outside = tmp_path / "outside"
    base = str(tmp_path / "climb.tar.gz")
    write_seed_style_image(base, [_member("../../../../../../" + str(outside).lstrip("/") + "/evil", data=b"x")])
    for run_as_root in (None, "true"):
        proc = nixlite(["build", "-E", build_on(base, run_as_root), "-I", f"nixpkgs={PRELUDE}",
                        "--store", e2e_store, "--no-out-link"])
        assert proc.returncode != 0
        assert "outside the image root" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert not outside.exists()


def test_symlink_escape_absolute_names_and_devices_are_neutralised(e2e_store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    base = str(tmp_path / "escape.tar.gz")
    write_seed_style_image(base, [
        _member("bin", tarfile.SYMTYPE, linkname=str(outside)),
        _member("bin/planted", data=b"through the link"),
        _member("/etc/absolute", data=b"absolute"),
        _member("dev/kmsg", tarfile.CHRTYPE),
    ])
    image = nixlite_build(["-E", build_on(base, "echo by-script > /bin/by-script")], e2e_store, str(tmp_path / "r"))
    assert os.listdir(outside) == []
    rootfs = unpack_image(image, str(tmp_path))
    inside = os.path.join(rootfs, str(outside).lstrip("/"))
    assert sorted(os.listdir(inside)) == ["by-script", "planted"]
    assert os.path.isfile(os.path.join(rootfs, "etc/absolute"))
    # The base layer ships unchanged (its device node included: that is the base's business);
    # the build never created the device, so the new layer has none.
    with tarfile.open(image) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))
        with tarfile.open(fileobj=outer.extractfile(manifest[0]["Layers"][-1])) as top:
            assert not any(m.isdev() for m in top.getmembers())
            assert "dev/kmsg" not in top.getnames()
