"""The store: files under a physical root, and a SQLite database of what is valid.

Logical paths are always `/nix/store/…` (so every path equals real Nix's);
the files live at `<root>/nix/store/…`, as with Nix's `--store <root>`. The
root is, in order: the `root` argument (`--store ROOT`), `$NIXLITE_STORE`,
or `~/.local/share/nixlite`. nixlite never defaults to `/`, because on a
machine with real Nix that would write beside Nix's own store and database;
`--store /` puts the files at /nix/store itself (validity is still recorded
only in nixlite's own database), and is refused when a Nix installation
manages that directory (/nix/var/nix/db exists).

Validity is a row in the database, never the mere existence of files: content
is written first (under a temporary name, then renamed; or written in place
while the path is locked and unregistered) and only then registered, with its
references, in one SQLite transaction. A crash at any moment leaves at most an
unregistered leftover, which `delete_invalid` removes before the path is made
again. Text paths (.drv files, toFile) are registered in batches: the files
are written at once, and the registrations wait until the database is next
used, the command has finished evaluating, or the process exits, so that a
thousand derivations cost one transaction; meanwhile `is_valid` counts them
as valid, and their temp roots keep a collector from taking them. Per-path file locks (`lock`) keep two processes from producing the same
path at once.

The database keeps the facts Nix's keeps (nix/var/nix/db/db.sqlite):
ValidPaths (NAR hash, NAR size, deriver, registration time, content
address), Refs, and DerivationOutputs.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import sqlite3
import stat
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from nixlite.store import nix32
from nixlite.store.files import remove_tree
from nixlite.store.derivation import Derivation, aterm_bytes, hash_derivation_modulo
from nixlite.store.hashes import Hash
from nixlite.store.nar import PathFilter, nar_hash, nar_serialise, regular_file_nar, restore
from nixlite.store.paths import (
    DEFAULT_STORE_DIR, base_name, make_fixed_output_path, make_source_path, make_text_path,
    parse_store_path,
)


# At most this many text paths wait to be registered (what a crash would leave unregistered).
_MAX_PENDING = 2000


class StoreError(Exception):
    """A store operation that cannot be done (the message says why, as Nix would)."""


@dataclass
class PathInfo:
    """What the database knows about a valid path (Nix's ValidPathInfo).

    nar_hash is the raw sha256 digest of the path's NAR.
    """

    path: str
    nar_hash: bytes
    nar_size: int
    references: set[str] = field(default_factory=set)
    deriver: str | None = None
    registration_time: int = 0
    ca: str | None = None


_SCHEMA = """
create table if not exists ValidPaths (
    id               integer primary key autoincrement not null,
    path             text unique not null,
    hash             text not null,
    registrationTime integer not null,
    deriver          text,
    narSize          integer,
    ultimate         integer,
    sigs             text,
    ca               text
);
create table if not exists Refs (
    referrer  integer not null,
    reference integer not null,
    primary key (referrer, reference),
    foreign key (referrer) references ValidPaths(id) on delete cascade,
    foreign key (reference) references ValidPaths(id) on delete restrict
);
create index if not exists IndexReferrer on Refs(referrer);
create index if not exists IndexReference on Refs(reference);
create table if not exists DerivationOutputs (
    drv  integer not null,
    id   text not null,
    path text not null,
    primary key (drv, id),
    foreign key (drv) references ValidPaths(id) on delete cascade
);
create index if not exists IndexDerivationOutputs on DerivationOutputs(path);
"""


_DB_TIMEOUT = 60.0  # seconds to wait for another process's lock on the database


def _while_locked(operation: Callable[[], Any]) -> Any:
    """Run a database set-up step, retrying while another process holds the database locked.

    Two processes opening a new database at once race to switch it to WAL
    mode, and SQLite reports the loser's `database is locked` without waiting
    (no busy handler there), so the wait is done here.
    """
    deadline = time.monotonic() + _DB_TIMEOUT
    while True:
        try:
            return operation()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def default_root() -> str:
    """$NIXLITE_STORE, or ~/.local/share/nixlite (see the module docstring)."""
    env = os.environ.get("NIXLITE_STORE")
    if env:
        return os.path.abspath(env)
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data, "nixlite")


def canonicalise(path: str) -> None:
    """Nix's canonical metadata: read-only, executable bit kept, mtime 1."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        os.utime(path, (1, 1), follow_symlinks=False)
        return
    if stat.S_ISDIR(st.st_mode):
        for name in os.listdir(path):
            canonicalise(os.path.join(path, name))
        mode = 0o555
    else:
        mode = 0o555 if st.st_mode & stat.S_IXUSR else 0o444
    os.chmod(path, mode)
    os.utime(path, (1, 1))


def _refuse_host_nix_store(real_store_dir: str, root: str) -> None:
    """Never write into a store directory that a Nix installation manages.

    nixlite would replace files there that Nix's own database says are valid
    (it treats anything it did not register as a leftover), so a root whose
    store directory belongs to a real Nix (`<root>/nix/var/nix/db` exists) is
    refused.
    """
    if os.path.isdir(os.path.join(root, "nix", "var", "nix", "db")):
        raise StoreError(f"refusing to use '{real_store_dir}': it belongs to a Nix installation "
                         f"(its database is {os.path.join(root, 'nix', 'var', 'nix', 'db')}); "
                         "choose another store root with --store or $NIXLITE_STORE")


class Store:
    """A nixlite store (see the module docstring)."""

    store_dir: str = DEFAULT_STORE_DIR

    def __init__(self, root: str | None = None, read_only: bool = False) -> None:
        self.root = os.path.abspath(root) if root else default_root()
        self.read_only = read_only
        self.real_store_dir = os.path.join(self.root, self.store_dir.lstrip("/"))
        self.state_dir = os.path.join(self.root, "nix", "var", "nixlite")
        self._local = threading.local()
        self._drv_cache: dict[str, Derivation] = {}
        self._hash_modulo_cache: dict[str, bytes] = {}
        self._temp_roots: Any = None
        self._temp_roots_pid = 0
        # Text paths (.drv files, toFile) written but not yet registered: they are
        # registered together, in one transaction, before the database is next
        # used (or at exit), instead of one transaction each.
        self._pending: dict[str, PathInfo] = {}
        self._pending_lock = threading.RLock()
        self._flush_at_exit = False
        if not read_only:
            _refuse_host_nix_store(self.real_store_dir, self.root)
            for d in (self.real_store_dir, self.state_dir, os.path.join(self.state_dir, "locks"),
                      os.path.join(self.state_dir, "gcroots")):
                os.makedirs(d, exist_ok=True)

    # --- the database -----------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection; pending registrations are made first, so every query sees them."""
        conn = self._connection()
        if self._pending:
            self.flush_registrations()
        return conn

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            path = os.path.join(self.state_dir, "db.sqlite")
            if self.read_only and not os.path.exists(path):
                conn = sqlite3.connect(":memory:", isolation_level=None)
            else:
                conn = sqlite3.connect(path, timeout=_DB_TIMEOUT, isolation_level=None)
                _while_locked(lambda: conn.execute("pragma journal_mode=wal"))
            conn.execute("pragma foreign_keys=on")
            conn.execute("pragma synchronous=normal")
            _while_locked(lambda: conn.executescript(_SCHEMA))
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.db
        conn.execute("begin immediate")
        try:
            yield conn
        except BaseException:
            conn.execute("rollback")
            raise
        conn.execute("commit")

    def _path_id(self, path: str) -> int | None:
        row = self.db.execute("select id from ValidPaths where path = ?", (path,)).fetchone()
        return None if row is None else int(row[0])

    # --- queries ----------------------------------------------------------

    def physical(self, path: str) -> str:
        """Where the files of a logical store path (or a path inside one) are."""
        if path == self.store_dir or path.startswith(self.store_dir + "/"):
            return self.real_store_dir + path[len(self.store_dir):]
        return path

    def is_valid(self, path: str) -> bool:
        if path in self._pending:
            return True
        # Pending registrations cannot make another path valid: no need to flush them.
        return self._connection().execute("select 1 from ValidPaths where path = ?", (path,)).fetchone() is not None

    def flush_registrations(self) -> None:
        """Register the pending text paths (see `_add_text_at`), all in one transaction."""
        with self._pending_lock:
            infos = list(self._pending.values())
            if infos:
                self._pending.clear()
                self.register_valid(infos)

    def _flush_quietly(self) -> None:
        """The flush at interpreter exit: a failure leaves unregistered files, as a crash would."""
        with contextlib.suppress(Exception):
            self.flush_registrations()

    def query_path_info(self, path: str) -> PathInfo | None:
        row = self.db.execute(
            "select id, hash, narSize, deriver, registrationTime, ca from ValidPaths where path = ?",
            (path,)).fetchone()
        if row is None:
            return None
        algo, _, text = row[1].partition(":")
        digest = bytes.fromhex(text) if len(text) == 64 else nix32.decode(text, 32)
        return PathInfo(path, digest, int(row[2] or 0), self._references_of(row[0]), row[3] or None,
                        int(row[4]), row[5] or None)

    def _references_of(self, path_id: int) -> set[str]:
        rows = self.db.execute(
            "select p.path from Refs r join ValidPaths p on r.reference = p.id where r.referrer = ?",
            (path_id,))
        return {r[0] for r in rows}

    def references(self, path: str) -> set[str]:
        path_id = self._path_id(path)
        return set() if path_id is None else self._references_of(path_id)

    def referrers(self, path: str) -> set[str]:
        rows = self.db.execute(
            "select p.path from Refs r join ValidPaths p on r.referrer = p.id "
            "join ValidPaths q on r.reference = q.id where q.path = ?", (path,))
        return {r[0] for r in rows}

    def closure(self, paths: Iterable[str]) -> set[str]:
        """The paths and everything they refer to, transitively."""
        seen: set[str] = set()
        todo = list(paths)
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            todo.extend(self.references(p) - seen)
        return seen

    def valid_paths(self) -> list[str]:
        return [r[0] for r in self.db.execute("select path from ValidPaths order by path")]

    def derivation_outputs(self, drv_path: str) -> dict[str, str]:
        rows = self.db.execute(
            "select o.id, o.path from DerivationOutputs o join ValidPaths v on o.drv = v.id where v.path = ?",
            (drv_path,))
        return dict(rows.fetchall())

    # --- locks and registration ---------------------------------------------

    @contextlib.contextmanager
    def lock(self, paths: Iterable[str]) -> Iterator[None]:
        """Exclusive per-path file locks (taken in sorted order, so no deadlock)."""
        files = []
        try:
            for p in sorted(set(paths)):
                f = open(os.path.join(self.state_dir, "locks", base_name(p) + ".lock"), "a+")
                files.append(f)
                fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            yield
        finally:
            for f in reversed(files):
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
                f.close()

    def register_valid(self, infos: list[PathInfo]) -> None:
        """Make paths valid with their references, all in one transaction.

        A path already valid has its facts updated (its id, and so the references
        other paths hold to it, stay).
        """
        now = int(time.time())
        with self._transaction() as conn:
            ids: dict[str, int] = {}
            for info in infos:
                conn.execute(
                    "insert into ValidPaths (path, hash, registrationTime, deriver, narSize, ca) "
                    "values (?, ?, ?, ?, ?, ?) on conflict(path) do update set hash = excluded.hash, "
                    "registrationTime = excluded.registrationTime, deriver = excluded.deriver, "
                    "narSize = excluded.narSize, ca = excluded.ca",
                    (info.path, "sha256:" + info.nar_hash.hex(), info.registration_time or now,
                     info.deriver, info.nar_size, info.ca))
            for info in infos:
                self._insert_references(conn, info, ids)
                if info.path.endswith(".drv"):
                    self._register_outputs(conn, ids[info.path], info.path)

    def _ids_of(self, conn: sqlite3.Connection, paths: set[str], ids: dict[str, int]) -> None:
        wanted = sorted(p for p in paths if p not in ids)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            ids.update(conn.execute(f"select path, id from ValidPaths where path in ({marks})", chunk))

    def _insert_references(self, conn: sqlite3.Connection, info: PathInfo, ids: dict[str, int]) -> None:
        self._ids_of(conn, info.references | {info.path}, ids)
        missing = sorted(r for r in info.references if r not in ids)
        if missing:
            raise StoreError(f"cannot add path '{info.path}' because it references path "
                             f"'{missing[0]}' which is not valid")
        conn.executemany("insert or ignore into Refs (referrer, reference) values (?, ?)",
                         [(ids[info.path], ids[r]) for r in sorted(info.references)])

    def _register_outputs(self, conn: sqlite3.Connection, drv_id: int | None, drv_path: str) -> None:
        drv = self.read_derivation(drv_path)
        for name, out in drv.outputs.items():
            if out.path:
                conn.execute("insert or replace into DerivationOutputs (drv, id, path) values (?, ?, ?)",
                             (drv_id, name, out.path))

    def delete_invalid(self, path: str) -> None:
        """Remove the leftover files of a path that is not registered (e.g. a killed build)."""
        if self.is_valid(path):
            raise StoreError(f"cannot delete valid path '{path}' as a leftover")
        remove_tree(self.physical(path))

    def _install(self, path: str, write: Callable[[str], tuple[bytes, int] | None], references: Iterable[str],
                 ca: str | None) -> str:
        """Write a path's content under a temporary name, rename it in place, register it.

        `write(dest)` may return the (sha256, size) of the NAR it wrote, sparing a re-read.
        """
        self.add_temp_roots([path])
        if self.read_only or self.is_valid(path):
            return path
        with self.lock([path]):
            if self.is_valid(path):
                return path
            target = self.physical(path)
            if os.path.lexists(target):
                remove_tree(target)  # an unregistered leftover
            staged = os.path.join(self.real_store_dir, f".tmp-{os.getpid()}-{threading.get_ident()}-{base_name(path)}")
            if os.path.lexists(staged):
                remove_tree(staged)
            try:
                nar = write(staged)
                canonicalise(staged)
                os.rename(staged, target)
            except BaseException:
                if os.path.lexists(staged):
                    remove_tree(staged)
                raise
            digest, size = nar if nar is not None else nar_hash(target)
            self.register_valid([PathInfo(path, digest, size, set(references), None, 0, ca)])
        return path

    # --- adding content -------------------------------------------------------

    def add_text(self, name: str, text: bytes, references: Iterable[str] = ()) -> str:
        """Add a text file (toFile, .drv): a text path referring to `references`.

        No lock is needed: whoever writes a text path writes the same bytes, and
        a complete file is renamed over whatever is there.
        """
        refs = set(references)
        path = make_text_path(name, text, refs, self.store_dir)
        self._add_text_at(path, text, refs)
        return path

    def _add_text_at(self, path: str, text: bytes, refs: set[str]) -> None:
        """add_text once the path is known (it is the text path of `text` and `refs`).

        The file is written now and registered later (`flush_registrations`);
        until then `is_valid` knows it, and its temp root keeps a collector away.
        """
        self.add_temp_roots([path])
        if self.read_only or self.is_valid(path):
            return
        staged = os.path.join(self.real_store_dir, f".tmp-{os.getpid()}-{threading.get_ident()}-{base_name(path)}")
        try:
            with open(staged, "wb") as f:
                f.write(text)
            os.chmod(staged, 0o444)
            os.utime(staged, (1, 1))
            os.replace(staged, self.physical(path))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(staged)
            raise
        nar = regular_file_nar(text)
        ca = "text:sha256:" + nix32.encode(hashlib.sha256(text).digest())
        with self._pending_lock:
            self._pending[path] = PathInfo(path, hashlib.sha256(nar).digest(), len(nar), refs, None, 0, ca)
            if not self._flush_at_exit:
                self._flush_at_exit = True
                atexit.register(self._flush_quietly)
        if len(self._pending) >= _MAX_PENDING:
            self.flush_registrations()

    def compute_path(self, src: str, name: str | None = None, recursive: bool = True,
                     filter: PathFilter | None = None) -> tuple[str, Hash]:
        """The store path `add_path` would give, and the content hash (NAR or flat sha256)."""
        name = name if name is not None else os.path.basename(src.rstrip("/"))
        if recursive:
            digest, _ = nar_hash(src, filter)
            h = Hash("sha256", digest)
            return make_source_path(name, digest, (), self.store_dir), h
        if not os.path.isfile(src):
            raise StoreError(f"file '{src}' is not a regular file")
        with open(src, "rb") as f:
            h = Hash("sha256", hashlib.file_digest(f, "sha256").digest())
        return make_fixed_output_path(name, h, False, store_dir=self.store_dir), h

    def add_path(self, src: str, name: str | None = None, recursive: bool = True,
                 filter: PathFilter | None = None, expected_hash: Hash | None = None) -> str:
        """Copy a file or tree into the store (builtins.path, `"${./x}"`) and return its path."""
        name = name if name is not None else os.path.basename(src.rstrip("/"))
        path, h = self.compute_path(src, name, recursive, filter)
        if expected_hash is not None and expected_hash.digest != (
                h.digest if expected_hash.algo == "sha256" else _content_hash(src, recursive, filter, expected_hash.algo)):
            raise StoreError(f"hash mismatch importing path '{src}';\n  specified: "
                             f"{expected_hash.sri()}\n  got:       {Hash(expected_hash.algo, h.digest).sri()}")
        ca = ("fixed:r:" if recursive else "fixed:") + "sha256:" + h.nix32()
        return self._install(path, lambda dest: _copy_via_nar(src, dest, filter, h.digest if recursive else None),
                             (), ca)

    # --- derivations ----------------------------------------------------------

    def write_derivation(self, drv: Derivation, name: str | None = None, aterm: str | None = None) -> str:
        """Write a derivation as a .drv text path and return that path.

        `aterm` is its text when the caller has it already (`derivation.instantiate`).
        """
        if name is not None:
            drv.name = name
        text = aterm_bytes(drv.to_aterm() if aterm is None else aterm)
        refs = drv.references()
        path = make_text_path(drv.name + ".drv", text, refs, self.store_dir)
        self._drv_cache[path] = drv
        self._add_text_at(path, text, refs)
        return path

    def read_derivation(self, drv_path: str) -> Derivation:
        drv = self._drv_cache.get(drv_path)
        if drv is None:
            try:
                with open(self.physical(drv_path), encoding="utf-8", errors="surrogateescape") as f:
                    text = f.read()
            except OSError as exc:
                raise StoreError(f"cannot read derivation '{drv_path}': {exc.strerror}") from None
            name = base_name(drv_path)[33:-len(".drv")]
            drv = Derivation.parse(text, name)
            self._drv_cache[drv_path] = drv
        return drv

    def hash_modulo(self, drv_path: str) -> bytes:
        """hashDerivationModulo of a stored derivation (cached for this process)."""
        h = self._hash_modulo_cache.get(drv_path)
        if h is None:
            h = hash_derivation_modulo(self.read_derivation(drv_path), self._hash_or_drv)
            self._hash_modulo_cache[drv_path] = h
        return h

    def _hash_or_drv(self, drv_path: str) -> bytes:
        return self.hash_modulo(drv_path)

    def remember_derivation(self, drv_path: str, drv: Derivation) -> None:
        """Keep a derivation in memory (read-only evaluation writes no .drv files)."""
        self._drv_cache[drv_path] = drv

    def remember_hash_modulo(self, drv_path: str, digest: bytes) -> None:
        """Record a derivation's hash modulo, known to whoever just made it."""
        self._hash_modulo_cache[drv_path] = digest

    # --- roots, gc, verify ------------------------------------------------------

    def add_root(self, link_path: str, store_path: str) -> None:
        """Record `link_path` (a symlink to `store_path`) as an indirect GC root."""
        link_path = os.path.abspath(link_path)
        key = hashlib.sha256(link_path.encode()).hexdigest()[:32]
        entry = os.path.join(self.state_dir, "gcroots", key)
        tmp = entry + ".tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        os.symlink(link_path, tmp)
        os.replace(tmp, entry)

    def add_temp_roots(self, paths: Iterable[str]) -> None:
        """Protect paths from a concurrent `gc` for as long as this process lives.

        Call it *before* checking that a path is valid and relying on it (as
        evaluation does for what it adds, and a build for its inputs): `gc` holds
        every process's temp-roots file locked from reading it until it has
        finished deleting, so a root is either seen or added after gc is done.
        """
        if self.read_only:
            return
        handle = self._temp_roots
        if handle is None or self._temp_roots_pid != os.getpid():
            directory = os.path.join(self.state_dir, "temproots")
            os.makedirs(directory, exist_ok=True)
            # A collector running now holds gc.lock: wait for it, so that it never
            # misses a temp-roots file created while it works.
            with open(os.path.join(self.state_dir, "gc.lock"), "a") as gc_lock:
                fcntl.flock(gc_lock.fileno(), fcntl.LOCK_SH)
                handle = self._temp_roots = open(os.path.join(directory, str(os.getpid())), "a")
            self._temp_roots_pid = os.getpid()
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            handle.write("".join(p + "\n" for p in paths))
            handle.flush()
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def roots(self) -> set[str]:
        """Store paths reachable from live GC roots (links that still point into the store)."""
        from nixlite.store.maintenance import find_roots

        return find_roots(self)

    def gc(self) -> list[str]:
        from nixlite.store.maintenance import collect_garbage

        return collect_garbage(self)

    def verify(self) -> list[str]:
        from nixlite.store.maintenance import verify_store

        return verify_store(self)


def _content_hash(src: str, recursive: bool, filter: PathFilter | None, algo: str) -> bytes:
    if recursive:
        return nar_hash(src, filter, algo)[0]
    with open(src, "rb") as f:
        return hashlib.file_digest(f, algo).digest()


class _ChunkReader:
    """A read(n) interface over an iterator of byte chunks (NAR stream → restore)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = memoryview(b"")

    def read(self, n: int) -> bytes:
        parts = []
        while n > 0:
            if not self.pending:
                nxt = next(self.chunks, None)
                if nxt is None:
                    break
                self.pending = memoryview(nxt)
            part = self.pending[:n]
            self.pending = self.pending[n:]
            parts.append(part)
            n -= len(part)
        return b"".join(parts)


def _copy_via_nar(src: str, dest: str, filter: PathFilter | None, expected: bytes | None) -> tuple[bytes, int]:
    """Copy src to dest by streaming its NAR into `restore`, hashing it on the way.

    Only what a NAR keeps is copied (and what the filter accepts). When the
    NAR hash was computed before (`expected`), a mismatch means the source
    changed in between: an error rather than a path whose name lies.
    """
    h = hashlib.sha256()
    size = 0

    def hashed() -> Iterator[bytes]:
        nonlocal size
        for chunk in nar_serialise(src, filter):
            h.update(chunk)
            size += len(chunk)
            yield chunk

    restore(_ChunkReader(hashed()), dest)  # type: ignore[arg-type]
    if expected is not None and h.digest() != expected:
        raise StoreError(f"path '{src}' changed while it was being added to the store")
    return h.digest(), size


__all__ = ["Store", "PathInfo", "StoreError", "default_root", "parse_store_path", "remove_tree", "canonicalise"]
