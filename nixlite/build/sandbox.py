"""The build sandbox: running a builder process under bubblewrap, as Nix's sandbox does.

Nix runs a builder in fresh namespaces: a private mount tree that shows only
the input closure at /nix/store, the build directory at /build, a private
/tmp, generated /etc/passwd, /etc/group and /etc/hosts, /proc and a minimal
/dev; no network (except for fixed-output derivations, whose result is
checked by hash anyway); hostname `localhost`; uid 1000 ("nixbld") and gid
100 inside a user namespace; Nix's seccomp filter (no setuid/setgid modes, no
extended attributes; `nixlite.build.seccomp`). nixlite does the same with bubblewrap, with one
deliberate impurity: the host's /usr (and /bin, /lib, /lib64, /sbin) is
visible read-only, so that runCommand-style `/bin/sh` builders find a shell
and coreutils without a bootstrapped stdenv.

The writable store view: a builder creates its outputs *in* /nix/store
(`mkdir $out`), so /nix/store inside the sandbox is a private, writable
staging directory on the store's file system, into which the input closure
is bind-mounted read-only. After the build, the outputs are taken out of the
staging directory (see `nixlite.build.realise`), nothing else of it is kept.

Running as uid 1000 in a user namespace works the same whether nixlite runs
as root or as an ordinary user: whatever the builder writes is owned, outside,
by the user running nixlite. Python builders that must act as root in an
image's root filesystem (dockerTools' runAsRoot) ask for `uid0=True`; see
`run_sandboxed` for what that means with and without real root privileges.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import IO, Callable, Iterable, Mapping, Sequence

from nixlite.build import seccomp
from nixlite.store.paths import DEFAULT_STORE_DIR

SANDBOX_BUILD_DIR = "/build"
SANDBOX_UID = 1000
SANDBOX_GID = 100

# Host directories shown read-only to process builders: the one impurity.
HOST_DIRS: tuple[str, ...] = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Host /etc files a dynamically linked shell and coreutils need.
HOST_ETC_FILES: tuple[str, ...] = ("/etc/ld.so.cache", "/etc/nsswitch.conf")

# Capabilities a real-root `uid0` sandbox keeps: enough to own and chmod files
# as root does in an image being built, not enough to escape (no mounts, no
# ptrace, no network administration). CAP_MKNOD lets runAsRoot make the
# device nodes an image ships; none can be opened, since bwrap's mounts are
# nodev, and they stay in the 0700 build directory until the layer tar is made.
ROOT_FILE_CAPABILITIES: tuple[str, ...] = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_SETUID", "CAP_SETGID", "CAP_MKNOD",
)

# Nix's sandbox /etc files (libstore/build/local-derivation-goal.cc).
_PASSWD = ("root:x:0:0:Nix build user:{home}:/noshell\n"
           "nixbld:x:{uid}:{gid}:Nix build user:{home}:/noshell\n"
           "nobody:x:65534:65534:Nobody:/:/noshell\n")
_GROUP = "root:x:0:\nnixbld:!:{gid}:\nnogroup:x:65534:\n"
_HOSTS = "127.0.0.1 localhost\n::1 localhost\n"


class SandboxUnavailable(Exception):
    """bubblewrap is missing or cannot create namespaces here."""


def bwrap_path() -> str:
    found = shutil.which("bwrap") or next((p for p in ("/usr/bin/bwrap", "/bin/bwrap") if os.path.exists(p)), None)
    if found is None:
        raise SandboxUnavailable("bubblewrap ('bwrap') is not installed; nixlite needs it to run builders")
    return found


@dataclass
class StoreView:
    """What the sandbox shows at /nix/store.

    physical_store  the directory holding the store's files (`Store.real_store_dir`)
    paths           logical store paths to show (read-only); None shows the whole store
    stage           a writable directory shown as /nix/store itself, into which
                    `paths` are mounted (process builds create their outputs there);
                    None shows the store read-only
    """

    physical_store: str
    paths: Iterable[str] | None = None
    stage: str | None = None
    store_dir: str = DEFAULT_STORE_DIR


@dataclass
class SandboxSpec:
    """Everything `bwrap_arguments` needs (the parameters of `run_sandboxed`)."""

    cwd: str
    store: StoreView | None = None
    writable: Sequence[str | tuple[str, str]] = ()
    readonly: Sequence[str | tuple[str, str]] = ()
    root: str | None = None
    uid0: bool = False
    network: bool = False
    host_dirs: Sequence[str] | None = None
    etc_dir: str | None = None
    real_root: bool = field(default_factory=lambda: os.geteuid() == 0)
    nix_seccomp: bool = False  # Nix's builder filter: no setuid/setgid modes, no xattrs (seccomp.py)
    share_ipc: bool = False
    command_env: Mapping[str, str] | None = None


def _pairs(mounts: Iterable[str | tuple[str, str]]) -> list[tuple[str, str]]:
    return [(m, m) if isinstance(m, str) else (m[0], m[1]) for m in mounts]


def _host_dir_arguments(host_dirs: Sequence[str]) -> list[str]:
    """Bind host directories read-only; symlinks (merged /usr: /bin -> usr/bin) stay symlinks."""
    args: list[str] = []
    for d in host_dirs:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    return args


def _identity_arguments(spec: SandboxSpec) -> list[str]:
    """Who the builder is: uid 1000 in a user namespace, or root (see `run_sandboxed`)."""
    if spec.uid0 and spec.real_root:
        args = ["--cap-drop", "ALL"]
        for cap in ROOT_FILE_CAPABILITIES:
            args += ["--cap-add", cap]
        return args
    if spec.uid0:
        # bwrap drops every capability even for uid 0 in its namespace; root's file capabilities
        # there let the command write into our own read-only directories (a store path's 0555
        # /bin in an image root), as root does. They reach only files our uid and gid own.
        args = ["--unshare-user", "--uid", "0", "--gid", "0", "--cap-drop", "ALL"]
        for cap in ROOT_FILE_CAPABILITIES:
            args += ["--cap-add", cap]
        return args
    return ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID)]


def _store_arguments(view: StoreView) -> list[str]:
    store_dir = view.store_dir
    if view.paths is None:
        if view.stage is not None:
            raise ValueError("a writable store stage needs the list of paths to show in it")
        return ["--ro-bind", view.physical_store, store_dir]
    args = ["--bind", view.stage, store_dir] if view.stage is not None else ["--perms", "0755", "--dir", store_dir]
    for path in sorted(set(view.paths)):
        physical = view.physical_store + path[len(store_dir):]
        if os.path.lexists(physical):
            args += ["--ro-bind", physical, path]
    return args


def bwrap_arguments(spec: SandboxSpec) -> list[str]:
    """The bubblewrap options (without the command) that build the sandbox in `spec`."""
    args = [] if spec.share_ipc else ["--unshare-ipc"]
    args += ["--unshare-pid", "--unshare-uts", "--unshare-cgroup-try",
             "--die-with-parent", "--new-session", "--hostname", "localhost"]
    if not spec.network:
        args.append("--unshare-net")
    args += _identity_arguments(spec)
    if spec.root is not None:
        args += ["--bind", spec.root, "/"]
    host_dirs = spec.host_dirs if spec.host_dirs is not None else (() if spec.root is not None else HOST_DIRS)
    args += _host_dir_arguments(host_dirs)
    if spec.etc_dir is not None:
        for name in sorted(os.listdir(spec.etc_dir)):
            args += ["--ro-bind", os.path.join(spec.etc_dir, name), "/etc/" + name]
        for host_file in HOST_ETC_FILES:
            if os.path.isfile(host_file):
                args += ["--ro-bind", host_file, host_file]
    args += ["--proc", "/proc", "--dev", "/dev"]
    if spec.root is None:
        args += ["--perms", "01777", "--tmpfs", "/tmp"]
    if spec.store is not None:
        args += ["--perms", "0755", "--dir", os.path.dirname(spec.store.store_dir)]
        args += _store_arguments(spec.store)
    for source, target in _pairs(spec.readonly):
        args += ["--ro-bind", source, target]
    for source, target in _pairs(spec.writable):
        args += ["--bind", source, target]
    for name, value in sorted((spec.command_env or {}).items()):
        args += ["--setenv", name, value]
    args += ["--chdir", spec.cwd]
    return args


def write_etc_files(directory: str, uid0: bool = False) -> None:
    """Nix's sandbox /etc/passwd, /etc/group and /etc/hosts (HOST_ETC_FILES are bound beside them)."""
    home = SANDBOX_BUILD_DIR
    files = {
        "passwd": _PASSWD.format(home=home, uid=0 if uid0 else SANDBOX_UID, gid=0 if uid0 else SANDBOX_GID),
        "group": _GROUP.format(gid=0 if uid0 else SANDBOX_GID),
        "hosts": _HOSTS,
    }
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)


