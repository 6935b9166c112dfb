"""Realising one derivation: build it, check it, make its outputs valid — or leave nothing.

The steps, for a derivation whose inputs are all valid (the scheduler sees
to that):

1. Lock its output paths (`Store.lock`), then look again: another process
   may have built them meanwhile. Remove unregistered leftovers of the
   outputs (a build killed earlier).
2. Make a workspace: a private build directory (`/build` in the sandbox,
   `$TMPDIR/nix-build-<name>.drv-…` outside) holding the passAsFile,
   structured-attrs and exportReferencesGraph files; and a staging
   directory on the store's file system in which the outputs are created
   (`nixlite.build.sandbox` shows it as /nix/store).
3. Run the builder: a process in the sandbox, or a Python builder in-process
   (`builtin:NAME`), its output going to the build log.
4. Check the outputs: each must exist; canonicalise their metadata (read-only,
   mtime 1); hash their NARs and scan them for references; check fixed-output
   hashes and reference constraints.
5. Move the outputs into the store and register them, with references,
   NAR hash and size, deriver and (fixed outputs) content address, in one
   SQLite transaction.

A failure at any step raises a BuildError and registers nothing; a SIGKILL
at any step leaves at most unregistered files, removed by step 1 next time.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import glob
import os
import platform
import secrets
import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from nixlite.build import python_builders, sandbox
from nixlite.build.environment import ExportedPath, builder_inputs
from nixlite.build.errors import (
    NOT_DETERMINISTIC, OUTPUT_REJECTED, PERMANENT_FAILURE, TIMED_OUT, BuildError, build_error, status_text,
)
from nixlite.build.outputs import (
    ScannedOutput, check_fixed_output, enforce_output_checks, output_checks, scan_output,
)
from nixlite.build.logs import log_file, log_hint, log_root  # noqa: F401  (log_root: also imported from here)
from nixlite.build.progress import BuildLog, Progress
from nixlite.build.settings import BuildSettings  # noqa: F401  (also imported from here)
from nixlite.eval.errors import NixError
from nixlite.store import nix32
from nixlite.store.derivation import Derivation
from nixlite.store.nar import NarError
from nixlite.store.paths import base_name
from nixlite.store.files import make_writable, remove_tree
from nixlite.store.store import PathInfo, Store, canonicalise

# Staging directories are `.tmp-<pid>-build-<random>`: the store's gc skips
# `.tmp-<pid>-…` entries while that process lives; remove_stale_stages
# removes those of dead builds.
STAGE_GLOB = ".tmp-*-build-*"
# Where --check --keep-failed leaves an output that differs (Nix's checkSuffix).
CHECK_SUFFIX = ".check"


def this_system() -> str:
    """Nix's `system` for this machine (x86_64-linux, aarch64-linux, …)."""
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    return f"{machine}-{platform.system().lower()}"


def _accepted_platforms() -> set[str]:
    system = this_system()
    extra = {"x86_64-linux": {"i686-linux"}}.get(system, set())
    return {system, "builtin"} | extra


def system_features() -> set[str]:
    """Nix's default system-features on Linux (kvm when /dev/kvm is usable)."""
    features = {"benchmark", "big-parallel", "nixos-test"}
    if os.access("/dev/kvm", os.R_OK | os.W_OK):
        features.add("kvm")
    return features


def _check_platform(drv_path: str, drv: Derivation) -> None:
    """Refuse, in Nix's words, a derivation for another system or needing missing features."""
    required = drv.env.get("requiredSystemFeatures", "").split()
    features = system_features()
    if drv.platform in _accepted_platforms() and set(required) <= features:
        return
    raise BuildError(f"a '{drv.platform}' with features {{{', '.join(required)}}} is required to build "
                     f"'{drv_path}', but I am a '{this_system()}' with features {{{', '.join(sorted(features))}}}")


