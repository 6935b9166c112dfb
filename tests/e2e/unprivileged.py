"""Running the `nixlite` command as an ordinary user from tests that run as root (CI does).

The user is `nobody` (Debian has it; it owns nothing, so whatever it can
read and write is what the test gave it): the command runs under
`setpriv --reuid --regid --clear-groups`, which leaves it no capabilities
and no supplementary groups, with its own HOME and its own store directory.

What it runs is the installed `nixlite` when that user can run it. It often
cannot: a pyenv interpreter lives under root's 0700 home, and a checkout may
sit there too. Then the test gives it a private copy of what `nixlite` needs,
in a temporary directory it can read (`PrivateRuntime`):

- the interpreter (its binary, its shared libpython when it has one, and the
  standard library without site-packages and the test suite) — Python finds
  its prefix from where the binary is, so a copy works in place;
- the distributions nixlite requires (lark, pygments, zlib-ng), copied from
  where the running interpreter imports them;
- nixlite itself laid out as its wheel installs it (pyproject's
  `package-dir`: grammar/ as nixlite.grammar, builtins/ as nixlite.prelude);
- the prelude, the examples and the tests' Nix files, when the checkout is
  unreadable.

Files are hard-linked when they can be (same file system), else copied;
either way nothing of the original is changed. When the tests do not run
as root there is no other user to become: commands then run as the current
user, who is already an ordinary one.
"""

from __future__ import annotations

import importlib.metadata
import os
import pwd
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from dataclasses import dataclass, field

from .e2e_helpers import ROOT

USER = "nobody"
# Parts of the standard library the command never imports, left out of the copy.
STDLIB_SKIPPED = ("site-packages", "dist-packages", "test", "idlelib", "tkinter", "turtledemo", "ensurepip")
# Checkout directories with the Nix files the tests build: the prelude, the examples, the tests' own.
NIX_DIRS = ("builtins", "examples", "tests/e2e/nix")


@dataclass
class Unprivileged:
    """How to run `nixlite` as the ordinary user, and where its files are."""

    uid: int
    gid: int
    home: str
    prefix: list[str]  # argv prefix that runs a program as the user: [setpriv …] (nothing when not root)
    command: list[str]  # the nixlite command it runs
    env: dict[str, str]
    repo: str  # a checkout (or the copy of its Nix files) the user can read
    prelude: str  # the prelude of the nixlite it runs (for -I nixpkgs=…)
    private_copy: bool = False
    workdir: str = ""
    notes: list[str] = field(default_factory=list)

    def run(self, args: list[str], timeout: int = 600) -> subprocess.CompletedProcess:
        """nixlite ARGS, as the user."""
        return self.run_program([*self.command, *args], timeout)

    def run_program(self, argv: list[str], timeout: int = 600) -> subprocess.CompletedProcess:
        """Any program, as the user, in its HOME, with its environment."""
        return subprocess.run([*self.prefix, *argv], capture_output=True, text=True, timeout=timeout,
                              env=self.env, cwd=self.home)

    def make_dir(self, name: str) -> str:
        """A new directory in the work directory, owned by the user."""
        path = os.path.join(self.workdir, name)
        os.mkdir(path, 0o755)
        if os.geteuid() == 0:
            os.chown(path, self.uid, self.gid)
        return path


def as_user(uid: int, gid: int) -> list[str]:
    """The argv prefix that runs a command as uid:gid, with no groups and no capabilities (root only).

    setpriv still holds root's capabilities when it executes the command, so
    it can start an interpreter the user cannot reach (a venv's python3
    linking into root's 0700 home) that the command's own children, such as
    the runAsRoot probe re-executing sys.executable, then cannot: `env`
    executes the command as the user proper.
    """
    if os.geteuid() != 0:
        return []
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--inh-caps=-all", "env"]


def runs_installed_nixlite(prefix: list[str], env: dict[str, str]) -> list[str] | None:
    """The installed `nixlite` command when the user can run it (a tiny evaluation); else None."""
    installed = shutil.which("nixlite")
    if installed is None:
        return None
    proc = subprocess.run([*prefix, installed, "eval", "--expr", "1 + 1"], env=env, capture_output=True, text=True)
    return [installed] if proc.returncode == 0 and proc.stdout.strip() == "2" else None


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def copy_tree(src: str, dst: str, skip: tuple[str, ...] = ()) -> None:
    """`src` copied to `dst` (files hard-linked where possible), top-level names in `skip` left out."""
    ignore = (lambda d, names: [n for n in names if d == src and n in skip]) if skip else None
    shutil.copytree(src, dst, symlinks=True, ignore=ignore, copy_function=_link_or_copy)


def _top_level_names(distribution: str) -> list[str]:
    """The importable top-level names a distribution installs."""
    provided = importlib.metadata.packages_distributions()
    names = sorted(name for name, dists in provided.items()
                   if any(d.lower().replace("_", "-") == distribution.lower() for d in dists))
    if not names:
        raise RuntimeError(f"cannot find what {distribution} installs")
    return names


def required_distributions() -> list[str]:
    """nixlite's run-time requirements (names only), as pyproject.toml lists them."""
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    return [re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0] for spec in project.get("dependencies", [])]


def _package_dirs() -> dict[str, str]:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]["package-dir"]