def start(argv: Sequence[str], spec: SandboxSpec, env: Mapping[str, str],
          output: int | IO[bytes] | None = subprocess.PIPE) -> subprocess.Popen[bytes]:
    """Start `argv` in the sandbox; stdout and stderr both go to `output`, stdin is /dev/null.

    The options reach bwrap through a file descriptor (`--args`), so a large
    input closure does not hit the command-line length limit.
    """
    options = bwrap_arguments(spec)
    program = seccomp.filter_program() if spec.nix_seccomp else None
    with tempfile.TemporaryFile() as args_file, tempfile.TemporaryFile() as filter_file:
        fds = [args_file.fileno()]
        if program is not None:
            filter_file.write(program)
            filter_file.seek(0)
            options += ["--seccomp", str(filter_file.fileno())]
            fds.append(filter_file.fileno())
        args_file.write(b"".join(a.encode() + b"\0" for a in options))
        args_file.seek(0)
        return subprocess.Popen(
            [bwrap_path(), "--args", str(args_file.fileno()), "--", *argv],
            env=dict(env), stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            pass_fds=tuple(fds), umask=0o022)  # Nix gives builders umask 022


@dataclass(frozen=True)
class TimeLimits:
    """How long a command may run (Nix's --timeout) and stay silent (--max-silent-time); 0: no limit."""

    timeout: float = 0
    max_silent: float = 0

    def time_left(self, started: float, last_output: float, now: float) -> float | None:
        """Seconds until a limit is reached (None: no limit)."""
        left = [limit + since - now for limit, since in ((self.timeout, started), (self.max_silent, last_output))
                if limit]
        return min(left) if left else None


