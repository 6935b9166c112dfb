"""The Python builder `builtin:host-tools`: store paths made from host programs.

The prelude's host-tool packages (bash, coreutils, busybox, shadow, …; see
builtins/host-tools.nix) name programs of this machine. This builder copies
each one into `$out/bin` together with the shared libraries it loads into
`$out/lib`, then rewrites its ELF interpreter to `$out/lib/<ld.so>` and its
rpath to `$out/lib` with patchelf, so the program runs wherever /nix/store
is visible — in particular inside an image's root, where the host's /lib and
/usr do not exist.

Derivation attributes (environment strings):
    programs       names under bin/, space-separated
    programPaths   the host paths they are copied from, in the same order
    programHashes  sha256 (hex) of each host file, taken at evaluation time;
                   checked again here, so a binary that changed in between
                   fails the build instead of giving a store path whose
                   contents don't match its derivation
    programLinks   `name=target` symlinks to add in bin/ (gunzip=gzip)
    multiCall      "1" for busybox-style binaries: bin/ also gets one
                   symlink per applet (`<program> --list`)

The rpath is written as DT_RPATH (`--force-rpath`), not DT_RUNPATH: the
dynamic loader uses an executable's DT_RPATH for the libraries' own
dependencies too (libselinux needs libpcre2), which DT_RUNPATH would not do.
The libraries are found with the host's `ldd`; libraries a program opens
later with dlopen (PAM modules, NSS plugins) are not seen and not copied.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess

from nixlite.build.python_builders import BuildContext, BuilderFailed, python_builder

ELF_MAGIC = b"\x7fELF"
# `\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)` or `\t/lib64/ld-linux-x86-64.so.2 (0x…)`
_LDD_RESOLVED = re.compile(r"^\s*(\S+)\s+=>\s+(/\S+)\s+\(0x[0-9a-f]+\)\s*$")
_LDD_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")


@python_builder("host-tools")
def build_host_tools(ctx: BuildContext) -> None:
    """Copy the derivation's host programs and their libraries into $out."""
    programs = _program_table(ctx.env)
    out_logical = ctx.env["out"]
    out = ctx.outputs["out"]
    bin_dir = os.path.join(out, "bin")
    lib_dir = os.path.join(out, "lib")
    os.makedirs(bin_dir)
    os.makedirs(lib_dir)

    libraries: dict[str, str] = {}  # file name in $out/lib -> host path
    interpreters: dict[str, str] = {}  # program name -> host interpreter path
    for name, host_path, digest in programs:
        target = os.path.join(bin_dir, name)
        _copy_checked(host_path, digest, target)
        if _is_elf(target):
            interpreter = _interpreter(target)
            if interpreter:
                interpreters[name] = interpreter
                libraries[os.path.basename(interpreter)] = interpreter
                libraries.update(_needed_libraries(host_path))

    for file_name, host_path in sorted(libraries.items()):
        shutil.copyfile(host_path, os.path.join(lib_dir, file_name))
        os.chmod(os.path.join(lib_dir, file_name), 0o555)

    lib_logical = f"{out_logical}/lib"
    for name, interpreter in sorted(interpreters.items()):
        _patchelf(os.path.join(bin_dir, name), "--set-interpreter",
                  f"{lib_logical}/{os.path.basename(interpreter)}",
                  "--force-rpath", "--set-rpath", lib_logical)

    _make_links(bin_dir, ctx.env.get("programLinks", "").split(), {p[0] for p in programs})
    if ctx.env.get("multiCall") == "1":
        for name, host_path, _ in programs:
            _link_applets(bin_dir, name, host_path)
    if not libraries:
        os.rmdir(lib_dir)
    ctx.log(f"host-tools: {len(programs)} programs, {len(libraries)} libraries")


