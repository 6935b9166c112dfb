"""`nixlite build`: evaluate, instantiate and realise derivations, as nix-build does.

    nixlite build [FILE] [-A attr]… [--arg N E] [--argstr N S] [-I p] [-E expr]
                  [-o result | --no-out-link] [-j N] [--cores N] [-K] [-k]
                  [--timeout N] [--max-silent-time N] [--check]
                  [--show-trace] [--store ROOT]

FILE may also be a store derivation (`/nix/store/…drv`, or its physical
path under `--store`): then its `out` output is built and linked, as
nix-build 2.8 does.
Otherwise the selection is nix-instantiate's (`nixlite.commands.drv_selection`); the
selected outputs are realised (`nixlite.build.scheduler`); then, as
nix-build does, a symlink per selected derivation is made — `result`,
`result-2`, … and `result-<output>` for an output other than `out` — and
registered as a GC root, and the output paths are printed one per line.
The links point at the physical store path (under `--store ROOT`), so that
they can be followed on this machine; the printed paths are the logical
/nix/store ones, as Nix prints them.

`--timeout N` / `--max-silent-time N` kill a builder (with its whole
sandbox) that runs longer than N seconds / writes nothing for N seconds,
with Nix's `building of '…' timed out after N seconds [of silence]`.
`--check` rebuilds the selected derivations whose outputs are valid and
compares the results with the store (Nix's `derivation '…' may not be
deterministic: output '…' differs`), replacing nothing; with `-K` the
differing result is kept as `<output>.check`.

Exit status as Nix's (`nixlite.build.errors.exit_status`): 1 for evaluation
errors and rejected outputs, 100 when a build failed, 101 when one timed
out, 102 when a fixed-output hash did not match, 104 when a --check found a
different output.
"""

from __future__ import annotations

import argparse
import os
import sys

from nixlite.build.settings import BuildSettings
from nixlite.build.scheduler import BuildFailure, realise_derivations
from nixlite.commands.drv_selection import (
    add_selection_arguments, evaluate_selection, selected_outputs,
)
from nixlite.eval.errors import NixError

class OutLinkError(NixError):
    """A `result` link that cannot be made, or a store derivation that is not there."""


def _jobs(text: str) -> int:
    if text == "auto":
        return os.cpu_count() or 1
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of jobs '{text}'") from None
    if n < 1:
        raise argparse.ArgumentTypeError("nixlite needs at least one build job (-j 1)")
    return n


def _seconds(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds")
    return n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser)
    parser.add_argument("-o", "--out-link", dest="out_link", default="result",
                        help="name of the result symlink (default: result)")
    parser.add_argument("--no-out-link", action="store_true", help="do not create result symlinks")
    parser.add_argument("-j", "--max-jobs", dest="jobs", type=_jobs, default=1,
                        help="how many derivations to build at once (default 1, or 'auto')")
    parser.add_argument("--cores", type=int, default=0, help="NIX_BUILD_CORES for builders (0: all CPUs)")
    parser.add_argument("-K", "--keep-failed", action="store_true", help="keep the build directory of a failed build")
    parser.add_argument("-k", "--keep-going", action="store_true", help="build what does not depend on a failure")
    parser.add_argument("--timeout", type=_seconds, default=0, metavar="N",
                        help="kill a build that runs longer than N seconds (0: no limit)")
    parser.add_argument("--max-silent-time", type=_seconds, default=0, metavar="N",
                        help="kill a build that writes nothing for N seconds (0: no limit)")
    parser.add_argument("--check", action="store_true",
                        help="rebuild valid outputs and compare them with the store's (replacing nothing)")
    parser.add_argument("-Q", "--no-build-output", action="store_true", help="accepted for nix-build compatibility")


def _store_derivation(args: argparse.Namespace) -> tuple[object, list[tuple[str, str]]] | None:
    """`nixlite build /nix/store/…drv` (or its physical path): every output of a stored derivation."""
    from nixlite.store.store import Store

    if args.expr is not None or not args.file or not args.file.endswith(".drv") or args.attrs:
        return None
    store = Store(args.store_root)
    path = os.path.abspath(args.file)
    if path.startswith(store.real_store_dir + "/"):
        path = store.store_dir + path[len(store.real_store_dir):]
    if not path.startswith(store.store_dir + "/"):
        return None
    if not store.is_valid(path):
        raise OutLinkError(f"path '{path}' is not valid")
    outputs = sorted(store.read_derivation(path).outputs, key=lambda name: (name != "out", name))
    return store, [(path, outputs[0])]  # nix-build 2.8 selects the default output only


def _selected_outputs(args: argparse.Namespace) -> tuple[object, list[tuple[str, str]]]:
    """Evaluate and instantiate: the store and the (drv path, output name) pairs, in order."""
    from nixlite.primops.store import store_of

    stored = _store_derivation(args)
    if stored is not None:
        return stored
    state, values, auto = evaluate_selection(args)
    selected = list(selected_outputs(values, auto))
    store = store_of(state)
    store.flush_registrations()  # what evaluation wrote is registered before anything is built
    return store, selected


def _link_names(out_link: str, selected: list[tuple[str, str]]) -> list[str]:
    """nix-build's names: one prefix per derivation (result, result-2, …), `-<output>` unless out."""
    prefixes: dict[str, str] = {}
    names = []
    for drv_path, output in selected:
        if drv_path not in prefixes:
            prefixes[drv_path] = out_link if not prefixes else f"{out_link}-{len(prefixes) + 1}"
        names.append(prefixes[drv_path] + ("" if output == "out" else "-" + output))
    return names


def make_result_link(store, link: str, store_path: str) -> None:  # type: ignore[no-untyped-def]
    """Point `link` at the output (replacing an older result link) and register it as a GC root."""
    link = os.path.abspath(link)
    if os.path.lexists(link):
        target = os.readlink(link) if os.path.islink(link) else None
        if target is None or not (target.startswith(store.real_store_dir + "/")
                                  or target.startswith(store.store_dir + "/")):
            raise OutLinkError(f"cannot create symlink '{link}'; already exists")
    tmp = f"{link}.tmp-{os.getpid()}"
    os.symlink(store.physical(store_path), tmp)
    os.replace(tmp, link)
    store.add_root(link, store_path)


def run(args: argparse.Namespace) -> int:
    store, selected = _selected_outputs(args)
    settings = BuildSettings(cores=args.cores or os.cpu_count() or 1, keep_failed=args.keep_failed,
                             keep_going=args.keep_going, timeout=args.timeout,
                             max_silent_time=args.max_silent_time, check=args.check)
    try:
        # One target per selected output, in order, as nix-build asks for them.
        realise_derivations(store, [(d, [o]) for d, o in selected], jobs=args.jobs, settings=settings)
    except BuildFailure as failure:
        from nixlite import diagnostics

        for err in failure.errors:
            diagnostics.report(err)
        return failure.exit_status
    out_paths = [store.read_derivation(d).outputs[o].path for d, o in selected]  # type: ignore[attr-defined]
    if not args.no_out_link:
        for name, path in zip(_link_names(args.out_link, selected), out_paths):
            make_result_link(store, name, path)
    sys.stdout.write("".join(p + "\n" for p in out_paths))
    return 0
