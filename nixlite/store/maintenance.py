"""Store maintenance: garbage collection from GC roots, and verification.

Temp roots (`Store.add_temp_roots`) protect what running processes are
using; a collector holds their files locked while it works. GC roots are
the links recorded by `Store.add_root` (nix-build's `result`
links): an entry in `<state>/gcroots` names a link; while that link exists and
points at a store path, the path's closure is live. As with Nix's default
`keep-derivations = true`, the deriver of a live path stays live when it is
valid. Everything else in the store directory — valid paths nothing reaches
and unregistered leftovers not currently locked — is deleted.

Verification re-hashes every valid path and reports those whose files are
missing or whose NAR hash no longer matches the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from typing import TYPE_CHECKING, Iterator

from nixlite.store.nar import nar_hash
from nixlite.store.paths import BadStorePath, to_store_path

if TYPE_CHECKING:
    from nixlite.store.store import Store


def _root_target(store: "Store", link: str) -> str | None:
    try:
        target = os.readlink(link)
    except OSError:
        return None
    for prefix in (store.real_store_dir, store.store_dir):
        if target == prefix or target.startswith(prefix + "/"):
            try:
                return to_store_path(store.store_dir + target[len(prefix):], store.store_dir)
            except BadStorePath:
                return None
    return None


def find_roots(store: "Store") -> set[str]:
    """Store paths named by live GC roots (stale root entries are removed)."""
    roots: set[str] = set()
    gcroots = os.path.join(store.state_dir, "gcroots")
    for entry in os.listdir(gcroots):
        entry_path = os.path.join(gcroots, entry)
        link = os.readlink(entry_path) if os.path.islink(entry_path) else entry_path
        target = _root_target(store, link)
        if target is None:
            if not os.path.lexists(link):
                os.unlink(entry_path)
            continue
        roots.add(target)
    return roots


def live_paths(store: "Store", extra_roots: set[str] = frozenset()) -> set[str]:  # type: ignore[assignment]
    """The closure of the roots, with valid derivers kept (keep-derivations)."""
    live: set[str] = set()
    todo = [p for p in find_roots(store) | extra_roots if store.is_valid(p)]
    while todo:
        closure = store.closure(todo) - live
        live |= closure
        todo = []
        for p in closure:
            info = store.query_path_info(p)
            if info and info.deriver and info.deriver not in live and store.is_valid(info.deriver):
                todo.append(info.deriver)
    return live


def _is_locked(store: "Store", name: str) -> bool:
    lock_file = os.path.join(store.state_dir, "locks", name + ".lock")
    if not os.path.exists(lock_file):
        return False
    with open(lock_file, "a+") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    return False


def _writer_alive(staged_name: str) -> bool:
    """Whether the process that is staging `.tmp-<pid>-…` still runs."""
    try:
        os.kill(int(staged_name.split("-")[1]), 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _temp_roots_held(store: "Store") -> Iterator[set[str]]:
    """The temp roots of live processes, their files kept locked (so no new ones) until exit."""
    directory = os.path.join(store.state_dir, "temproots")
    os.makedirs(directory, exist_ok=True)
    roots: set[str] = set()
    held = []
    try:
        for name in os.listdir(directory):
            file = os.path.join(directory, name)
            if not _writer_alive(f"x-{name}"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(file)
                continue
            f = open(file)
            if name != str(os.getpid()):  # our own file: we would wait for ourselves
                fcntl.flock(f.fileno(), fcntl.LOCK_SH)
            held.append(f)
            roots.update(line.strip() for line in f if line.strip())
        yield roots
    finally:
        for f in held:
            f.close()


def collect_garbage(store: "Store") -> list[str]:
    """Delete what no root reaches; returns the deleted store paths (logical)."""
    from nixlite.store.files import remove_tree

    with open(os.path.join(store.state_dir, "gc.lock"), "a") as gc_lock:
        fcntl.flock(gc_lock.fileno(), fcntl.LOCK_EX)  # one collector at a time
        with _temp_roots_held(store) as temp_roots:
            live = live_paths(store, temp_roots)
            dead = [p for p in store.valid_paths() if p not in live]
            with store._transaction() as conn:  # all invalid at once: no dangling references
                for path in dead:
                    conn.execute("delete from Refs where referrer = (select id from ValidPaths where path = ?)",
                                 (path,))
                conn.executemany("delete from ValidPaths where path = ?", [(p,) for p in dead])
            for path in dead:
                remove_tree(store.physical(path))
            return dead + _delete_leftovers(store, live)


def _delete_leftovers(store: "Store", live: set[str]) -> list[str]:
    """Remove what is in the store directory but not valid (unless being written now)."""
    from nixlite.store.files import remove_tree

    deleted = []
    valid = set(store.valid_paths())
    for name in os.listdir(store.real_store_dir):
        logical = f"{store.store_dir}/{name}"
        if name.startswith(".tmp-"):
            if _writer_alive(name):
                continue
        elif logical in valid or logical in live or _is_locked(store, name):
            continue
        remove_tree(os.path.join(store.real_store_dir, name))
        deleted.append(logical)
    return deleted


def verify_store(store: "Store") -> list[str]:
    """Messages for every valid path whose content is missing or changed."""
    problems: list[str] = []
    for path in store.valid_paths():
        physical = store.physical(path)
        if not os.path.lexists(physical):
            problems.append(f"path '{path}' disappeared, but it still has valid referrers!"
                            if store.referrers(path) - {path} else f"path '{path}' disappeared")
            continue
        info = store.query_path_info(path)
        assert info is not None
        digest, size = nar_hash(physical)
        if digest != info.nar_hash:
            from nixlite.store import nix32

            problems.append(f"path '{path}' was modified! expected hash "
                            f"'sha256:{nix32.encode(info.nar_hash)}', got 'sha256:{nix32.encode(digest)}'")
    return problems