class RunningProcesses:
    """The builder processes now running, so that a failure elsewhere can stop them."""

    def __init__(self) -> None:
        self._procs: set[Any] = set()
        self._lock = threading.Lock()
        self.cancelled = threading.Event()

    def add(self, proc: Any) -> None:
        with self._lock:
            self._procs.add(proc)
            if self.cancelled.is_set():
                proc.kill()

    def remove(self, proc: Any) -> None:
        with self._lock:
            self._procs.discard(proc)

    def cancel(self) -> None:
        with self._lock:
            self.cancelled.set()
            for proc in self._procs:
                with contextlib.suppress(OSError):
                    proc.kill()


# --- the workspace: build directory and output staging ---------------------------------


class Workspace:
    """A build's private directories (see the module docstring, step 2)."""

    def __init__(self, store: Store, drv_path: str, keep_failed: bool) -> None:
        self.store = store
        self.keep_failed = keep_failed
        drv_name = base_name(drv_path)[33:]
        self.build_dir = tempfile.mkdtemp(prefix=f"nix-build-{drv_name}-")
        self.etc_dir = tempfile.mkdtemp(prefix="nixlite-etc-")
        # The stage's lock is held before the stage exists, so that
        # remove_stale_stages (in another process) never takes a live one.
        self.stage = os.path.join(store.real_store_dir, f".tmp-{os.getpid()}-build-{secrets.token_hex(8)}")
        self._stage_lock = open(_stage_lock_path(store, self.stage), "w")
        fcntl.flock(self._stage_lock.fileno(), fcntl.LOCK_EX)
        os.mkdir(self.stage)
        os.chmod(self.stage, 0o1775)  # as Nix's sandbox store directory

    def staged(self, path: str) -> str:
        """Where an output (logical path) is created during the build."""
        return os.path.join(self.stage, base_name(path))

    def close(self, failed: bool) -> str | None:
        """Remove everything; returns the kept build directory with --keep-failed."""
        remove_tree(self.stage)
        remove_tree(self.etc_dir)
        with contextlib.suppress(OSError):
            os.unlink(self._stage_lock.name)
        self._stage_lock.close()
        if failed and self.keep_failed:
            return self.build_dir
        remove_tree(self.build_dir)
        return None


def _stage_lock_path(store: Store, stage: str) -> str:
    return os.path.join(store.state_dir, "locks", os.path.basename(stage) + ".lock")


def remove_stale_stages(store: Store) -> None:
    """Delete staging directories of builds that died (their lock is free)."""
    for stage in glob.glob(os.path.join(store.real_store_dir, STAGE_GLOB)):
        lock = _stage_lock_path(store, stage)
        with open(lock, "a") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live build
            remove_tree(stage)
            with contextlib.suppress(OSError):
                os.unlink(lock)


# --- inputs --------------------------------------------------------------------------


def input_closure(store: Store, drv: Derivation) -> set[str]:
    """Nix's inputPaths: the closure of the input sources and the used outputs of input derivations."""
    roots = set(drv.input_srcs)
    for input_drv_path, wanted in drv.input_drvs.items():
        input_drv = store.read_derivation(input_drv_path)
        for name in wanted:
            if name not in input_drv.outputs:
                raise BuildError(f"derivation '{input_drv_path}' does not have an output named '{name}'")
            roots.add(input_drv.outputs[name].path)
    store.add_temp_roots(roots)  # a concurrent gc must not take the inputs away
    for path in roots:
        if not store.is_valid(path):
            raise BuildError(f"dependency '{path}' is not valid")
    return store.closure(roots)


def _exporter(store: Store, input_paths: set[str]) -> Callable[[Any], list[ExportedPath]]:
    """exportReferencesGraph's closure records (Nix's Store::exportReferences)."""

    def export(paths: Any) -> list[ExportedPath]:
        paths = list(paths)
        for p in paths:
            if p not in input_paths:
                raise BuildError(f"cannot export references of path '{p}' because it is not "
                                 "in the input closure of the derivation")
        closure = store.closure(paths)
        for p in sorted(closure):
            if p.endswith(".drv"):
                for out in store.read_derivation(p).outputs.values():
                    if out.path and store.is_valid(out.path):
                        closure |= store.closure([out.path])
        return [_exported(store, p) for p in sorted(closure)]

    return export


