"""A hand-made store and BuildContext for calling the dockerTools builders directly.

The builders are tested without the evaluator and the scheduler: a
`FakeStore` keeps store paths under a temporary root (so `ctx.physical`
maps `/nix/store/…` elsewhere, as a non-root nixlite store does), and
`run_builder` calls a registered `builtin:NAME` with a BuildContext whose
`run_sandboxed` is the build stage's real bubblewrap sandbox.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from nixlite.build import sandbox
from nixlite.build.python_builders import BuildContext, lookup

STORE_DIR = "/nix/store"
NIX32 = "0123456789abcdfghijklmnpqrsvwxyz"


class FakeStore:
    """Store paths `/nix/store/<hash>-<name>` whose files live under `root`."""

    def __init__(self, root: str) -> None:
        self.root = root
        os.makedirs(root + STORE_DIR, exist_ok=True)

    def physical(self, path: str) -> str:
        assert path == STORE_DIR or path.startswith(STORE_DIR + "/"), path
        return self.root + path

    def path(self, name: str) -> str:
        digest = hashlib.sha256(name.encode()).digest()
        return f"{STORE_DIR}/{''.join(NIX32[b % 32] for b in digest[:32])}-{name}"

    def add_tree(self, name: str, files: dict[str, object]) -> str:
        """A directory path: values are text, ("link", target), ("mode", text, mode) or ("dir",)."""
        path = self.path(name)
        top = self.physical(path)
        os.makedirs(top)
        for rel, spec in sorted(files.items()):
            full = os.path.join(top, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            if isinstance(spec, tuple) and spec[0] == "link":
                os.symlink(spec[1], full)
            elif isinstance(spec, tuple) and spec[0] == "dir":
                os.makedirs(full, exist_ok=True)
            elif isinstance(spec, tuple) and spec[0] == "mode":
                with open(full, "w") as f:
                    f.write(spec[1])
                os.chmod(full, spec[2])
            else:
                with open(full, "w") as f:
                    f.write(str(spec))
        return path

    def add_file(self, name: str, text: str | bytes, mode: int = 0o444) -> str:
        path = self.path(name)
        with open(self.physical(path), "wb") as f:
            f.write(text.encode() if isinstance(text, str) else text)
        os.chmod(self.physical(path), mode)
        return path

    def add_busybox(self) -> str:
        """A store path with the host's static busybox as bin/sh and bin/busybox."""
        path = self.add_tree("busybox", {"bin/sh": ("link", "busybox")})
        shutil.copy(shutil.which("busybox") or "/bin/busybox", self.physical(path) + "/bin/busybox")
        return path

    def base_json(self, config: object = None, name: str = "config.json") -> str:
        return self.add_file(name, json.dumps({"architecture": "amd64", "config": config,
                                               "created": "1970-01-01T00:00:01Z", "os": "linux"},
                                              sort_keys=True, separators=(",", ":")))


def run_builder(store: FakeStore, builder: str, env: dict[str, str], name: str, log: list[str] | None = None) -> str:
    """Realise one derivation with the Python builder `builtin:<builder>`; returns its logical out path."""
    out = store.path(name)
    build_dir = tempfile.mkdtemp(prefix="nixlite-test-build-")
    defaults = dict(store=sandbox.StoreView(store.root + STORE_DIR, store_dir=STORE_DIR))
    ctx = BuildContext(drv_path=out + ".drv", env={"out": out, **env}, outputs={"out": store.physical(out)},
                       physical=store.physical, build_dir=build_dir,
                       log=(log.append if log is not None else (lambda line: None)),
                       run_sandboxed=functools.partial(_sandboxed, defaults))
    try:
        builder_fn = lookup("builtin:" + builder)
        assert builder_fn is not None, builder
        builder_fn(ctx)
    finally:
        subprocess.run(["chmod", "-R", "u+w", build_dir], check=False)
        shutil.rmtree(build_dir, ignore_errors=True)
    return out


def _sandboxed(defaults: dict, argv, **kwargs) -> int:
    return sandbox.run_sandboxed(argv, **{**defaults, **kwargs})


def closure_file(store: FakeStore, paths: list[str], name: str = "closure") -> str:
    return store.add_file(name, "".join(p + "\n" for p in sorted(paths)))


def build_image(store: FakeStore, layer: str, closure: list[str], base_json: str, name: str = "img",
                tag: str = "latest", from_image: str = "") -> str:
    """The docker-image builder over `layer` with the closure file listing `closure` (+ the layer)."""
    safe = name.replace("/", "-")
    clos = closure_file(store, closure + [layer], f"{safe}-closure")
    return run_builder(store, "docker-image", {"imageName": name, "imageTag": tag, "fromImage": from_image,
                                               "fromImageName": "", "fromImageTag": "", "baseJson": base_json,
                                               "layer": layer, "layerClosure": clos},
                       f"docker-image-{safe}.tar.gz")
