"""runAsRoot as an ordinary user with subordinate ids: real owners for every program, static ones too.

fakeroot's preload library does not reach statically linked programs: a
busybox-static `chown 999 /data` fails in the one-uid user namespace of the
sandbox. Where the user has subordinate ids (/etc/subuid and /etc/subgid
entries, Debian's `uidmap` for the setuid helpers newuidmap/newgidmap), the
script runs instead in a user namespace made by `unshare --map-auto
--map-root-user`: there our uid is 0 and ids 1…N are our subordinate range,
so any chown to those ids really happens, whoever calls it.

The whole step runs in a child process inside that namespace (`python -m
nixlite.docker.subids SPEC`), because only there can the files be chowned,
read and given back:

1. the base image's owners and modes are applied for real (as real root does);
2. the tree is fingerprinted ("before"), the script runs in the usual sandbox
   — bwrap, started as uid 0 of the namespace, takes its real-root path: no
   nested user namespace, only the file capabilities — still under fakeroot's
   library, but with FAKEROOTDONTTRYCHOWN unset so chowns also reach the
   disk, and so that `mknod` is still recorded (a user namespace cannot make
   device nodes);
3. the tree is fingerprinted again ("after", owners as the script left them),
   then everything is chowned back to uid 0 of the namespace — our own uid
   outside — so that nixlite can read the files and delete the build directory.

The parent reads both fingerprints from the result file: owners and modes
come from the disk (every program), device nodes from fakeroot's database.
Limits: ids above the subordinate range (65,535 with Debian's defaults) fail
with EINVAL as before; dynamically linked programs asking fakeroot about a
file a static program chowned are told 0:0 (fakeroot's answer for files it
was not told about); the build's --timeout does not reach the child.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import shutil
import stat
import subprocess
import sys
from typing import Callable, Mapping, Sequence

from nixlite.docker.fakeroot import PRELOAD_PATH, die_with_parent

Walk = dict  # rel path -> Fingerprint (nixlite.docker.rootfs)
_TIMEOUT = 60


@functools.lru_cache(maxsize=1)
def namespace_prefix() -> tuple[str, ...] | None:
    """The `unshare …` prefix that runs a command as uid 0 with our subordinate ids mapped, or None.

    None as real root (no need), without newuidmap/newgidmap, without
    subordinate ids for this user, or when this interpreter cannot run in
    there (the probe imports this module in the namespace).
    """
    unshare = shutil.which("unshare")
    if os.geteuid() == 0 or unshare is None or not (shutil.which("newuidmap") and shutil.which("newgidmap")):
        return None
    prefix = (unshare, "--map-auto", "--map-root-user", "--kill-child", "--")
    probe = [*prefix, sys.executable, "-c", "import os, nixlite.docker.subids; assert os.geteuid() == 0; "
             "print(open('/proc/self/uid_map').read().split('\\n')[1].split()[2])"]
    try:
        proc = subprocess.run(probe, capture_output=True, text=True, timeout=_TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if proc.returncode == 0 and proc.stdout.strip().isdigit() else None


def run_in_namespace(prefix: tuple[str, ...], spec: dict, result_file: str, log: Callable[[str], None]) -> dict:
    """Run the child with `spec` (see `main`); the result it wrote. Its output goes to `log`, line by line."""
    spec_file = result_file + ".spec"
    with open(spec_file, "w") as f:
        json.dump({**spec, "result": result_file}, f)
    # If nixlite dies, unshare gets SIGTERM and kills the child (--kill-child), whose bwrap dies with it.
    proc = subprocess.Popen([*prefix, sys.executable, "-m", "nixlite.docker.subids", spec_file],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=die_with_parent)
    assert proc.stdout is not None
    for line in proc.stdout:
        log(line.decode("utf-8", "replace").rstrip("\n"))
    status = proc.wait()
    if status != 0 or not os.path.exists(result_file):
        raise OSError(f"the runAsRoot step in the subordinate-id namespace failed (status {status})")
    with open(result_file) as f:
        return json.load(f)


def walk_to_json(walk: Walk) -> dict:
    return {rel: dataclasses.astuple(fp) for rel, fp in walk.items()}


def walk_from_json(data: Mapping[str, list]) -> Walk:
    from nixlite.docker.rootfs import Fingerprint

    return {rel: Fingerprint(*fields) for rel, fields in data.items()}


def give_back(root: str) -> None:
    """Everything below `root` owned by uid 0 of the namespace (us, outside) and readable by it."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            os.lchown(path, 0, 0)
            if stat.S_ISDIR(st.st_mode):
                os.chmod(path, stat.S_IMODE(st.st_mode) | 0o700)
            elif stat.S_ISREG(st.st_mode):
                os.chmod(path, stat.S_IMODE(st.st_mode) | 0o600)


def apply_owners(root: str, meta: Mapping[str, Sequence[int]]) -> None:
    """A base image's owners and modes (rel path -> uid, gid, mode; "" is the root) applied for real.

    As root, or as uid 0 of a subordinate-id namespace. chown clears setuid bits: modes come after.
    """
    for rel, (uid, gid, mode) in meta.items():
        path = os.path.join(root, rel) if rel else root
        if os.path.lexists(path):
            os.lchown(path, uid, gid)
            if not os.path.islink(path):
                os.chmod(path, mode & 0o7777)


def main(spec_file: str) -> int:
    """In the namespace: base owners, before, the script, after, give back; the result as JSON."""
    from nixlite.build.sandbox import StoreView, run_sandboxed
    from nixlite.docker.rootfs import remove_unused_mount_points, walk_tree

    with open(spec_file) as f:
        spec = json.load(f)
    root = spec["root"]
    apply_owners(root, spec["base_meta"])
    before = walk_tree(root)
    status = 1
    try:
        sys.stdout.flush()
        status = run_sandboxed([spec["script"]], cwd="/", env=spec["env"], root=root, uid0=True,
                               store=StoreView(physical_store=spec["physical_store"]),
                               readonly=[(spec["library"], PRELOAD_PATH)], share_ipc=True,
                               command_env=spec["command_env"])
        remove_unused_mount_points(root, before)
        after = walk_tree(root)
    finally:
        give_back(root)
    with open(spec["result"], "w") as f:
        json.dump({"status": status, "before": walk_to_json(before), "after": walk_to_json(after)}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