class PrivateRuntime:
    """A copy of the interpreter, nixlite's requirements and nixlite, under `dest` (see the module docstring)."""

    def __init__(self, dest: str) -> None:
        self.dest = dest
        self.version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        self.stdlib = os.path.join(dest, "lib", self.version)
        self.site = os.path.join(self.stdlib, "site-packages")

    def build(self) -> tuple[list[str], dict[str, str]]:
        """Lay the copy out; the command and the extra environment that run nixlite from it."""
        python, libdir = self._interpreter()
        os.makedirs(self.site)
        for distribution in required_distributions():
            for name in _top_level_names(distribution):
                self._copy_module(name)
        self._copy_nixlite()
        env = {"PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        if libdir:
            env["LD_LIBRARY_PATH"] = libdir  # the binary's RUNPATH names the original libpython
        return [python, "-m", "nixlite.cli"], env

    def _interpreter(self) -> tuple[str, str]:
        """The binary, its libpython (when shared) and the standard library; (binary, its library dir or "")."""
        binary = os.path.realpath(sys.executable)
        os.makedirs(os.path.join(self.dest, "bin"))
        python = _link_or_copy(binary, os.path.join(self.dest, "bin", os.path.basename(binary)))
        copy_tree(sysconfig.get_paths()["stdlib"], self.stdlib, STDLIB_SKIPPED)
        dynload = os.path.join(sysconfig.get_paths()["platstdlib"], "lib-dynload")
        if os.path.isdir(dynload) and not os.path.isdir(os.path.join(self.stdlib, "lib-dynload")):
            copy_tree(dynload, os.path.join(self.stdlib, "lib-dynload"))
        if not sysconfig.get_config_var("Py_ENABLE_SHARED"):
            return python, ""
        soname = sysconfig.get_config_var("INSTSONAME")
        libdir = os.path.join(self.dest, "lib")
        _link_or_copy(os.path.join(sysconfig.get_config_var("LIBDIR"), soname), os.path.join(libdir, soname))
        return python, libdir

    def _copy_module(self, name: str) -> None:
        module = __import__(name)
        path = getattr(module, "__file__", None)
        if path is None:
            raise RuntimeError(f"module {name} has no file to copy")
        if os.path.basename(path) == "__init__.py":
            copy_tree(os.path.dirname(path), os.path.join(self.site, name))
        else:
            _link_or_copy(path, os.path.join(self.site, os.path.basename(path)))

    def _copy_nixlite(self) -> None:
        for package, directory in sorted(_package_dirs().items()):
            target = os.path.join(self.site, *package.split("."))
            copy_tree(os.path.join(ROOT, directory), target, ("__pycache__",))


def _user_ids(name: str) -> tuple[int, int]:
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def _all_readable(prefix: list[str], env: dict[str, str], directory: str) -> bool:
    """Whether the user can read every file below `directory`."""
    proc = subprocess.run([*prefix, "find", directory, "-type", "f", "-exec", "cat", "{}", "+"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc.returncode == 0


def unprivileged_nixlite(workdir: str, name: str = USER) -> Unprivileged:
    """Set up `workdir` (new, under /tmp) so that the ordinary user `name` can run nixlite there."""
    os.chmod(workdir, 0o755)
    uid, gid = _user_ids(name)
    user = Unprivileged(uid=uid, gid=gid, home="", prefix=as_user(uid, gid), command=[], env={}, repo=ROOT,
                        prelude=os.path.join(ROOT, "builtins"), workdir=workdir)
    user.home = user.make_dir("home")
    user.env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": user.home, "LANG": "C.UTF-8",
                "NO_COLOR": "1", "TMPDIR": user.make_dir("tmp"), "PYTHONDONTWRITEBYTECODE": "1"}
    prefix = user.prefix
    installed = runs_installed_nixlite(prefix, user.env)
    if installed is not None:
        user.command = installed
        user.notes.append(f"runs the installed {installed[0]}")
    else:
        runtime = PrivateRuntime(os.path.join(workdir, "runtime"))
        command, extra_env = runtime.build()
        user.command, user.private_copy = command, True
        user.env.update(extra_env)
        user.prelude = os.path.join(runtime.site, "nixlite", "prelude")
        user.notes.append(f"cannot run the installed nixlite; runs a private copy in {runtime.dest}")
    if not all(_all_readable(prefix, user.env, os.path.join(ROOT, d)) for d in NIX_DIRS):
        user.repo = os.path.join(workdir, "repo")
        for directory in NIX_DIRS:
            copy_tree(os.path.join(ROOT, directory), os.path.join(user.repo, directory), ("__pycache__",))
        if not user.private_copy:
            user.prelude = os.path.join(user.repo, "builtins")
        user.notes.append(f"cannot read the checkout's Nix files; copied to {user.repo}")
    return user


def build_as_user(user: Unprivileged, store: str, expression: str, name: str) -> str:
    """`nixlite build FILE -A image` (FILE relative to the checkout) run by the user; the result's physical path."""
    link = os.path.join(user.home, name)
    proc = user.run(["build", os.path.join(user.repo, expression), "-A", "image", "-I", f"nixpkgs={user.prelude}",
                     "--store", store, "-o", link])
    assert proc.returncode == 0, f"{user.notes}\n{proc.stderr[-4000:]}"
    return os.path.realpath(link)
