"""`nixlite store path-info|verify|gc`: inspect and maintain the store.

    path-info [--json] [-r] PATH…   the database's facts about valid paths
                                    (JSON in `nix path-info --json`'s shape:
                                    narHash as sha256:<nix32>, narSize,
                                    references, deriver, registrationTime, ca)
    verify                          re-hash every valid path; exit 1 on damage
    gc                              delete what no GC root reaches
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from nixlite.eval.errors import NixError
from nixlite.store import nix32
from nixlite.store.paths import BadStorePath, to_store_path
from nixlite.store.store import Store


class StoreCommandError(NixError):
    """A path the store does not know."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", dest="store_root", default=None, help="the physical root of the store")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    info = sub.add_parser("path-info", help="show what the store knows about paths")
    info.add_argument("paths", nargs="+", metavar="PATH")
    info.add_argument("--json", action="store_true")
    info.add_argument("-r", "--recursive", action="store_true", help="the whole closure")
    info.add_argument("-s", "--size", action="store_true", help="print NAR sizes")
    sub.add_parser("verify", help="re-hash every valid path and report corruption")
    sub.add_parser("gc", help="delete paths no GC root reaches")


def _store_path(store: Store, arg: str) -> str:
    path = arg
    if not path.startswith(store.store_dir + "/"):
        target = os.path.realpath(arg)  # e.g. a `result` link into the physical store
        if target.startswith(store.real_store_dir + "/"):
            path = store.store_dir + target[len(store.real_store_dir):]
    try:
        return to_store_path(path, store.store_dir)
    except BadStorePath as exc:
        raise StoreCommandError(str(exc)) from None


def path_info_json(store: Store, path: str) -> dict[str, Any]:
    info = store.query_path_info(path)
    if info is None:
        return {"path": path, "valid": False}
    out: dict[str, Any] = {
        "path": path,
        "narHash": "sha256:" + nix32.encode(info.nar_hash),
        "narSize": info.nar_size,
        "references": sorted(info.references),
        "registrationTime": info.registration_time,
        "valid": True,
    }
    if info.deriver:
        out["deriver"] = info.deriver
    if info.ca:
        out["ca"] = info.ca
    return out


def _path_info(store: Store, args: argparse.Namespace) -> int:
    paths = [_store_path(store, p) for p in args.paths]
    for p in paths:
        if not store.is_valid(p):
            raise StoreCommandError(f"path '{p}' is not valid")
    if args.recursive:
        paths = sorted(store.closure(paths))
    if args.json:
        sys.stdout.write(json.dumps([path_info_json(store, p) for p in paths], separators=(",", ":")) + "\n")
        return 0
    width = max(len(p) for p in paths)
    for p in paths:
        info = store.query_path_info(p)
        size = f"\t{info.nar_size:>12}" if args.size and info else ""
        sys.stdout.write(f"{p:<{width}}{size}\n" if size else p + "\n")
    return 0


def run(args: argparse.Namespace) -> int:
    store = Store(args.store_root)
    if args.action == "path-info":
        return _path_info(store, args)
    if args.action == "verify":
        problems = store.verify()
        for line in problems:
            sys.stderr.write(f"error: {line}\n")
        return 1 if problems else 0
    deleted = store.gc()
    for p in deleted:
        sys.stdout.write(f"deleting '{p}'\n")
    sys.stdout.write(f"{len(deleted)} store paths deleted\n")
    return 0
