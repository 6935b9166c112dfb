"""The registry of builders implemented in Python (`builder = "builtin:NAME"`).

Nix itself realises `builtin:fetchurl` in-process instead of running a
program; nixlite does the same for the builders it implements in Python
(the dockerTools layer and image builders, host-tool imports, …). A
derivation whose `builder` is `builtin:NAME` is realised by calling the
function registered under NAME with a `BuildContext`, with the same inputs,
outputs and atomicity as a process builder: the function writes only into
the paths in `ctx.outputs` (temporary locations the build machinery
registers as valid only when the function returns normally).

    @python_builder("docker-layer")
    def build_layer(ctx: BuildContext) -> None: ...

Registration happens when the module defining the builder is imported; the
modules listed in BUILDER_MODULES are imported on first lookup.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

PREFIX = "builtin:"

# Modules that define Python builders; imported lazily by `lookup`.
BUILDER_MODULES: tuple[str, ...] = (
    "nixlite.build.builtin_builders",
    "nixlite.build.host_tools",
    "nixlite.docker.builders",
)


@dataclass
class BuildContext:
    """Everything a Python builder may use.

    env         the derivation's environment exactly as a process builder
                would see it (attributes converted to strings, `out`, …)
    outputs     output name -> the physical directory/file path to create
    physical    maps a logical store path (/nix/store/…) to where its files
                physically are (the store may live under another root)
    build_dir   a private temporary directory (deleted afterwards)
    log         writes one line to the build log
    run_sandboxed  runs argv (e.g. ["/bin/sh", "-c", script]) in the build
                sandbox with extra writable directories; returns the exit status
                (`nixlite.build.sandbox.run_sandboxed`, whose docstring lists the
                parameters, with the whole store read-only at /nix/store and the
                command's output going to the build log unless overridden)
    drv_path    the logical .drv path being built
    extra       set by the build machinery: "store" (the Store), "derivation"
                (the parsed Derivation), "input_paths" (its input closure)

    `env` holds the paths a process builder would see: NIX_BUILD_TOP and
    TMPDIR are `/build`, and files such as exportReferencesGraph's are in
    `build_dir` (the physical directory). Python builders run in threads of
    the nixlite process (up to `-j` at once): they must not chdir or change
    other process-wide state.
    """

    drv_path: str
    env: dict[str, str]
    outputs: dict[str, str]
    physical: Callable[[str], str]
    build_dir: str
    log: Callable[[str], None]
    run_sandboxed: Callable[..., int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class BuilderFailed(Exception):
    """A Python builder refused its input; the message is shown as the build failure."""


_BUILDERS: dict[str, Callable[[BuildContext], None]] = {}
_loaded = False


def python_builder(name: str) -> Callable[[Callable[[BuildContext], None]], Callable[[BuildContext], None]]:
    """Register `fn` as the builder for `builder = "builtin:<name>"`."""

    def register(fn: Callable[[BuildContext], None]) -> Callable[[BuildContext], None]:
        if name in _BUILDERS:
            raise ValueError(f"Python builder {name!r} registered twice")
        _BUILDERS[name] = fn
        return fn

    return register


def lookup(builder: str) -> Callable[[BuildContext], None] | None:
    """The Python builder for a derivation's `builder` string, or None for a process builder."""
    global _loaded
    if not builder.startswith(PREFIX):
        return None
    if not _loaded:
        for mod in BUILDER_MODULES:
            try:
                importlib.import_module(mod)
            except ModuleNotFoundError as exc:
                if exc.name != mod:
                    raise
        _loaded = True
    return _BUILDERS.get(builder[len(PREFIX):])
