"""runAsRoot without a VM: run the script over the image's root, keep what it changed.

The seed mounts an overlay (base layers below, the new layer above) inside a
VM, copies `contents` into the upper layer, runs the script chrooted as root,
and ships the upper layer (its deletions, overlay's char-device whiteouts,
become `.wh.NAME` files). nixlite does the same without a VM or a mount:

1. the base image's layers are flattened into a plain directory `root/`, and
   `contents` are copied over it (rsync -ak semantics);
2. every file of `root/` is fingerprinted (type, mode, owner, size, mtime,
   ctime, inode, symlink target) — the "before" state;
3. the script runs under bubblewrap with `root/` as `/`, the store at
   /nix/store, /proc and a minimal /dev, as uid 0 (`run_sandboxed(root=…,
   uid0=True)`);
4. the new layer is what overlay's upper directory would hold: every contents
   path, every path whose fingerprint changed or that is new (ctime and inode
   catch rewrites and replacements even when size and mtime are equal), the
   parent directories of those, and a `.wh.NAME` whiteout for every path of
   the base that is gone. It is built as a directory of hard links into
   `root/` (no data copied), so `extraCommands` can then run over it exactly as
   the seed runs them over its upper layer.

Ownership: when nixlite runs as real root (CI does), the sandbox keeps the
file-ownership capabilities and `chown`, `useradd` and friends really set
owners, which are then read back with lstat. As an ordinary user the script
is root in a user namespace that maps one uid: files it creates are ours and
are recorded as 0:0, and a chown to another uid fails (EINVAL) — so a script
that needs other owners must be built as root; the build says so when it
fails.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from nixlite.build.python_builders import BuilderFailed

WHITEOUT_PREFIX = ".wh."
# Mount points the sandbox creates in the root when missing; removed again
# afterwards if the script left them empty (the seed's `rmdir --ignore-fail-on-non-empty`).
SANDBOX_MOUNT_POINTS = ("dev", "proc", "sys", "nix/store", "nix")


@dataclass(frozen=True)
class Fingerprint:
    """What overlay's copy-up would notice about one file."""

    mode: int  # type and permission bits
    uid: int
    gid: int
    size: int
    mtime_ns: int
    ctime_ns: int
    ino: int
    target: str | None


def fingerprint(path: str) -> Fingerprint:
    st = os.lstat(path)
    target = os.readlink(path) if stat.S_ISLNK(st.st_mode) else None
    size = 0 if stat.S_ISDIR(st.st_mode) else st.st_size
    return Fingerprint(st.st_mode, st.st_uid, st.st_gid, size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, target)


def walk_tree(root: str) -> dict[str, Fingerprint]:
    """Relative path -> fingerprint of every file below `root` (not following symlinks)."""
    found: dict[str, Fingerprint] = {}
    pending = [""]
    while pending:
        rel_dir = pending.pop()
        with os.scandir(os.path.join(root, rel_dir) if rel_dir else root) as it:
            for entry in it:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                found[rel] = fingerprint(entry.path)
                if entry.is_dir(follow_symlinks=False):
                    pending.append(rel)
    return found


def remove_unused_mount_points(root: str, before: dict[str, Fingerprint]) -> None:
    """Drop the empty mount-point directories the sandbox had to create."""
    for rel in SANDBOX_MOUNT_POINTS:
        path = os.path.join(root, rel)
        if rel not in before and os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path):
            os.rmdir(path)


@dataclass
class LayerDiff:
    """The new layer: paths to ship (with their parents) and base paths that were deleted."""

    changed: list[str]
    deleted: list[str]


def diff_trees(before: dict[str, Fingerprint], after: dict[str, Fingerprint],
               always: set[str]) -> LayerDiff:
    """What overlay's upper directory would hold after the script ran.

    `always` are the contents paths: the seed copies them into the upper
    layer before mounting, so they ship whether or not the script touched them.
    """
    keep = {rel for rel, fp in after.items() if rel in always or before.get(rel) != fp}
    for rel in list(keep):
        parent = rel.rpartition("/")[0]
        while parent and parent not in keep:
            keep.add(parent)
            parent = parent.rpartition("/")[0]
    gone = [rel for rel in before if rel not in after]
    gone_set = set(gone)
    # A whiteout of a directory covers everything below it.
    deleted = sorted(rel for rel in gone if rel.rpartition("/")[0] not in gone_set)
    for rel in deleted:
        parent = rel.rpartition("/")[0]
        while parent and parent not in keep:
            keep.add(parent)
            parent = parent.rpartition("/")[0]
    return LayerDiff(changed=sorted(keep, key=lambda p: p.encode().split(b"/")), deleted=deleted)


def link_layer(root: str, layer: str, diff: LayerDiff) -> None:
    """Build the layer directory from `root`: hard links for files, copies of dirs/symlinks.

    Ownership and modes are those in `root` (hard links share them); each
    deleted path becomes an empty `.wh.NAME` file next to where it was.
    """
    own = os.geteuid() == 0
    dirs: list[tuple[str, os.stat_result]] = []
    for rel in diff.changed:
        src, dst = os.path.join(root, rel), os.path.join(layer, rel)
        st = os.lstat(src)
        if stat.S_ISDIR(st.st_mode):
            os.mkdir(dst, 0o700)
            dirs.append((dst, st))
        elif stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(src), dst)
            if own:
                os.lchown(dst, st.st_uid, st.st_gid)
        elif stat.S_ISREG(st.st_mode):
            os.link(src, dst, follow_symlinks=False)
        else:
            raise BuilderFailed(f"runAsRoot left /{rel}, which is neither a file, a directory nor a symlink; "
                                "device nodes, fifos and sockets cannot be put in a layer by nixlite")
    for rel in diff.deleted:
        parent, _, name = rel.rpartition("/")
        with open(os.path.join(layer, parent, WHITEOUT_PREFIX + name), "wb"):
            pass
    for dst, st in reversed(dirs):
        if own:
            os.chown(dst, st.st_uid, st.st_gid)
        os.chmod(dst, stat.S_IMODE(st.st_mode))