def _program_table(env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, host path, sha256 hex) per program, checked for consistency."""
    names = env.get("programs", "").split()
    paths = env.get("programPaths", "").split()
    hashes = env.get("programHashes", "").split()
    if not names or not (len(names) == len(paths) == len(hashes)):
        raise BuilderFailed("builtin:host-tools needs programs, programPaths and programHashes "
                            "of equal, non-zero length")
    for name in names:
        if "/" in name or name in (".", ".."):
            raise BuilderFailed(f"builtin:host-tools: bad program name '{name}'")
    for path in paths:
        if not os.path.isabs(path):
            raise BuilderFailed(f"builtin:host-tools: program path '{path}' is not absolute")
    return list(zip(names, paths, hashes))


def _copy_checked(host_path: str, digest: str, target: str) -> None:
    """Copy the file host_path (symlinks followed) to target, checking its sha256."""
    sha = hashlib.sha256()
    try:
        with open(host_path, "rb") as src, open(target, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                sha.update(chunk)
                dst.write(chunk)
    except OSError as exc:
        raise BuilderFailed(f"cannot copy host program '{host_path}': {exc.strerror}") from None
    if sha.hexdigest() != digest:
        raise BuilderFailed(f"host program '{host_path}' changed since evaluation "
                            f"(sha256 {sha.hexdigest()}, expected {digest}); evaluate again")
    os.chmod(target, 0o555)


def _clean_env() -> dict[str, str]:
    """The environment for inspecting host programs: without LD_PRELOAD & co.

    Under faketime (or any preloader) `ldd` would otherwise list the preloaded
    library with an unexpanded `$LIB` path, and copy it into the package.
    """
    return {k: v for k, v in os.environ.items() if not k.startswith("LD_")}


def _is_elf(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == ELF_MAGIC


def _interpreter(path: str) -> str | None:
    """The ELF interpreter (PT_INTERP) of a dynamically linked program, None when static."""
    result = subprocess.run(["patchelf", "--print-interpreter", path], capture_output=True, text=True,
                            env=_clean_env())
    interpreter = result.stdout.strip()
    return interpreter if result.returncode == 0 and interpreter else None


def _needed_libraries(host_path: str) -> dict[str, str]:
    """The shared libraries the host's loader resolves for host_path: file name -> host path."""
    result = subprocess.run(["ldd", host_path], capture_output=True, text=True, env=_clean_env())
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        missing = _LDD_NOT_FOUND.match(line)
        if missing:
            raise BuilderFailed(f"host program '{host_path}' needs {missing.group(1)}, "
                                f"which the host's loader cannot find")
        resolved = _LDD_RESOLVED.match(line)
        if resolved:
            found[resolved.group(1)] = resolved.group(2)
    return found


def _patchelf(path: str, *args: str) -> None:
    os.chmod(path, 0o755)
    try:
        result = subprocess.run(["patchelf", *args, path], capture_output=True, text=True, env=_clean_env())
    except FileNotFoundError:
        raise BuilderFailed("builtin:host-tools needs patchelf on the host (apt-get install patchelf)") from None
    if result.returncode != 0:
        raise BuilderFailed(f"patchelf failed on {os.path.basename(path)}: {result.stderr.strip()}")
    os.chmod(path, 0o555)


def _make_links(bin_dir: str, links: list[str], programs: set[str]) -> None:
    """bin/NAME -> TARGET for each `NAME=TARGET` whose target is one of the programs."""
    for link in links:
        name, sep, target = link.partition("=")
        if not sep or "/" in name or target not in programs:
            raise BuilderFailed(f"builtin:host-tools: bad program link '{link}'")
        if not os.path.lexists(os.path.join(bin_dir, name)):
            os.symlink(target, os.path.join(bin_dir, name))


def _link_applets(bin_dir: str, program: str, host_path: str) -> None:
    """One symlink per applet of a multi-call binary (busybox --list)."""
    result = subprocess.run([host_path, "--list"], capture_output=True, text=True, env=_clean_env())
    if result.returncode != 0:
        raise BuilderFailed(f"'{host_path} --list' failed: cannot list the applets of a multi-call binary")
    for applet in sorted(set(result.stdout.split())):
        if "/" in applet or applet in (".", ".."):
            continue
        link = os.path.join(bin_dir, applet)
        if not os.path.lexists(link):
            os.symlink(program, link)