class TimedOut(Exception):
    """A command stopped by its TimeLimits; `silence` tells which limit (see `pump`)."""

    def __init__(self, seconds: float, silence: bool) -> None:
        super().__init__(f"timed out after {seconds:g} seconds" + (" of silence" if silence else ""))
        self.seconds = seconds
        self.silence = silence


# After killing a sandbox, how long to wait for its last processes to close their output.
_KILL_GRACE_SECONDS = 10.0


def kill_sandbox(proc: subprocess.Popen[bytes]) -> None:
    """Kill a started sandbox with every process in it, and wait until they are gone.

    Killing bwrap kills the sandbox's init (--die-with-parent), and with it
    the whole pid namespace; once the last process in it is gone, nobody
    holds the output pipe, so its end of file is the sign that nothing runs
    any more (nothing then writes into the build's directories).
    """
    proc.kill()
    proc.wait()
    if proc.stdout is None or proc.stdout.closed:
        return
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + _KILL_GRACE_SECONDS
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if ready and not os.read(fd, 65536):
            return


def pump(proc: subprocess.Popen[bytes], on_output: Callable[[bytes], None],
         limits: TimeLimits | None = None) -> int:
    """Pass everything a started command writes to `on_output` until it exits; its status.

    With `limits`, a command that runs too long or stays silent too long is
    killed with its whole sandbox (`kill_sandbox`) and TimedOut is raised;
    the silence limit is looked at first, as Nix does.
    """
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    limits = limits or TimeLimits()
    started = last_output = time.monotonic()
    try:
        while True:
            left = limits.time_left(started, last_output, time.monotonic())
            if left is not None and not select.select([fd], [], [], max(left, 0.0))[0]:
                _stop(proc, limits, started, last_output)
                continue  # woken a moment early
            data = os.read(fd, 65536)
            if not data:
                break
            last_output = time.monotonic()
            on_output(data)
        # The output is closed but the command may still be running (`exec >&-; sleep …`).
        while True:
            left = limits.time_left(started, last_output, time.monotonic())
            try:
                return proc.wait(timeout=None if left is None else max(left, 0.0))
            except subprocess.TimeoutExpired:
                _stop(proc, limits, started, last_output)
    finally:
        proc.stdout.close()


def _wait_within(proc: subprocess.Popen[bytes], limits: TimeLimits | None) -> int:
    """Wait for a command whose output is not ours to watch: only the timeout applies."""
    timeout = limits.timeout if limits is not None and limits.timeout else None
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_sandbox(proc)
        raise TimedOut(timeout or 0, silence=False) from None


def _stop(proc: subprocess.Popen[bytes], limits: TimeLimits, started: float, last_output: float) -> None:
    now = time.monotonic()
    silence = bool(limits.max_silent) and now - last_output >= limits.max_silent
    if not silence and not (limits.timeout and now - started >= limits.timeout):
        return  # woken early: not yet
    kill_sandbox(proc)
    raise TimedOut(limits.max_silent if silence else limits.timeout, silence)


