"""`nixlite log PATH…`: print the stored build log, as `nix log` / `nix-store --read-log` do.

PATH is a store derivation or an output path (logical `/nix/store/…`, its
physical place under `--store ROOT`, or a link to either such as `result`);
for an output, the log of the derivation that built it (its deriver) is
printed. The log is written to stdout as the builder wrote it. A path whose
log nixlite does not have is an error worded as `nix log` words it:
`build log of '…' is not available`.
"""

from __future__ import annotations

import argparse
import sys

from nixlite.build.logs import read_build_log
from nixlite.commands.store import _store_path
from nixlite.eval.errors import NixError
from nixlite.store.store import Store


class BuildLogMissing(NixError):
    """No stored build log for the path."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a store derivation or an output path")
    parser.add_argument("--store", dest="store_root", default=None, help="the physical root of the store")


def run(args: argparse.Namespace) -> int:
    store = Store(args.store_root, read_only=True)
    for arg in args.paths:
        path = _store_path(store, arg)
        log = read_build_log(store, path)
        if log is None:
            raise BuildLogMissing(f"build log of '{path}' is not available")
        sys.stdout.buffer.write(log)
        sys.stdout.flush()
    return 0