def _exported(store: Store, path: str) -> ExportedPath:
    info = store.query_path_info(path)
    assert info is not None
    closure_size = sum(i.nar_size for i in (store.query_path_info(p) for p in store.closure([path])) if i)
    return ExportedPath(path, sorted(info.references), nix32.encode(info.nar_hash), info.nar_size,
                        closure_size, info.ca)


# --- running the builder ----------------------------------------------------------------


def run_process_builder(store: Store, drv: Derivation, env: dict[str, str], ws: Workspace,
                        input_paths: set[str], log: BuildLog, running: RunningProcesses,
                        limits: sandbox.TimeLimits | None = None) -> int:
    """Run `builder args…` in the sandbox; its exit status (sandbox.TimedOut past `limits`)."""
    sandbox.write_etc_files(ws.etc_dir)
    spec = sandbox.SandboxSpec(
        cwd=sandbox.SANDBOX_BUILD_DIR,
        store=sandbox.StoreView(store.real_store_dir, paths=input_paths, stage=ws.stage, store_dir=store.store_dir),
        writable=[(ws.build_dir, sandbox.SANDBOX_BUILD_DIR)],
        network=drv.is_fixed_output, etc_dir=ws.etc_dir, nix_seccomp=True)
    proc = sandbox.start([drv.builder, *drv.args], spec, env)
    running.add(proc)
    try:
        return sandbox.pump(proc, log.write, limits)
    finally:
        running.remove(proc)


def _python_physical(store: Store, ws: Workspace, outputs: set[str]) -> Callable[[str], str]:
    def physical(path: str) -> str:
        top = path[: len(store.store_dir) + 1 + len(path[len(store.store_dir) + 1:].split("/", 1)[0])]
        if top in outputs:
            return ws.staged(top) + path[len(top):]
        return store.physical(path)

    return physical


def run_python_builder(store: Store, drv_path: str, drv: Derivation, env: dict[str, str], ws: Workspace,
                       input_paths: set[str], log: BuildLog, limits: sandbox.TimeLimits | None = None) -> None:
    """Call the registered Python builder with a BuildContext (see python_builders).

    `limits` bound the whole build: the commands it runs in the sandbox get
    what is left of the time (and are killed past it: sandbox.TimedOut), and
    a builder that took too long in Python itself, which cannot be
    interrupted, has timed out all the same when it returns.
    """
    builder = python_builders.lookup(drv.builder)
    if builder is None:
        raise BuildError(f"unsupported builtin builder '{drv.builder[len(python_builders.PREFIX):]}'")
    outputs = {name: out.path for name, out in drv.outputs.items()}
    sandbox_defaults = dict(store=sandbox.StoreView(store.real_store_dir, store_dir=store.store_dir),
                            on_output=log.write)
    time_left = functools.partial(_time_left, limits, time.monotonic())
    ctx = python_builders.BuildContext(
        drv_path=drv_path, env=env, outputs={name: ws.staged(p) for name, p in outputs.items()},
        physical=_python_physical(store, ws, set(outputs.values())), build_dir=ws.build_dir, log=log.line,
        run_sandboxed=functools.partial(_run_sandboxed_logged, log, sandbox_defaults, time_left),
        extra={"store": store, "derivation": drv, "input_paths": frozenset(input_paths)})
    try:
        builder(ctx)
    except (NixError, sandbox.TimedOut):
        raise
    except python_builders.BuilderFailed as exc:
        log.line(f"error: {exc}")
        raise _failure(store, drv_path, "failed", log) from None
    except Exception as exc:  # a bug in the builder: a failed build, not a crash of nixlite
        for line in traceback.format_exc().splitlines():
            log.line(line)
        log.line(f"error: internal error in Python builder: {type(exc).__name__}: {exc}")
        raise _failure(store, drv_path, "failed", log) from None
    time_left()


