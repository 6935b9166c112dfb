"""Realising a derivation graph: what to build, in which order, how many at once.

Planning walks from the wanted derivations through their inputs. A
derivation whose wanted outputs are all valid is done, and its inputs are
not looked at (as in Nix: a valid output needs nothing else). Everything
else is to be built, its input derivations first; input sources must be
valid already (instantiation put them in the store).

Execution keeps up to `jobs` builds running (threads; a process builder
runs in its own sandboxed process, a Python builder in its thread), starting
a derivation as soon as its inputs are done. When a build fails, no new
build starts and running ones are stopped (Nix without --keep-going; with
it, everything that does not depend on the failure is still built);
derivations that needed the failed one are reported as Nix reports them:
`1 dependencies of derivation '…' failed to build`.

Between processes, per-output locks (`Store.lock`) make a second nixlite
building the same derivation wait and then find the outputs valid.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, TextIO

from nixlite.build.errors import DEPENDENCY_FAILED, GOALS_FAILED, HASH_MISMATCH, BuildError, exit_status
from nixlite.build.settings import BuildSettings
from nixlite.store.derivation import Derivation
from nixlite.store.store import Store, StoreError

# The builder machinery (realise, sandbox, progress, thread pool) is imported
# only once there is something to build: a no-op build never loads it.
if TYPE_CHECKING:
    import concurrent.futures as futures

    from nixlite.build.progress import Progress


class BuildFailure(Exception):
    """One or more builds failed; `errors` holds the messages in the order Nix prints them."""

    def __init__(self, errors: list[BuildError]) -> None:
        super().__init__("\n".join(e.message for e in errors))
        self.errors = errors

    @property
    def hash_mismatch(self) -> bool:
        return any(e.kind == HASH_MISMATCH for e in self.errors)

    @property
    def exit_status(self) -> int:
        """nix-build's exit code for these failures (`nixlite.build.errors.exit_status`)."""
        return exit_status(self.errors)


@dataclass
class Plan:
    """The derivations to build: each with the derivations (also to build) it waits for."""

    drvs: dict[str, Derivation] = field(default_factory=dict)
    waits_for: dict[str, set[str]] = field(default_factory=dict)
    goal_outputs: dict[str, str] = field(default_factory=dict)  # see `_name_goals`
    targets: list[str] = field(default_factory=list)  # the asked-for derivations to build, in order
    checks: set[str] = field(default_factory=set)  # valid ones to rebuild and compare (--check)

    def unchecked_targets(self) -> list[str]:
        """With --check, targets that cannot be checked because outputs are missing (Nix goal order)."""
        return sorted((p for p in self.targets if p not in self.checks), key=_goal_key)

    def order(self) -> list[str]:
        """Dependencies first (for `these N derivations will be built`)."""
        done: list[str] = []
        seen: set[str] = set()

        def visit(path: str) -> None:
            stack = [(path, iter(sorted(self.waits_for[path])))]
            seen.add(path)
            while stack:
                node, deps = stack[-1]
                dep = next(deps, None)
                if dep is None:
                    stack.pop()
                    done.append(node)
                elif dep not in seen:
                    seen.add(dep)
                    stack.append((dep, iter(sorted(self.waits_for[dep]))))

        for path in sorted(self.drvs):
            if path not in seen:
                visit(path)
        return done


