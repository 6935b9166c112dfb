"""Making derivations for build tests without the evaluator.

`make_drv` writes a derivation into a Store the way `derivationStrict`
would for `derivation { name; system; builder; args; … }`: every attribute
except `args` in the environment, output paths from hashDerivationModulo,
fixed outputs from their hash. Tests use it to exercise the scheduler
directly; the end-to-end tests go through `nixlite build`.
"""

from __future__ import annotations

import os
from typing import Iterable

from nixlite.store.derivation import Derivation, DerivationOutput, fill_output_paths, fixed_output
from nixlite.store.hashes import parse_any
from nixlite.store.store import Store

SYSTEM = "x86_64-linux"


def make_drv(store: Store, name: str, script: str = "", *, builder: str = "/bin/sh",
             args: list[str] | None = None, inputs: Iterable[tuple[str, str]] = (),
             srcs: Iterable[str] = (), env: dict[str, str] | None = None,
             outputs: Iterable[str] = ("out",), fixed: tuple[str, str, bool] | None = None) -> str:
    """Write a derivation and return its .drv path.

    inputs  (drv path, output name) pairs the derivation depends on
    fixed   (algo, hash text, recursive) for a fixed-output derivation
    """
    input_drvs: dict[str, set[str]] = {}
    for drv_path, output in inputs:
        input_drvs.setdefault(drv_path, set()).add(output)
    outputs = list(outputs)
    full_env = {"name": name, "system": SYSTEM, "builder": builder, **(env or {})}
    if len(outputs) != 1 or outputs != ["out"]:
        full_env["outputs"] = " ".join(outputs)
    drv = Derivation(outputs={o: DerivationOutput("") for o in outputs}, input_drvs=input_drvs,
                     input_srcs=set(srcs), platform=SYSTEM, builder=builder,
                     args=args if args is not None else ["-c", script], env=full_env, name=name)
    if fixed is not None:
        algo, text, recursive = fixed
        out = fixed_output(name, parse_any(text, algo), recursive)
        drv.outputs["out"] = out
        drv.env["out"] = out.path
        drv.env["outputHashAlgo"] = algo
        drv.env["outputHash"] = text
        drv.env["outputHashMode"] = "recursive" if recursive else "flat"
    else:
        for o in outputs:
            drv.env[o] = ""
        fill_output_paths(drv, store.hash_modulo)
    return store.write_derivation(drv)


def output_path(store: Store, drv_path: str, output: str = "out") -> str:
    return store.read_derivation(drv_path).outputs[output].path


def processes_with(marker: str) -> list[int]:
    """The pids of running processes whose command line contains `marker`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found
