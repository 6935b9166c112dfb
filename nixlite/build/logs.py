"""Where build logs are kept, and finding the log of a derivation or of an output it built.

Every build writes its whole output to one file per derivation (see
`nixlite.build.progress.BuildLog`), as Nix keeps
`/nix/var/log/nix/drvs/<2 chars>/<rest of the .drv name>`; nixlite's are
`<store root>/nix/var/log/nixlite/drvs/…`. They are not compressed: the file
is written as the builder runs, so `nixlite log` (or `tail -f`) can read a
build still in progress, and builds' logs are small next to their outputs. A
`.bz2` beside it (Nix's form, e.g. copied from a Nix installation) is read
too.

`read_build_log` is what `nixlite log` and `nix-store --read-log` do: a
derivation's own log, or, for an output path, the log of its deriver (the
derivation that the database says produced it). The failure message of a
build points at the command (`log_hint`), as Nix's points at `nix log`.
"""

from __future__ import annotations

import bz2
import os

from nixlite.build.progress import log_path
from nixlite.store.paths import is_derivation
from nixlite.store.store import Store, default_root


def log_root(store: Store) -> str:
    """The directory of nixlite's per-derivation build logs in `store`."""
    return os.path.join(store.root, "nix", "var", "log", "nixlite", "drvs")


def log_file(store: Store, drv_path: str) -> str:
    """The file a build of `drv_path` writes its log to."""
    return log_path(log_root(store), drv_path)


def deriver_of(store: Store, path: str) -> str | None:
    """The derivation whose build log tells about `path`: itself, or the deriver of an output."""
    if is_derivation(path):
        return path
    info = store.query_path_info(path)
    return info.deriver if info is not None else None


def read_build_log(store: Store, path: str) -> bytes | None:
    """The stored build log for a store path (a .drv or an output), or None when there is none."""
    drv_path = deriver_of(store, path)
    if drv_path is None:
        return None
    plain = log_file(store, drv_path)
    try:
        with open(plain, "rb") as f:
            return f.read()
    except FileNotFoundError:
        pass
    try:
        with bz2.open(plain + ".bz2", "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def log_hint(store: Store, drv_path: str) -> str:
    """The last line of a build failure message: Nix's `For full logs, run 'nix log …'.`

    When the store is not the one nixlite would find by itself, the command
    names it, so that it can be run as printed.
    """
    store_option = "" if store.root == default_root() else f" --store {store.root}"
    return f"For full logs, run 'nixlite log{store_option} {drv_path}'."