def plan_builds(store: Store, targets: Iterable[tuple[str, Iterable[str] | None]], check: bool = False) -> Plan:
    """What must be built for `targets` (drv path, wanted output names or None for all).

    With `check` (nix-build --check), targets whose wanted outputs are valid
    are planned too, to be rebuilt and compared (`plan.checks`); their
    inputs are built as usual when missing, not checked.
    """
    plan = Plan()
    wanted: dict[str, set[str] | None] = {}
    asked = [(p, None if o is None else set(o)) for p, o in targets]
    to_check = {p for p, _ in asked} if check else set()
    todo = list(asked)
    while todo:
        drv_path, outputs = todo.pop()
        if drv_path in plan.drvs:
            continue
        drv = store.read_derivation(drv_path)
        names = set(drv.outputs) if outputs is None else outputs
        for name in names:
            if name not in drv.outputs:
                raise BuildError(f"derivation '{drv_path}' does not have an output named '{name}'")
        store.add_temp_roots(drv.outputs[n].path for n in names)
        if all(store.is_valid(drv.outputs[n].path) for n in names):
            if drv_path not in to_check:
                continue
            plan.checks.add(drv_path)
        wanted[drv_path] = names
        plan.drvs[drv_path] = drv
        plan.waits_for[drv_path] = set()
        for src in drv.input_srcs:
            if not store.is_valid(src):
                raise BuildError(f"path '{src}' is required, but there is no substituter that can build it")
        for input_path, input_outputs in drv.input_drvs.items():
            todo.append((input_path, set(input_outputs)))
    for drv_path, drv in plan.drvs.items():
        plan.waits_for[drv_path] = {p for p in drv.input_drvs if p in plan.drvs}
    _name_goals(plan, asked)
    return plan


def _goal_key(drv_path: str) -> tuple[str, str]:
    """Nix's goal order (Goal::key): by derivation name, then path."""
    return drv_path[len(drv_path.split("-", 1)[0]) + 1:], drv_path


def _name_goals(plan: Plan, targets: list[tuple[str, set[str] | None]]) -> None:
    """Which outputs Nix 2.8 names each derivation's goal after (`…drv!out from .drv file`).

    A goal keeps the outputs it was created for: a target's are those of its
    first mention (`*` when all outputs were asked for); an input's are those
    that the first derivation reaching it wants, reaching level by level in
    Nix's goal order.
    """
    level: list[str] = []
    for drv_path, outputs in targets:
        if drv_path in plan.drvs and drv_path not in plan.goal_outputs:
            plan.goal_outputs[drv_path] = "*" if outputs is None else ",".join(sorted(outputs))
            level.append(drv_path)
    plan.targets = list(level)
    while level:
        reached: list[str] = []
        for drv_path in sorted(level, key=_goal_key):
            for input_path, wanted in sorted(plan.drvs[drv_path].input_drvs.items()):
                if input_path in plan.drvs and input_path not in plan.goal_outputs:
                    plan.goal_outputs[input_path] = ",".join(sorted(wanted))
                    reached.append(input_path)
        level = reached


def _announce(plan: Plan, stream: TextIO) -> None:
    order = [p for p in plan.order() if p not in plan.checks]
    if not order:
        return
    head = "this derivation will be built:" if len(order) == 1 else f"these {len(order)} derivations will be built:"
    stream.write(head + "\n" + "".join(f"  {p}\n" for p in order))
    stream.flush()


