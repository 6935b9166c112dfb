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
is root in a user namespace that maps one uid, where a chown to another uid
fails (EINVAL); there the script runs under fakeroot (`nixlite.docker.fakeroot`,
which says why that and not a multi-uid namespace; when the user has
subordinate ids, `nixlite.docker.subids` runs it, still under fakeroot, in a
namespace where every chown is real and owners are then read from disk —
statically linked programs included): its daemon is loaded with
the base image's owners and modes, the script's chown/chmod/mknod calls go to
it, and its saved database (device, inode -> uid, gid, mode) gives the owners
and modes of the layer (`layer_owners` reads them from a file beside the layer
directory, LAYER_OWNERS_SUFFIX). Files the database does not know are ours and
count as root's.

Device nodes: the seed's VM ships what `mknod` makes in the upper layer —
except that its `find . -type c` then turns *every* character device into a
whiteout (overlayfs marks deletions with 0/0 character devices; the seed
does not look at the numbers), so `mknod /x c 1 3` shipped `.wh.x`. nixlite
ships character and block devices (and fifos) as what they are. As real
root the script makes real nodes (bwrap's mounts are nodev, so none can be
opened inside the sandbox; this needs CAP_MKNOD in the sandbox's
capabilities); as an ordinary user fakeroot records them over empty
placeholder files (`layer_entries` writes the device it recorded). As in
the seed, /dev during the script is the sandbox's own (the seed bind-mounts
the VM's /dev there): nodes made under /dev are not part of the image.

Limits: statically linked programs are not faked; a path the
layer ships must stay readable to us (a file without u+r, a directory without
u+rx is refused: nixlite could not read it back; real root can); without
fakeroot installed the old behaviour stays, and the build says why it failed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from dataclasses import dataclass
from typing import Callable, Iterator

from nixlite.build.python_builders import BuildContext, BuilderFailed
from nixlite.docker.fakeroot import (PRELOAD_PATH, FakeDatabase, FakedDaemon, FakerootTools, FakeStat,
                                     find_fakeroot, format_database)
from nixlite.docker.contents_tree import ContentsTree, apply_directory_modes, materialise_node, merge_contents
from nixlite.docker import tar_format as tf
from nixlite.docker.layer_apply import flatten_layers
from nixlite.docker.layer_tar import Entry, scan_tree
from nixlite.docker.reader import read_docker_archive
from nixlite.docker.subids import apply_owners, namespace_prefix, run_in_namespace, walk_from_json
from nixlite.store.files import remove_tree

WHITEOUT_PREFIX = ".wh."
# nixpkgs' stdenv default (1980-01-01). Tools that stamp the date into files honour it — useradd
# writes it as the "last password change" day in /etc/shadow — so images do not change daily.
SOURCE_DATE_EPOCH = "315532800"
STORE_DIR = "/nix/store"
# Mount points the sandbox creates in the root when missing; removed again
# afterwards if the script left them empty (the seed's `rmdir --ignore-fail-on-non-empty`).
SANDBOX_MOUNT_POINTS = ("dev", "proc", "sys", "nix/store", "nix")
# Beside the layer directory: the owners fakeroot recorded (rel path -> [uid, gid]).
LAYER_OWNERS_SUFFIX = ".owners.json"

Meta = dict[str, tuple[int, int, int]]  # rel path -> (uid, gid, st_mode) as the script saw them


@dataclass(frozen=True)
class FakeDevice:
    """A device node made under fakeroot: an empty file on disk (inode `ino`), a device to programs."""

    mode: int  # type (S_IFCHR or S_IFBLK) and permission bits
    rdev: int
    ino: int


Devices = dict[str, FakeDevice]  # rel path -> the device fakeroot recorded there


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