def run_sandboxed(argv: Sequence[str], *, cwd: str, env: Mapping[str, str],
                  writable: Sequence[str | tuple[str, str]] = (),
                  readonly: Sequence[str | tuple[str, str]] = (),
                  root: str | None = None, uid0: bool = False, network: bool = False,
                  store: StoreView | None = None, host_dirs: Sequence[str] | None = None,
                  etc: bool | None = None, output: int | IO[bytes] | None = None,
                  on_output: Callable[[bytes], None] | None = None,
                  share_ipc: bool = False, command_env: Mapping[str, str] | None = None,
                  limits: TimeLimits | None = None) -> int:
    """Run `argv` in a bubblewrap sandbox and return its exit status (negative: killed by a signal).

    argv       the command; argv[0] is looked up in env's PATH if not absolute
    cwd        the working directory, as seen *inside* the sandbox
    env        the complete environment of the command (nothing is inherited)
    writable   host directories (or files) bound read-write: a path is shown at
               the same place, a (host_path, sandbox_path) pair elsewhere
    readonly   the same, bound read-only
    root       a host directory shown, writable, as `/` (e.g. an image's root
               filesystem for dockerTools' runAsRoot); the host directories are
               then not shown unless `host_dirs` names them
    uid0       run as uid 0 / gid 0 instead of Nix's uid 1000 / gid 100. As an
               ordinary user this is root in a user namespace that maps only
               your uid, with the file capabilities ROOT_FILE_CAPABILITIES
               there (they reach only your own files): chown to another uid
               fails (EINVAL; see nixlite.docker.fakeroot). When nixlite runs
               as real root, no user namespace is made and the command keeps
               only the file-ownership capabilities (ROOT_FILE_CAPABILITIES),
               so `chown 1000 /home/user` in an image works for real
    network    share the host network (Nix allows it for fixed-output builds only)
    store      what to show at /nix/store (a StoreView); None shows no store
    host_dirs  host directories to show read-only; default HOST_DIRS when `root`
               is None, nothing otherwise
    etc        write Nix's sandbox /etc/passwd, /etc/group, /etc/hosts (plus
               /etc/ld.so.cache and /etc/nsswitch.conf of the host); default:
               when `root` is None
    output     where stdout and stderr go (a file object or fd); default: inherit
    on_output  instead of `output`: called with each chunk the command writes
               (the build log, for a Python builder's `ctx.run_sandboxed`)
    share_ipc  keep the host's IPC namespace (SysV message queues, semaphores)
               instead of a private one: runAsRoot under fakeroot talks to a
               `faked-sysv` daemon started outside the sandbox
               (nixlite.docker.fakeroot)
    command_env  variables added to `env` for the command only, set by bwrap
               itself (--setenv): LD_PRELOAD must reach the command, not bwrap
    limits     TimeLimits: past them the sandbox is killed and TimedOut raised
               (silence is measured only with `on_output`)

    With `root`, bwrap creates the mount points it needs (/proc, /dev,
    /nix/store, …) inside `root`; those it created are removed again after
    the run if they are still empty, so the root filesystem only keeps what
    the command itself wrote.

    Nothing of the host is writable except what `writable` and `root` name; the
    network is unshared unless `network`; the process and all its children
    are killed when the caller dies (pid namespace, --die-with-parent).
    """
    use_etc = (root is None) if etc is None else etc
    with tempfile.TemporaryDirectory(prefix="nixlite-etc-") as etc_dir:
        if use_etc:
            write_etc_files(etc_dir, uid0)
        spec = SandboxSpec(cwd=cwd, store=store, writable=writable, readonly=readonly, root=root, uid0=uid0,
                           network=network, host_dirs=host_dirs, etc_dir=etc_dir if use_etc else None,
                           share_ipc=share_ipc, command_env=command_env)
        created = _missing_mount_points(spec) if root is not None else []
        try:
            if on_output is None:
                return _wait_within(start(argv, spec, env, output=output), limits)
            return pump(start(argv, spec, env), on_output, limits)
        finally:
            _remove_empty(created)


def _missing_mount_points(spec: SandboxSpec) -> list[str]:
    """Host paths under `spec.root` that bwrap will create as mount points (outermost first)."""
    assert spec.root is not None
    targets = ["/proc", "/dev"]
    if spec.store is not None:
        targets.append(spec.store.store_dir)
        targets += sorted(set(spec.store.paths or ()))
    if spec.etc_dir is not None:
        targets += ["/etc/" + name for name in os.listdir(spec.etc_dir)]
        targets += [f for f in HOST_ETC_FILES if os.path.isfile(f)]
    targets += [t for _, t in _pairs(spec.readonly)] + [t for _, t in _pairs(spec.writable)]
    targets += list(spec.host_dirs or ())
    missing: list[str] = []
    for target in targets:
        parts = target.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            host = os.path.join(spec.root, *parts[:i])
            if not os.path.lexists(host) and host not in missing:
                missing.append(host)
    return missing


def _remove_empty(paths: list[str]) -> None:
    """Remove mount points bwrap created in a root filesystem, if they are still empty."""
    for path in reversed(paths):
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)
            elif os.path.isfile(path) and os.path.getsize(path) == 0:
                os.unlink(path)
        except OSError:
            pass  # the command put something there: it stays