def _time_left(limits: sandbox.TimeLimits | None, started: float) -> sandbox.TimeLimits | None:
    """The limits for a command started now in a build started at `started`; TimedOut if none is left."""
    if limits is None or not limits.timeout:
        return limits
    left = limits.timeout - (time.monotonic() - started)
    if left <= 0:
        raise sandbox.TimedOut(limits.timeout, silence=False)
    return sandbox.TimeLimits(left, limits.max_silent)


def _run_sandboxed_logged(log: BuildLog, defaults: dict[str, Any], time_left: Callable[[], Any],
                          argv: Any, **kwargs: Any) -> int:
    """ctx.run_sandboxed: sandbox.run_sandboxed with the whole store read-only, output to the log,
    within the build's time limits."""
    options = {**defaults, "limits": time_left(), **kwargs}
    if "output" in kwargs:
        options.pop("on_output")
    return sandbox.run_sandboxed(argv, **options)


def _failure(store: Store, drv_path: str, what: str, log: BuildLog) -> BuildError:
    """Nix's failure message: status, then the last log lines and how to see them all."""
    message = f"builder for '{drv_path}' {what}"
    tail = list(log.tail)
    if tail:
        message += f";\nlast {len(tail)} log lines:\n" + "".join(f"> {line}\n" for line in tail)
        message += log_hint(store, drv_path)
    return build_error(message)


# --- checking and registering outputs ----------------------------------------------------


def _scan_outputs(drv_path: str, drv: Derivation, ws: Workspace, input_paths: set[str]) -> dict[str, ScannedOutput]:
    """Step 4: every output exists; canonical metadata; NAR hash and references."""
    candidates = input_paths | {out.path for out in drv.outputs.values()}
    scanned: dict[str, ScannedOutput] = {}
    for name, out in sorted(drv.outputs.items()):
        staged = ws.staged(out.path)
        if not os.path.lexists(staged):
            raise BuildError(f"builder for '{drv_path}' failed to produce output path for output "
                             f"'{name}' at '{out.path}'")
        try:
            make_writable(staged)
            canonicalise(staged)
            scanned[name] = scan_output(staged, candidates)
        except (NarError, OSError) as exc:
            raise BuildError(f"while checking output '{out.path}' of '{drv_path}': {exc}") from None
    return scanned


def _accepted_outputs(store: Store, drv_path: str, drv: Derivation, ws: Workspace,
                      input_paths: set[str]) -> dict[str, ScannedOutput]:
    """Step 4; its failures are Nix's OutputRejected (exit status 1, not a failed build's 100)."""
    try:
        scanned = _scan_outputs(drv_path, drv, ws, input_paths)
        _check_outputs(store, drv_path, drv, ws, scanned)
    except BuildError as err:
        if err.kind == PERMANENT_FAILURE:
            err.kind = OUTPUT_REJECTED
        raise
    return scanned


def _check_outputs(store: Store, drv_path: str, drv: Derivation, ws: Workspace,
                   scanned: dict[str, ScannedOutput]) -> None:
    if drv.is_fixed_output:
        out = drv.outputs["out"]
        check_fixed_output(drv_path, out, ws.staged(out.path), scanned["out"])
        return
    new_refs = {drv.outputs[name].path: s.references for name, s in scanned.items()}
    new_sizes = {drv.outputs[name].path: s.nar_size for name, s in scanned.items()}

    def closure(path: str) -> set[str]:
        seen: set[str] = set()
        todo = [path]
        while todo:
            p = todo.pop()
            if p not in seen:
                seen.add(p)
                todo.extend(new_refs[p] if p in new_refs else store.references(p))
        return seen

    def nar_size_of(path: str) -> int:
        if path in new_sizes:
            return new_sizes[path]
        info = store.query_path_info(path)
        return info.nar_size if info else 0

    structured = _structured(drv)
    for name, s in sorted(scanned.items()):
        checks = output_checks(drv, name, structured)
        enforce_output_checks(drv, drv.outputs[name].path, s.references, s.nar_size, checks, closure, nar_size_of)