def link_layer(root: str, layer: str, diff: LayerDiff, meta: Meta | None = None) -> None:
    """Build the layer directory from `root`: hard links for files and nodes, copies of dirs/symlinks.

    Ownership and modes are those in `root` (hard links share them), or the
    modes in `meta` (fakeroot's) where it has the path; each deleted path
    becomes an empty `.wh.NAME` file next to where it was.
    """
    own = os.geteuid() == 0
    meta = meta or {}
    dirs: list[tuple[str, os.stat_result]] = []
    modes: list[tuple[str, int]] = []
    for rel in diff.changed:
        src, dst = os.path.join(root, rel), os.path.join(layer, rel)
        st = os.lstat(src)
        if rel in meta and not stat.S_ISLNK(st.st_mode):
            modes.append((dst, stat.S_IMODE(meta[rel][2])))
        if stat.S_ISDIR(st.st_mode):
            os.mkdir(dst, 0o700)
            dirs.append((dst, st))
        elif stat.S_ISLNK(st.st_mode):
            os.symlink(os.readlink(src), dst)
            if own:
                os.lchown(dst, st.st_uid, st.st_gid)
        else:  # files, and device nodes, fifos and sockets (a tar cannot hold sockets: scan_tree skips them)
            os.link(src, dst, follow_symlinks=False)
    for rel in diff.deleted:
        parent, _, name = rel.rpartition("/")
        with open(os.path.join(layer, parent, WHITEOUT_PREFIX + name), "wb"):
            pass
    for dst, st in reversed(dirs):
        if own:
            os.chown(dst, st.st_uid, st.st_gid)
        os.chmod(dst, stat.S_IMODE(st.st_mode))
    for dst, mode in reversed(modes):  # files before their directories, which may lose u+w
        os.chmod(dst, mode)


def overlay_contents(tree: ContentsTree, root: str) -> None:
    """Copy the merged contents over `root` (which may hold a base image), as the upper layer shadows it.

    As an ordinary user, a base directory without u+w (a store path's 0555
    /bin) is opened for the copy and given its mode back afterwards: root
    would write there regardless.
    """
    opened: dict[str, int] = {}
    for rel in tree.sorted_paths():
        path = os.path.join(root, rel)
        node = tree.nodes[rel]
        _open_directory(os.path.dirname(path), opened)
        if os.path.lexists(path):
            is_dir = os.path.isdir(path) and not os.path.islink(path)
            if is_dir and node.kind == "dir":
                continue
            if is_dir:
                remove_tree(path)
            else:
                os.unlink(path)
        materialise_node(node, path)
    for directory, mode in opened.items():
        os.chmod(directory, mode)
    apply_directory_modes(tree, root)


def _open_directory(directory: str, opened: dict[str, int]) -> None:
    """Give our own `directory` u+rwx if it lacks it, remembering its mode in `opened`."""
    if directory in opened or os.access(directory, os.W_OK | os.X_OK):
        return
    mode = stat.S_IMODE(os.stat(directory).st_mode)
    opened[directory] = mode
    os.chmod(directory, mode | 0o700)


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


