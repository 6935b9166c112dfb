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
import shutil
import stat
from dataclasses import dataclass
from typing import Callable

from nixlite.build.python_builders import BuildContext, BuilderFailed
from nixlite.docker.contents_tree import ContentsTree, apply_directory_modes, materialise_node, merge_contents
from nixlite.docker.layer_apply import flatten_layers
from nixlite.docker.reader import read_docker_archive

WHITEOUT_PREFIX = ".wh."
# nixpkgs' stdenv default (1980-01-01). Tools that stamp the date into files honour it — useradd
# writes it as the "last password change" day in /etc/shadow — so images do not change daily.
SOURCE_DATE_EPOCH = "315532800"
STORE_DIR = "/nix/store"
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
               always: set[str], base: set[str]) -> LayerDiff:
    """What overlay's upper directory would hold after the script ran.

    `always` are the contents paths: the seed copies them into the upper
    layer before mounting, so they ship whether or not the script touched
    them. `base` are the paths of the base image.
    """
    keep = {rel for rel, fp in after.items() if rel in always or before.get(rel) != fp}
    for rel in list(keep):
        parent = rel.rpartition("/")[0]
        while parent and parent not in keep:
            keep.add(parent)
            parent = parent.rpartition("/")[0]
    # Only what the base had needs a whiteout: the rest never reaches the layer below.
    gone = [rel for rel in before if rel not in after and rel in base]
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


def overlay_contents(tree: ContentsTree, root: str) -> None:
    """Copy the merged contents over `root` (which may hold a base image), as the upper layer shadows it."""
    for rel in tree.sorted_paths():
        path = os.path.join(root, rel)
        node = tree.nodes[rel]
        if os.path.lexists(path):
            is_dir = os.path.isdir(path) and not os.path.islink(path)
            if is_dir and node.kind == "dir":
                continue
            if is_dir:
                shutil.rmtree(path)
            else:
                os.unlink(path)
        materialise_node(node, path)
    apply_directory_modes(tree, root)


def layer_owners(layer_dir: str) -> dict[str, tuple[int, int]]:
    """Entry name -> (uid, gid) as the script left them (files of the user running nixlite count as root's)."""
    me = os.geteuid()
    owners: dict[str, tuple[int, int]] = {}
    for rel, fp in walk_tree(layer_dir).items():
        owners[rel] = (0, 0) if (me != 0 and fp.uid == me) else (fp.uid, fp.gid)
    return owners


def sandbox_runner(ctx: BuildContext) -> Callable[..., int]:
    """ctx.run_sandboxed, or the build stage's sandbox itself when a test made the context by hand."""
    if ctx.run_sandboxed is not None:
        return ctx.run_sandboxed
    from nixlite.build.sandbox import StoreView, run_sandboxed

    store = StoreView(physical_store=os.path.dirname(ctx.physical(STORE_DIR + "/x")))

    def run(argv, **kwargs):
        kwargs.setdefault("store", store)
        return run_sandboxed(argv, **kwargs)

    return run


def run_script(ctx: BuildContext, root: str, script: str) -> None:
    """Run the runAsRoot script as uid 0 with `root` as `/` and the store at /nix/store."""
    env = {"PATH": "/path-not-set", "HOME": "/homeless-shelter", "TERM": "xterm-256color",
           "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    status = sandbox_runner(ctx)([script], cwd="/", env=env, root=root, uid0=True)
    if status != 0:
        hint = "" if os.geteuid() == 0 else (" (nixlite is not running as root: in its user namespace, "
                                             "chown to a uid other than 0 fails)")
        raise BuilderFailed(f"runAsRoot script failed with exit status {status}{hint}")


def build_root_layer_dir(ctx: BuildContext) -> str:
    """Base image + contents in `root/`, the script run over it; returns the layer directory."""
    root = os.path.join(ctx.build_dir, "root")
    os.mkdir(root, 0o755)
    base_paths: set[str] = set()
    if ctx.env.get("fromImage"):
        flatten_base_into(ctx, root)
        base_paths = set(walk_tree(root))
    tree = merge_contents([ctx.physical(p) for p in ctx.env.get("contents", "").split()], ctx.physical)
    overlay_contents(tree, root)
    before = walk_tree(root)
    run_script(ctx, root, ctx.env["runAsRoot"])
    remove_unused_mount_points(root, before)
    after = walk_tree(root)
    diff = diff_trees(before, after, set(tree.nodes) - {""}, base_paths)
    layer = os.path.join(ctx.build_dir, "layer")
    os.mkdir(layer, 0o755)
    link_layer(root, layer, diff)
    ctx.log(f"runAsRoot: {len(diff.changed)} paths in the layer, {len(diff.deleted)} whiteouts")
    return layer


def flatten_base_into(ctx: BuildContext, root: str) -> None:
    """The base image's layers applied in order into `root` (whiteouts honoured, hostile names refused).

    As real root the recorded owners are applied too, so the script sees
    them and a file it leaves alone keeps them; otherwise they cannot be.
    """
    work = os.path.join(ctx.build_dir, "base")
    os.mkdir(work)
    loaded = read_docker_archive(ctx.physical(ctx.env["fromImage"]), work,
                                 ctx.env.get("fromImageName") or None, ctx.env.get("fromImageTag") or None)
    fs = flatten_layers([layer.tar_path for layer in loaded.image.layers], root)
    for layer in loaded.image.layers:
        os.unlink(layer.tar_path)
    if os.geteuid() != 0:
        return
    for rel, (uid, gid, mode) in fs.meta.items():
        path = os.path.join(root, rel) if rel else root
        if os.path.lexists(path):
            os.lchown(path, uid, gid)
            if not os.path.islink(path):
                os.chmod(path, mode & 0o7777)  # chown cleared setuid/setgid bits
