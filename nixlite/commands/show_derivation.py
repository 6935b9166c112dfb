"""`nixlite show-derivation PATH…`: derivations as JSON, as `nix show-derivation` prints them.

Each argument is a .drv path, or an output path whose deriver the store
knows. The JSON maps each .drv path to
`{outputs: {name: {path[, hashAlgo, hash]}}, inputSrcs, inputDrvs, system,
builder, args, env}`, pretty-printed with two-space indentation and sorted keys
as Nix does. `-r` adds the whole closure of derivations.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from nixlite.eval.errors import NixError
from nixlite.store.derivation import Derivation
from nixlite.store.store import Store, StoreError


class ShowDerivationError(NixError):
    """A path that is not a known derivation."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("-r", "--recursive", action="store_true", help="include the closure's derivations")
    parser.add_argument("--store", dest="store_root", default=None)


def derivation_json(drv: Derivation) -> dict[str, Any]:
    """One derivation in `nix show-derivation`'s JSON shape."""
    outputs: dict[str, Any] = {}
    for name, out in sorted(drv.outputs.items()):
        entry: dict[str, str] = {"path": out.path}
        if out.hash:
            entry["hashAlgo"] = out.hash_algo
            entry["hash"] = out.hash
        outputs[name] = entry
    return {
        "outputs": outputs,
        "inputSrcs": sorted(drv.input_srcs),
        "inputDrvs": {p: sorted(o) for p, o in sorted(drv.input_drvs.items())},
        "system": drv.platform,
        "builder": drv.builder,
        "args": drv.args,
        "env": dict(sorted(drv.env.items())),
    }


def _resolve(store: Store, path: str) -> str:
    if path.endswith(".drv"):
        if not store.is_valid(path):
            raise ShowDerivationError(f"path '{path}' is not a valid store path")  # Nix 2.8's wording
        return path
    info = store.query_path_info(path)
    if info is None or not info.deriver:
        raise ShowDerivationError(f"path '{path}' is not a derivation and has no known deriver")
    return info.deriver


def run(args: argparse.Namespace) -> int:
    import os

    store = Store(args.store_root)
    todo = [_resolve(store, os.path.abspath(p) if not p.startswith("/") else p) for p in args.paths]
    result: dict[str, Any] = {}
    while todo:
        path = todo.pop(0)
        if path in result:
            continue
        try:
            drv = store.read_derivation(path)
        except StoreError as exc:
            raise ShowDerivationError(str(exc)) from None
        result[path] = derivation_json(drv)
        if args.recursive:
            todo.extend(sorted(drv.input_drvs))
    sys.stdout.write(json.dumps(dict(sorted(result.items())), indent=2, ensure_ascii=False) + "\n")
    return 0