# The runAsRoot script's environment (the seed's VM gives it no more).
SCRIPT_ENV = {"PATH": "/path-not-set", "HOME": "/homeless-shelter", "TERM": "xterm-256color",
              "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}


def run_script(ctx: BuildContext, root: str, script: str, fakeroot: FakedDaemon | None = None) -> None:
    """Run the runAsRoot script as uid 0 with `root` as `/` and the store at /nix/store (under `fakeroot`)."""
    env = dict(SCRIPT_ENV)
    extra: dict = {}
    if fakeroot is not None:
        extra = dict(readonly=[(fakeroot.tools.library, PRELOAD_PATH)], share_ipc=True,
                     command_env=fakeroot.command_env())
    status = sandbox_runner(ctx)([script], cwd="/", env=env, root=root, uid0=True, **extra)
    if status != 0:
        raise BuilderFailed(f"runAsRoot script failed with exit status {status}{_failure_hint(fakeroot)}")


def _failure_hint(fakeroot: FakedDaemon | None) -> str:
    """Why a chown may have failed (as an ordinary user)."""
    if os.geteuid() == 0:
        return ""
    if fakeroot is not None:
        return (" (nixlite is not running as root, so the script ran under fakeroot: a statically linked "
                "program, e.g. busybox-static, cannot chown to a uid other than 0; with subordinate ids "
                "for this user in /etc/subuid and /etc/subgid and Debian's uidmap installed, every chown works)")
    return (" (nixlite is not running as root and fakeroot is not installed: in its user namespace, "
            "chown to a uid other than 0 fails)")


def build_root_layer_dir(ctx: BuildContext) -> str:
    """Base image + contents in `root/`, the script run over it; returns the layer directory."""
    root = os.path.join(ctx.build_dir, "root")
    os.mkdir(root, 0o755)
    base_paths: set[str] = set()
    base_meta: Meta = {}
    if ctx.env.get("fromImage"):
        base_meta = flatten_base_into(ctx, root)
        base_paths = set(walk_tree(root))
    tree = merge_contents([ctx.physical(p) for p in ctx.env.get("contents", "").split()], ctx.physical)
    overlay_contents(tree, root)
    before = walk_tree(root)
    tools = find_fakeroot() if os.geteuid() != 0 else None
    meta: Meta = {}
    devices: Devices = {}
    if tools is None:
        run_script(ctx, root, ctx.env["runAsRoot"])
        remove_unused_mount_points(root, before)
        after = walk_tree(root)
    else:
        # What contents put in place is theirs (0:0, their modes), as in overlay's upper layer.
        base_meta = disk_typed_meta({rel: m for rel, m in base_meta.items() if rel not in tree.nodes}, before)
        before = with_meta(before, base_meta)
        before, after, meta, devices = run_under_fakeroot(ctx, root, tools, base_meta, before)
    diff = diff_trees(before, after, set(tree.nodes) - {""}, base_paths)
    layer = os.path.join(ctx.build_dir, "layer")
    os.mkdir(layer, 0o755)
    if tools is not None:
        write_recorded_owners(layer, root, diff, meta, devices)
    link_layer(root, layer, diff, meta)
    how = "" if tools is None else (" (owners from a subordinate-id namespace, devices from fakeroot)"
                                    if namespace_prefix() else " (owners recorded with fakeroot)")
    ctx.log(f"runAsRoot: {len(diff.changed)} paths in the layer, {len(diff.deleted)} whiteouts{how}")
    return layer


def run_under_fakeroot(ctx: BuildContext, root: str, tools: FakerootTools, base_meta: Meta,
                       before: dict[str, Fingerprint]) -> tuple[dict[str, Fingerprint], dict[str, Fingerprint],
                                                               Meta, Devices]:
    """Run the script under fakeroot (loaded with `base_meta`), in a subordinate-id namespace when there is one.

    Returns the fingerprints before and after it (as the script saw them),
    the owners and modes it left and the devices it made.
    """
    load = []
    for rel, (uid, gid, mode) in base_meta.items():
        st = os.lstat(os.path.join(root, rel))
        load.append((st.st_dev, st.st_ino, FakeStat(mode, uid, gid, st.st_nlink)))
    try:
        daemon = FakedDaemon(tools, os.path.join(ctx.build_dir, "fakeroot.db"), format_database(load))
    except OSError as e:
        raise BuilderFailed(f"runAsRoot: fakeroot's daemon ({tools.faked}) did not start: {e}") from None
    prefix = namespace_prefix()
    try:
        if prefix is None:
            run_script(ctx, root, ctx.env["runAsRoot"], daemon)
        else:
            before, after = run_in_subid_namespace(ctx, prefix, root, daemon, base_meta)
        database = daemon.finish()
    finally:
        daemon.kill()
    if prefix is not None:
        # Owners and modes as on disk in the namespace (every program's), devices as fakeroot recorded them.
        faked, devices = meta_from_database(root, after, database)
        meta = {rel: faked[rel] if rel in devices else (fp.uid, fp.gid, fp.mode) for rel, fp in after.items()}
        return before, with_meta(after, meta), meta, devices
    remove_unused_mount_points(root, before)
    after = walk_tree(root)
    meta, devices = meta_from_database(root, after, database)
    return before, with_meta(after, meta), meta, devices


def run_in_subid_namespace(ctx: BuildContext, prefix: tuple[str, ...], root: str, daemon: FakedDaemon,
                           base_meta: Meta) -> tuple[dict[str, Fingerprint], dict[str, Fingerprint]]:
    """The script run by `nixlite.docker.subids` (which says why and how); the fingerprints before and after."""
    command_env = {k: v for k, v in daemon.command_env().items() if k != "FAKEROOTDONTTRYCHOWN"}
    spec = {"root": root, "base_meta": {rel: list(m) for rel, m in base_meta.items()},
            "script": ctx.env["runAsRoot"], "env": SCRIPT_ENV, "command_env": command_env,
            "library": daemon.tools.library,
            "physical_store": os.path.dirname(ctx.physical(STORE_DIR + "/x"))}
    try:
        result = run_in_namespace(prefix, spec, os.path.join(ctx.build_dir, "subids.json"), ctx.log)
    except OSError as e:
        raise BuilderFailed(f"runAsRoot: {e}") from None
    if result["status"] != 0:
        raise BuilderFailed(f"runAsRoot script failed with exit status {result['status']} (it ran as uid 0 "
                            "of a user namespace mapping this user's subordinate ids: owners outside that "
                            "range cannot be set)")
    return walk_from_json(result["before"]), walk_from_json(result["after"])


def disk_typed_meta(meta: Meta, present: dict[str, Fingerprint]) -> Meta:
    """`meta` (the base image's) for the paths present, with each file type as on disk (symlinks: as on disk)."""
    typed: Meta = {}
    for rel, (uid, gid, mode) in meta.items():
        fp = present.get(rel)
        if fp is None:
            continue
        perms = fp.mode if stat.S_ISLNK(fp.mode) else (fp.mode & ~0o7777) | (mode & 0o7777)
        typed[rel] = (uid, gid, perms)
    return typed


def with_meta(found: dict[str, Fingerprint], meta: Meta) -> dict[str, Fingerprint]:
    """Fingerprints with owner and mode replaced by `meta` where it has the path (what the script saw)."""
    return {rel: dataclasses.replace(fp, uid=meta[rel][0], gid=meta[rel][1], mode=meta[rel][2])
            if rel in meta else fp for rel, fp in found.items()}


def meta_from_database(root: str, found: dict[str, Fingerprint], database: FakeDatabase) -> tuple[Meta, Devices]:
    """Rel path -> (uid, gid, mode) for the files of `found` that faked's database knows, and the faked devices.

    `mknod` under fakeroot leaves an empty regular file and tells the daemon
    it is a device (type in the mode, major/minor in rdev): those paths are
    returned as `Devices` too, to be written as device entries.
    """
    inodes = {ino for _dev, ino in database}
    meta: Meta = {}
    devices: Devices = {}
    for rel, fp in found.items():
        if fp.ino not in inodes:
            continue
        st = os.lstat(os.path.join(root, rel))
        fake = database.get((st.st_dev, st.st_ino))
        if fake is None:
            continue
        if stat.S_IFMT(fake.mode) != stat.S_IFMT(st.st_mode):
            if not (_is_device(fake.mode) and stat.S_ISREG(st.st_mode) and st.st_size == 0):
                raise BuilderFailed(f"runAsRoot left /{rel} as a {_kind(st.st_mode)}, which fakeroot shows as a "
                                    f"{_kind(fake.mode)}: nixlite cannot tell what to put in the layer")
            devices[rel] = FakeDevice(fake.mode, fake.rdev, st.st_ino)
        meta[rel] = (fake.uid, fake.gid, st.st_mode if stat.S_ISLNK(st.st_mode) else fake.mode)
    return meta, devices


def _is_device(mode: int) -> bool:
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


def _kind(mode: int) -> str:
    kinds = {stat.S_IFREG: "file", stat.S_IFDIR: "directory", stat.S_IFLNK: "symlink", stat.S_IFCHR: "character device",
             stat.S_IFBLK: "block device", stat.S_IFIFO: "fifo", stat.S_IFSOCK: "socket"}
    return kinds.get(stat.S_IFMT(mode), "file of an unknown type")


def write_recorded_owners(layer: str, root: str, diff: LayerDiff, meta: Meta, devices: Devices) -> None:
    """What fakeroot recorded for the layer's paths, for `layer_owners` and `layer_entries`.

    Refuses modes nixlite could not read back.
    """
    me = os.geteuid()
    owners: dict[str, list[int]] = {}
    for rel in diff.changed:
        st = os.lstat(os.path.join(root, rel))
        uid, gid, mode = meta.get(rel, (st.st_uid, st.st_gid, st.st_mode))
        if rel not in meta and uid == me:
            uid, gid = 0, 0
        needed = 0o500 if stat.S_ISDIR(mode) else 0o400 if stat.S_ISREG(mode) else 0
        if mode & needed != needed:
            raise BuilderFailed(f"runAsRoot left /{rel} with mode {stat.S_IMODE(mode):04o}, which its owner "
                                "cannot read: nixlite can only put that in a layer when it runs as root")
        owners[rel] = [uid, gid]
    shipped = {rel: [d.mode, d.rdev, d.ino] for rel, d in devices.items() if rel in owners}
    with open(layer + LAYER_OWNERS_SUFFIX, "w") as f:
        json.dump({"owners": owners, "devices": shipped}, f)


def _recorded(layer_dir: str) -> dict:
    """The file `write_recorded_owners` wrote beside `layer_dir` (empty sections when there is none)."""
    path = layer_dir.rstrip("/") + LAYER_OWNERS_SUFFIX
    if not os.path.exists(path):
        return {"owners": {}, "devices": {}}
    with open(path) as f:
        return json.load(f)


def layer_owners(layer_dir: str) -> dict[str, tuple[int, int]]:
    """Entry name -> (uid, gid) as the script left them.

    The owners fakeroot recorded come first (the file LAYER_OWNERS_SUFFIX
    beside the directory); other files of the user running nixlite count as
    root's (extraCommands' files, or the whole layer without fakeroot).
    """
    me = os.geteuid()
    recorded = _recorded(layer_dir)["owners"]
    owners: dict[str, tuple[int, int]] = {}
    for rel, fp in walk_tree(layer_dir).items():
        if rel in recorded:
            owners[rel] = (recorded[rel][0], recorded[rel][1])
        else:
            owners[rel] = (0, 0) if (me != 0 and fp.uid == me) else (fp.uid, fp.gid)
    return owners


def layer_entries(layer_dir: str) -> Iterator[Entry]:
    """The entries of the root layer's tar: the directory's files with their owners, devices as devices.

    Device nodes on disk (made as real root) are written as they are; a
    device fakeroot faked is an empty placeholder file on disk, written as
    the device it recorded — unless extraCommands replaced it since (another
    inode at that path).
    """
    devices = _recorded(layer_dir)["devices"]
    for entry in scan_tree(layer_dir, owners=layer_owners(layer_dir), devices=True, xattrs=False):
        faked = devices.get(entry.name)
        if faked is not None and entry.typeflag == tf.REGULAR:
            mode, rdev, ino = faked
            if os.lstat(os.path.join(layer_dir, entry.name)).st_ino == ino:
                entry = dataclasses.replace(
                    entry, typeflag=tf.CHAR_DEVICE if stat.S_ISCHR(mode) else tf.BLOCK_DEVICE, size=0,
                    source=None, mode=stat.S_IMODE(mode), devmajor=os.major(rdev), devminor=os.minor(rdev))
        yield entry


def flatten_base_into(ctx: BuildContext, root: str) -> Meta:
    """The base image's layers applied in order into `root` (whiteouts honoured, hostile names refused).

    Returns the owners and modes its layers recorded. As real root they are
    applied too, so the script sees them and a file it leaves alone keeps
    them; otherwise they cannot be (fakeroot is loaded with them instead).
    """
    work = os.path.join(ctx.build_dir, "base")
    os.mkdir(work)
    loaded = read_docker_archive(ctx.physical(ctx.env["fromImage"]), work,
                                 ctx.env.get("fromImageName") or None, ctx.env.get("fromImageTag") or None)
    fs = flatten_layers([layer.tar_path for layer in loaded.image.layers], root)
    for layer in loaded.image.layers:
        os.unlink(layer.tar_path)
    meta = {rel: m for rel, m in fs.meta.items() if rel}
    if os.geteuid() != 0:
        return meta
    apply_owners(root, fs.meta)
    return meta
