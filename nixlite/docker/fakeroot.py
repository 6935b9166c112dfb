"""fakeroot for runAsRoot when nixlite is not real root: the owners and modes a script sets, recorded.

An ordinary user can make a user namespace that maps only their own uid, so
a runAsRoot script is uid 0 there but `chown nginx /var/cache/nginx` fails
(EINVAL: uid 101 does not exist in the namespace). A namespace mapping more
uids needs the setuid helpers newuidmap/newgidmap and /etc/subuid entries,
which many machines and CI containers do not have (where they are,
`nixlite.docker.subids` adds such a namespace, and fakeroot stays for
mknod); so nixlite uses Debian's fakeroot, whose preload library answers
the ownership calls of a program from a database kept by a daemon, `faked`:

- `faked-sysv --foreground --save-file FILE --load` runs *outside* the
  sandbox, as the user running nixlite, loaded with the owners and modes the
  base image recorded (files on disk are all ours), and writes its database
  to FILE when it gets SIGTERM;
- the script runs in the usual runAsRoot sandbox (uid 0 in a one-uid user
  namespace, no network) with the host's `libfakeroot-sysv.so` bound
  read-only at PRELOAD_PATH and named by LD_PRELOAD, FAKEROOTKEY naming the
  daemon's message queues, and FAKEROOTDONTTRYCHOWN=1 (the library then only
  records a chown instead of also trying the real one, which would fail).
  LD_PRELOAD is set by bwrap for the command only: under the library bwrap
  itself would believe it is root and fail to set up the namespace;
- faked-sysv talks over SysV message queues, so this sandbox shares the
  host's IPC namespace — the one thing it sees beyond the usual sandbox (the
  building user's SysV IPC objects). faked-tcp would need the host network
  instead, which is worse;
- when the script has exited, a stat under the library from the host waits
  for the daemon to answer, so every chown message queued before it (they
  are sent without waiting for a reply) has been handled; then SIGTERM makes
  the daemon save. The saved database maps (device, inode) to the mode
  (type, permission, setuid bits), uid, gid and rdev that programs were shown.

Limits (fakeroot's): LD_PRELOAD reaches only dynamically linked glibc
programs. A statically linked `chown` (busybox-static) or a musl program is
not faked — a chown to another uid fails as before — and a program that
clears its environment loses the library. A device node made with mknod is
an empty regular file on disk that the database calls a device (its type in
the mode, major and minor in rdev); rootfs writes it into the layer as that
device. The database is keyed by inode: when a program outside fakeroot's reach deletes a
file the daemon knows, a new file that reuses the inode inherits its entry.
"""

from __future__ import annotations

import ctypes
import glob
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from typing import Iterable

# Where the preload library is shown inside the image root while the script runs
# (a mount point bwrap creates and run_sandboxed removes afterwards).
PRELOAD_PATH = "/.nixlite-fakeroot/libfakeroot-sysv.so"
_LIBRARY_GLOBS = ("/usr/lib/*/libfakeroot/libfakeroot-sysv.so", "/usr/lib/libfakeroot/libfakeroot-sysv.so",
                  "/usr/lib*/libfakeroot-sysv.so")
_PR_SET_PDEATHSIG = 1
_STOP_TIMEOUT = 30


@dataclass(frozen=True)
class FakerootTools:
    """The host's fakeroot daemon and preload library."""

    faked: str
    library: str


def find_fakeroot() -> FakerootTools | None:
    """faked-sysv and libfakeroot-sysv.so of the host, or None when fakeroot is not installed."""
    faked = shutil.which("faked-sysv") or next(
        (p for p in ("/usr/bin/faked-sysv", "/bin/faked-sysv") if os.access(p, os.X_OK)), None)
    library = next((p for pattern in _LIBRARY_GLOBS for p in sorted(glob.glob(pattern))), None)
    if faked is None or library is None:
        return None
    return FakerootTools(faked, library)


@dataclass(frozen=True)
class FakeStat:
    """What faked shows programs for one inode."""

    mode: int  # file type and permission bits
    uid: int
    gid: int
    nlink: int = 1
    rdev: int = 0


FakeDatabase = dict[tuple[int, int], FakeStat]  # (st_dev, st_ino) -> FakeStat


def format_database(entries: Iterable[tuple[int, int, FakeStat]]) -> bytes:
    """faked's save-file format (`--load` reads it): one `dev=HEX,ino=DEC,mode=OCT,…` line per inode."""
    return "".join(f"dev={dev:x},ino={ino},mode={fs.mode:o},uid={fs.uid},gid={fs.gid},"
                   f"nlink={fs.nlink},rdev={fs.rdev}\n" for dev, ino, fs in entries).encode()


def parse_database(data: bytes) -> FakeDatabase:
    """The database faked saved (`--save-file`)."""
    found: FakeDatabase = {}
    for line in data.decode("ascii").splitlines():
        if not line.strip():
            continue
        fields = dict(part.split("=", 1) for part in line.strip().split(","))
        key = (int(fields["dev"], 16), int(fields["ino"]))
        found[key] = FakeStat(mode=int(fields["mode"], 8), uid=int(fields["uid"]), gid=int(fields["gid"]),
                              nlink=int(fields.get("nlink", "1")), rdev=int(fields.get("rdev", "0")))
    return found


def die_with_parent() -> None:
    """In a child process (preexec_fn): get SIGTERM if nixlite dies (faked then saves and cleans up)."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class FakedDaemon:
    """One faked-sysv for one script: start (with a loaded database), hand out the environment, stop and read."""

    def __init__(self, tools: FakerootTools, save_file: str, load: bytes = b"") -> None:
        self.tools = tools
        self.save_file = save_file
        self.proc = subprocess.Popen(
            [tools.faked, "--foreground", "--save-file", save_file, "--load"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(load)
        self.proc.stdin.close()
        line = self.proc.stdout.readline().decode("ascii", "replace").strip()
        self.proc.stdout.close()
        self.key = line.split(":", 1)[0]
        if not self.key.isdigit():
            self.kill()
            raise OSError(f"faked-sysv did not start (it printed {line!r})")

    def command_env(self) -> dict[str, str]:
        """The variables the sandboxed command gets (bind tools.library at PRELOAD_PATH)."""
        return {"LD_PRELOAD": PRELOAD_PATH, "FAKEROOTKEY": self.key, "FAKEROOTDONTTRYCHOWN": "1"}

    def finish(self) -> FakeDatabase:
        """Wait until every queued message is handled, stop the daemon, return what it saved."""
        self._drain()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=_STOP_TIMEOUT)
        with open(self.save_file, "rb") as f:
            return parse_database(f.read())

    def _drain(self) -> None:
        """A stat under the library: its reply comes after the daemon handled all earlier messages."""
        program = shutil.which("ls") or "/bin/ls"
        env = {"PATH": "/usr/bin:/bin", "LD_PRELOAD": self.tools.library, "FAKEROOTKEY": self.key}
        subprocess.run([program, "-ld", "/"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False, timeout=_STOP_TIMEOUT)

    def kill(self) -> None:
        """Stop the daemon if it still runs (SIGTERM also removes its message queues)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