def _structured(drv: Derivation) -> dict[str, Any] | None:
    import json

    if "__json" not in drv.env:
        return None
    value = json.loads(drv.env["__json"])
    return value if isinstance(value, dict) else None


def _content_address(drv: Derivation, scanned: ScannedOutput) -> str | None:
    """Nix's renderContentAddress for a fixed output: fixed:[r:]<algo>:<nix32>."""
    if not drv.is_fixed_output:
        return None
    out = drv.outputs["out"]
    algo = out.hash_algo.removeprefix("r:")
    method = "r:" if out.hash_algo.startswith("r:") else ""
    return f"fixed:{method}{algo}:{nix32.encode(bytes.fromhex(out.hash))}"


def _install_outputs(store: Store, drv_path: str, drv: Derivation, ws: Workspace,
                     scanned: dict[str, ScannedOutput], missing: dict[str, str]) -> None:
    """Step 5: move the missing outputs into the store, then register them in one transaction."""
    infos: list[PathInfo] = []
    for name, path in sorted(missing.items()):
        target = store.physical(path)
        if os.path.lexists(target):
            remove_tree(target)  # an unregistered leftover appeared meanwhile
        _move(ws.staged(path), target)
        s = scanned[name]
        infos.append(PathInfo(path, s.nar_hash, s.nar_size, set(s.references), drv_path, 0,
                              _content_address(drv, s)))
    store.register_valid(infos)


