"""Applying layer tars to a directory safely: flatten an image, list its paths.

Base images come from outside, so their layers are hostile input. The
rules, as Docker's own layer extraction (which runs chrooted) behaves:

- names are cleaned; an absolute name is taken relative to the root; a
  name that climbs out (`../x`, `a/../../x`) is refused;
- every parent component is resolved *inside* the root without ever
  letting the kernel follow a symlink: a symlink met on the way is read
  and its target re-anchored at the root (`..` stops at the root), as a
  chroot or `openat2(RESOLVE_IN_ROOT)` would — so a symlink pointing out
  of the root, followed by a write through it, writes inside the root;
- the last component is never followed: an existing symlink there is
  replaced, not written through; files are created with O_EXCL|O_NOFOLLOW;
- hard links may only point at something already inside the root;
- device nodes are skipped (recorded in `skipped`), fifos are made;
- whiteouts: `.wh.NAME` deletes NAME, `.wh..wh..opq` empties its
  directory of everything lower layers put there.

Ownership and modes are not applied with chown (the builder is usually
not root): `Rootfs.meta` records `(uid, gid, mode)` per path, to be handed
to `layer_tar.scan_tree(owners=…)` when the tree is written back out.
Directories stay writable while layers are applied and get their real
mode at `finish()`.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from dataclasses import dataclass, field
from typing import BinaryIO, Final, Iterable

from nixlite.docker import tar_format as tf
from nixlite.docker.errors import ImageFormatError
from nixlite.docker.layer_tar import OPAQUE_WHITEOUT, WHITEOUT_PREFIX
from nixlite.store.files import remove_tree

_MAX_SYMLINK_HOPS: Final = 40


def clean_member_name(name: str) -> str:
    """A member name as a clean relative path (`""` is the root); refuses names that climb out."""
    if name.startswith("/"):
        cleaned = posixpath.normpath(name).lstrip("/")
    else:
        cleaned = posixpath.normpath(name) if name else "."
        if cleaned == ".." or cleaned.startswith("../"):
            raise ImageFormatError(f"layer: entry {name!r} points outside the image root")
    return "" if cleaned == "." else cleaned


@dataclass
class Rootfs:
    """A root directory being assembled from layers (see the module docstring)."""

    root: str
    meta: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    _dir_modes: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = os.path.abspath(self.root)
        os.makedirs(self.root, exist_ok=True)

    def owners(self) -> dict[str, tuple[int, int]]:
        """path -> (uid, gid) as recorded, for `layer_tar.scan_tree(owners=…)`."""
        return {rel: (uid, gid) for rel, (uid, gid, _) in self.meta.items() if rel}

    # ------------------------------------------------------------ resolution

    def _abs(self, rel: str) -> str:
        return os.path.join(self.root, rel) if rel else self.root

    def resolve_dir(self, rel: str) -> str:
        """The real directory (relative to the root) that `rel` names, following symlinks inside the root.

        Missing components are created as directories (mode 0755, root-owned),
        as tar extraction does for members whose parents are not in the archive.
        """
        pending = [c for c in rel.split("/") if c]
        resolved: list[str] = []
        hops = 0
        while pending:
            comp = pending.pop(0)
            if comp == ".":
                continue
            if comp == "..":
                if resolved:
                    resolved.pop()
                continue
            path = self._abs("/".join(resolved + [comp]))
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                os.mkdir(path, 0o755)
                self._note_dir("/".join(resolved + [comp]), 0o755, 0, 0)
                resolved.append(comp)
                continue
            if stat.S_ISLNK(st.st_mode):
                hops += 1
                if hops > _MAX_SYMLINK_HOPS:
                    raise ImageFormatError(f"layer: too many levels of symbolic links in {rel!r}")
                target = os.readlink(path)
                if target.startswith("/"):
                    resolved = []
                pending = [c for c in target.split("/") if c] + pending
                continue
            if not stat.S_ISDIR(st.st_mode):
                raise ImageFormatError(f"layer: {rel!r} goes through {'/'.join(resolved + [comp])!r}, "
                                       "which is not a directory")
            resolved.append(comp)
        return "/".join(resolved)

    def locate(self, name: str) -> tuple[str, str]:
        """(real parent directory relative to the root, base name) for a cleaned member name."""
        parent, _, base = name.rpartition("/")
        return self.resolve_dir(parent), base

    # ------------------------------------------------------------ changes

    def _note_dir(self, rel: str, mode: int, uid: int, gid: int) -> None:
        self._dir_modes[rel] = mode
        self.meta[rel] = (uid, gid, mode)

    def remove(self, rel: str) -> None:
        """Delete `rel` (a real path relative to the root) and forget its metadata."""
        remove_tree(self._abs(rel))
        self._forget(rel)

    def _forget(self, rel: str) -> None:
        prefix = rel + "/"
        for table in (self.meta, self._dir_modes):
            for key in [k for k in table if k == rel or k.startswith(prefix)]:
                del table[key]

    def _clear_for(self, rel: str, want_dir: bool) -> bool:
        """Make room for a new entry at `rel`; True if an existing directory is kept (dir over dir)."""
        try:
            st = os.lstat(self._abs(rel))
        except FileNotFoundError:
            return False
        if want_dir and stat.S_ISDIR(st.st_mode):
            return True
        self.remove(rel)
        return False

    def finish(self) -> None:
        """Give directories their recorded modes (deepest first, so parents stay writable until then)."""
        for rel in sorted(self._dir_modes, key=lambda r: r.count("/"), reverse=True):
            os.chmod(self._abs(rel), self._dir_modes[rel] & 0o7777)
        self._dir_modes.clear()


# ---------------------------------------------------------------- applying a layer

def _write_regular(fs: Rootfs, rel: str, m: tf.Member, reader: tf.TarReader) -> None:
    fd = os.open(fs._abs(rel), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        for chunk in reader.data_chunks():
            f.write(chunk)
        os.fchmod(f.fileno(), m.mode & 0o7777)


def _link_target(fs: Rootfs, m: tf.Member) -> str:
    target = clean_member_name(m.linkname)
    if not target:
        raise ImageFormatError(f"layer: hard link {m.name!r} to the root directory")
    parent, base = fs.locate(target)
    rel = f"{parent}/{base}" if parent else base
    try:
        st = os.lstat(fs._abs(rel))
    except FileNotFoundError:
        raise ImageFormatError(f"layer: hard link {m.name!r} to missing {m.linkname!r}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ImageFormatError(f"layer: hard link {m.name!r} to a directory")
    return rel


def _apply_whiteout(fs: Rootfs, parent: str, base: str, created: set[str]) -> None:
    if base == OPAQUE_WHITEOUT:
        directory = fs._abs(parent)
        for child in os.listdir(directory):
            rel = f"{parent}/{child}" if parent else child
            if rel not in created:
                fs.remove(rel)
    elif not base.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):  # other .wh..wh.* are aufs metadata
        victim = base[len(WHITEOUT_PREFIX):]
        if victim in ("", ".", ".."):
            raise ImageFormatError(f"layer: whiteout {base!r} names no file")
        fs.remove(f"{parent}/{victim}" if parent else victim)


def _apply_member(fs: Rootfs, m: tf.Member, reader: tf.TarReader, created: set[str]) -> None:
    name = clean_member_name(m.name)
    if not name:
        if m.typeflag == tf.DIRECTORY:
            fs.meta[""] = (m.uid, m.gid, m.mode)
        return
    parent, base = fs.locate(name)
    if base.startswith(WHITEOUT_PREFIX):
        _apply_whiteout(fs, parent, base, created)
        return
    rel = f"{parent}/{base}" if parent else base
    kind = m.typeflag
    if kind in (tf.CHAR_DEVICE, tf.BLOCK_DEVICE):
        fs.skipped.append(name)
        return
    if kind == tf.HARDLINK:
        source = _link_target(fs, m)
        if source == rel:
            return
    keep_dir = fs._clear_for(rel, want_dir=kind == tf.DIRECTORY)
    if kind == tf.DIRECTORY:
        if not keep_dir:
            os.mkdir(fs._abs(rel), 0o700)
        fs._note_dir(rel, m.mode, m.uid, m.gid)
    elif kind == tf.SYMLINK:
        os.symlink(m.linkname, fs._abs(rel))
        fs.meta[rel] = (m.uid, m.gid, 0o777)
    elif kind == tf.HARDLINK:
        os.link(fs._abs(source), fs._abs(rel), follow_symlinks=False)
        fs.meta[rel] = fs.meta.get(source, (m.uid, m.gid, m.mode))
    elif kind == tf.FIFO:
        os.mkfifo(fs._abs(rel), m.mode & 0o777)
        fs.meta[rel] = (m.uid, m.gid, m.mode)
    elif kind in (tf.REGULAR, "7"):
        _write_regular(fs, rel, m, reader)
        fs.meta[rel] = (m.uid, m.gid, m.mode)
    else:
        fs.skipped.append(name)
        return
    created.add(rel)


def apply_layer(fs: Rootfs, stream: BinaryIO) -> None:
    """Apply one uncompressed layer tar read from `stream` on top of `fs`."""
    reader = tf.TarReader(stream)
    created: set[str] = set()
    try:
        for member in reader:
            if member.typeflag == tf.PAX_GLOBAL:
                continue
            _apply_member(fs, member, reader, created)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise
        raise ImageFormatError(f"layer: cannot apply entry: {exc}") from None


def flatten_layers(layer_paths: Iterable[str], root: str) -> Rootfs:
    """Apply layer tars (base first) into `root`; directory modes are set at the end."""
    fs = Rootfs(root)
    for path in layer_paths:
        with open(path, "rb") as f:
            apply_layer(fs, f)
    fs.finish()
    return fs


# ---------------------------------------------------------------- paths of an image

def layer_names(stream: BinaryIO) -> Iterable[tuple[str, tf.Member]]:
    """(cleaned name, member) of every member of a layer tar, data skipped."""
    for member in tf.TarReader(stream):
        if member.typeflag != tf.PAX_GLOBAL:
            yield clean_member_name(member.name), member


def image_paths(layer_paths: Iterable[str]) -> set[str]:
    """The paths (`/a/b`, as the seed's `ls_tar` lists them) present after applying the layers in order.

    Whiteouts remove what they delete (and everything under it), so a path a
    base layer deleted is not reported as present; parent directories are
    present even when the tar has no entry for them.
    """
    present: set[str] = set()
    for path in layer_paths:
        this_layer: set[str] = set()
        with open(path, "rb") as f:
            for name, _ in layer_names(f):
                if name:
                    present = _apply_name(present, this_layer, name)
    return present


def _apply_name(present: set[str], this_layer: set[str], name: str) -> set[str]:
    """`present` after one member named `name` (a whiteout removes; anything else adds)."""
    parent, _, base = name.rpartition("/")
    if base == OPAQUE_WHITEOUT:
        prefix = f"/{parent}/" if parent else "/"
        return {p for p in present if not p.startswith(prefix) or p in this_layer}
    if base.startswith(WHITEOUT_PREFIX):
        victim = f"/{parent}/{base[len(WHITEOUT_PREFIX):]}" if parent else f"/{base[len(WHITEOUT_PREFIX):]}"
        if parent:
            _add_with_parents(present, parent)
        return {p for p in present if p != victim and not p.startswith(victim + "/")}
    _add_with_parents(present, name, this_layer)
    return present


def _add_with_parents(present: set[str], name: str, this_layer: set[str] | None = None) -> None:
    path = "/" + name
    if this_layer is not None:
        this_layer.add(path)
    while path and path not in present:
        present.add(path)
        path = path.rpartition("/")[0]