class _Execution:
    """The running state of one realisation (see the module docstring)."""

    def __init__(self, store: Store, plan: Plan, settings: BuildSettings, jobs: int, progress: Progress) -> None:
        from nixlite.build.realise import RunningProcesses

        self.store = store
        self.plan = plan
        self.settings = settings
        self.jobs = max(1, jobs)
        self.progress = progress
        self.running = RunningProcesses()
        self.pending = {p: set(deps) for p, deps in plan.waits_for.items()}
        self.errors: list[BuildError] = []
        self.error_of: dict[str, BuildError] = {}
        self.failed: set[str] = set()
        self.succeeded: set[str] = set()

    def run(self) -> None:
        import concurrent.futures as futures

        from nixlite.build.realise import BuildJob, realise

        with futures.ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="nixlite-build") as pool:
            active: dict[futures.Future[bool], str] = {}
            try:
                while True:
                    if not self.errors or self.settings.keep_going:
                        for drv_path in self._ready(len(active)):
                            job = BuildJob(self.store, drv_path, self.plan.drvs[drv_path], self.settings,
                                           self.progress, self.running, self.plan.goal_outputs[drv_path],
                                           check=drv_path in self.plan.checks)
                            active[pool.submit(realise, job)] = drv_path
                    if not active:
                        break
                    finished, _ = futures.wait(active, return_when=futures.FIRST_COMPLETED)
                    for future in finished:
                        self._finish(active.pop(future), future)
            except BaseException:
                self.running.cancel()
                raise
        self._report_dependents()

    def _ready(self, running: int) -> list[str]:
        ready = sorted((p for p, deps in self.pending.items() if not deps), key=_goal_key)  # as Nix starts them
        ready = ready[: self.jobs - running]
        for p in ready:
            del self.pending[p]
        return ready

    def _finish(self, drv_path: str, future: futures.Future[bool]) -> None:
        from nixlite.build.realise import BuildCancelled
        from nixlite.build.sandbox import SandboxUnavailable

        try:
            future.result()
        except BuildCancelled:
            self.failed.add(drv_path)
            return
        except BuildError as err:
            self._failed(drv_path, err)
            return
        except (StoreError, SandboxUnavailable, OSError) as exc:
            self._failed(drv_path, BuildError(f"while building '{drv_path}': {exc}"))
            return
        self.succeeded.add(drv_path)
        for deps in self.pending.values():
            deps.discard(drv_path)

    def _failed(self, drv_path: str, err: BuildError) -> None:
        self.failed.add(drv_path)
        self.errors.append(err)
        self.error_of[drv_path] = err
        if not self.settings.keep_going:
            self.running.cancel()

    def _report_dependents(self) -> None:
        """Nix's `N dependencies of derivation '…' failed to build`, for what could not start."""
        if not self.errors:
            return
        for drv_path in self.plan.order():
            if drv_path not in self.pending:
                continue
            failed_inputs = [p for p in self.plan.waits_for[drv_path] if p in self.failed]
            if failed_inputs:
                self.failed.add(drv_path)
                self.errors.append(BuildError(
                    f"{len(failed_inputs)} dependencies of derivation '{drv_path}' failed to build",
                    kind=DEPENDENCY_FAILED))
                self.error_of[drv_path] = self.errors[-1]

    def reported_errors(self) -> list[BuildError]:
        """The errors in the order nix-build prints them (Nix's Worker and Store::buildPaths).

        An input's failure is printed when it happens. The errors of the
        asked-for derivations that nothing else needs come at the end, in
        goal order, the first of them last; when more than one asked-for
        derivation did not succeed, `build of '…', '…' failed` follows.
        """
        inputs = {p for deps in self.plan.waits_for.values() for p in deps}
        tops = sorted((p for p in self.plan.targets if p not in inputs and p in self.error_of), key=_goal_key)
        top_errors = [self.error_of[p] for p in tops]
        ordered = [e for e in self.errors if all(e is not t for t in top_errors)] + top_errors[1:] + top_errors[:1]
        not_built = sorted(p for p in self.plan.targets if p not in self.succeeded)
        if len(not_built) > 1 or (not_built and not top_errors):
            paths = ", ".join(f"'{p}'" for p in not_built)
            ordered.append(BuildError(f"build of {paths} failed", kind=GOALS_FAILED))
        return ordered


def realise_derivations(store: Store, targets: Iterable[tuple[str, Iterable[str] | None]], *,
                        jobs: int = 1, settings: BuildSettings | None = None,
                        stream: TextIO | None = None, interactive: bool | None = None) -> None:
    """Make the wanted outputs of `targets` valid, building what is missing.

    Raises BuildFailure (after every running build has stopped) when a build fails.
    With `settings.check`, the targets are rebuilt and compared with their valid
    outputs (`nixlite.build.realise`); a target whose outputs are not all valid
    is a BuildError before anything is built, as in Nix.
    """
    stream = stream or sys.stderr
    settings = settings or BuildSettings()
    plan = plan_builds(store, list(targets), check=settings.check)
    if not plan.drvs:
        return
    from nixlite.build.progress import Progress
    from nixlite.build.realise import remove_stale_stages

    remove_stale_stages(store)
    _announce(plan, stream)
    if settings.check and plan.unchecked_targets():
        raise BuildError(f"some outputs of '{plan.unchecked_targets()[0]}' are not valid, "
                         "so checking is not possible")
    progress = Progress(stream, len(plan.drvs), interactive)
    execution = _Execution(store, plan, settings, jobs, progress)
    try:
        execution.run()
    finally:
        progress.close()
    if execution.errors:
        raise BuildFailure(execution.reported_errors())