def _move(source: str, target: str) -> None:
    """Rename a canonical (read-only) output into the store."""
    is_dir = os.path.isdir(source) and not os.path.islink(source)
    if is_dir:  # renaming a directory to another parent updates its `..`: it must be writable
        os.chmod(source, 0o755)
    try:
        os.rename(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.copytree(source, target, symlinks=True) if is_dir else shutil.copy2(source, target)
    if is_dir:
        os.chmod(target, 0o555)


def _compare_with_store(job: BuildJob, ws: Workspace, scanned: dict[str, ScannedOutput]) -> None:
    """--check: each rebuilt output that is valid must have the NAR hash of the one in the store.

    A differing output is Nix's NotDeterministic error; with --keep-failed the
    rebuilt one is kept beside the valid one, unregistered, as `<path>.check`
    (the valid output is never replaced). Paths are named where their files
    are, as Nix names them (its toRealPath).
    """
    for name, s in sorted(scanned.items()):
        path = job.drv.outputs[name].path
        info = job.store.query_path_info(path)
        if info is None or info.nar_hash == s.nar_hash:
            continue
        message = (f"derivation '{job.drv_path}' may not be deterministic: "
                   f"output '{job.store.physical(path)}' differs")
        if job.settings.keep_failed:
            kept = job.store.physical(path) + CHECK_SUFFIX
            if os.path.lexists(kept):
                remove_tree(kept)
            _move(ws.staged(path), kept)
            message += f" from '{kept}'"
        raise BuildError(message, kind=NOT_DETERMINISTIC)


# --- one derivation ------------------------------------------------------------------------


@dataclass
class BuildJob:
    """One derivation to realise and what it needs from the run.

    goal_outputs  the outputs Nix's goal for this derivation was made for, as
                  Nix 2.8 names the goal in messages (`out`, `dev,out`, `*`)
    check         rebuild valid outputs and compare them with the store's (--check)
    """

    store: Store
    drv_path: str
    drv: Derivation
    settings: BuildSettings
    progress: Progress
    running: RunningProcesses
    goal_outputs: str = "*"
    check: bool = False

    @property
    def goal_name(self) -> str:
        """Nix 2.8's DerivationGoal name: `building of '<drv>!<outputs>' from .drv file`."""
        return f"building of '{self.drv_path}!{self.goal_outputs}' from .drv file"


def _timed_out(job: BuildJob, stop: sandbox.TimedOut) -> BuildError:
    """Nix's error for a build stopped by --timeout or --max-silent-time."""
    if stop.silence:
        return BuildError(f"{job.goal_name} timed out after {job.settings.max_silent_time} seconds of silence",
                          kind=TIMED_OUT)
    return BuildError(f"{job.goal_name} timed out after {job.settings.timeout} seconds", kind=TIMED_OUT)


def _missing_outputs(store: Store, drv: Derivation) -> dict[str, str]:
    return {name: out.path for name, out in drv.outputs.items() if not store.is_valid(out.path)}


def realise(job: BuildJob) -> bool:
    """Build `job.drv` unless its outputs are valid (step 1 onwards); True if it was built here."""
    store, drv = job.store, job.drv
    store.add_temp_roots(out.path for out in drv.outputs.values())  # kept until the result links exist
    if not _missing_outputs(store, drv) and not job.check:
        return False
    with store.lock(out.path for out in drv.outputs.values()):
        missing = _missing_outputs(store, drv)
        if not missing and not job.check:
            return False  # built by another process while we waited for the lock
        for path in missing.values():
            if os.path.lexists(store.physical(path)):
                store.delete_invalid(path)
        _check_platform(job.drv_path, drv)
        _build_locked(job, missing)
    return True


def _build_locked(job: BuildJob, missing: dict[str, str]) -> None:
    store, drv, drv_path = job.store, job.drv, job.drv_path
    input_paths = input_closure(store, drv)
    log = BuildLog(log_file(store, drv_path), functools.partial(job.progress.line, drv_path))
    ws = Workspace(store, drv_path, job.settings.keep_failed)
    failed = True
    job.progress.started(drv_path, checking=job.check)
    try:
        inputs = builder_inputs(drv, sandbox.SANDBOX_BUILD_DIR, job.settings.cores,
                                _exporter(store, input_paths), store.store_dir)
        for file_name, content in inputs.files.items():
            with open(os.path.join(ws.build_dir, file_name), "wb") as f:
                f.write(content)
        _run_builder(job, inputs.env, ws, input_paths, log)
        scanned = _accepted_outputs(store, drv_path, drv, ws, input_paths)
        if job.check:
            _compare_with_store(job, ws, scanned)  # and register nothing, as Nix's --check
        else:
            _install_outputs(store, drv_path, drv, ws, scanned, missing)
        failed = False
    finally:
        log.close()
        kept = ws.close(failed)
        job.progress.done(drv_path)
        if kept:
            job.progress.message(f"note: keeping build directory '{kept}'")


def _run_builder(job: BuildJob, env: dict[str, str], ws: Workspace, input_paths: set[str], log: BuildLog) -> None:
    """Step 3, under the run's time limits: a failure, a timeout or a cancellation raises."""
    limits = sandbox.TimeLimits(job.settings.timeout, job.settings.max_silent_time)
    try:
        if job.drv.builder.startswith(python_builders.PREFIX):
            run_python_builder(job.store, job.drv_path, job.drv, env, ws, input_paths, log, limits)
            return
        status = run_process_builder(job.store, job.drv, env, ws, input_paths, log, job.running, limits)
    except sandbox.TimedOut as stop:
        log.close()
        raise _timed_out(job, stop) from None
    if job.running.cancelled.is_set():
        raise BuildCancelled(job.drv_path)
    if status != 0:
        log.close()
        raise _failure(job.store, job.drv_path, status_text(status), log)


class BuildCancelled(Exception):
    """A build stopped because another one failed (not itself an error to report)."""
