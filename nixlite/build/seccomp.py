"""The seccomp filter Nix puts on builders: no setuid/setgid files, no extended attributes.

Nix (libstore, setupSeccomp) makes `chmod`, `fchmod` and `fchmodat` fail
with EPERM when the new mode has S_ISUID or S_ISGID, and `setxattr`,
`lsetxattr`, `fsetxattr` fail with ENOTSUP: neither can be represented in a
NAR, and a builder must not be able to make setuid programs. A builder that
tries (`chmod 4755 file`) therefore leaves the file as it was — which changes
the output (the executable bit), so nixlite must refuse the same calls to
produce the same NAR as Nix.

The filter is a classic BPF program, assembled here (no libseccomp needed)
and handed to bubblewrap with `--seccomp FD`. Calls of another architecture
than the machine's (e.g. 32-bit compat calls) are allowed, as before.
"""

from __future__ import annotations

import errno
import platform
import struct
from typing import Final

# BPF opcodes (linux/bpf_common.h, linux/filter.h)
_LD_W_ABS: Final = 0x20
_JEQ_K: Final = 0x15
_JSET_K: Final = 0x45
_RET_K: Final = 0x06

_RET_ALLOW: Final = 0x7FFF0000
_RET_ERRNO: Final = 0x00050000
_SETID_BITS: Final = 0o4000 | 0o2000  # S_ISUID | S_ISGID

# seccomp_data: nr at 0, arch at 4, args[i] at 16 + 8*i (low 32 bits first, little-endian)
_NR: Final = 0
_ARCH: Final = 4

# machine -> (AUDIT_ARCH, {chmod-like syscall: index of its mode argument}, xattr-setting syscalls)
_TABLES: Final[dict[str, tuple[int, dict[int, int], tuple[int, ...]]]] = {
    "x86_64": (0xC000003E, {90: 1, 91: 1, 268: 2, 452: 2}, (188, 189, 190)),
    "aarch64": (0xC00000B7, {52: 1, 53: 2, 452: 2}, (5, 6, 7)),
}


def _instruction(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def filter_program(machine: str | None = None) -> bytes | None:
    """The compiled filter for this machine (None where nixlite has no syscall table)."""
    table = _TABLES.get(machine or platform.machine())
    if table is None:
        return None
    arch, chmods, xattrs = table
    # Blocks of (instructions, where their jumps go) are laid out so that the
    # three return instructions come last: ALLOW, EPERM, ENOTSUP.
    body: list[tuple[str, int, int, str | None, str | None]] = [
        ("ld", _ARCH, 0, None, None), ("jeq", arch, 0, None, "allow"), ("ld", _NR, 0, None, None)]
    for nr, arg in chmods.items():
        body += [("jeq", nr, 0, None, f"next{nr}"), ("ld", 16 + 8 * arg, 0, None, None),
                 ("jset", _SETID_BITS, 0, "eperm", "allow"), (f"next{nr}", 0, 0, None, None),
                 ("ld", _NR, 0, None, None)]
    for nr in xattrs:
        body.append(("jeq", nr, 0, "enotsup", None))
    body += [("allow", 0, 0, None, None), ("eperm", 0, 0, None, None), ("enotsup", 0, 0, None, None)]
    return _assemble(body)


def _assemble(body: list[tuple[str, int, int, str | None, str | None]]) -> bytes:
    """Resolve labels into the relative jump offsets BPF uses."""
    labels: dict[str, int] = {}
    index = 0
    for op, *_ in body:
        if op.startswith("next") or op in ("allow", "eperm", "enotsup"):
            labels[op] = index
            if op in ("allow", "eperm", "enotsup"):
                index += 1
        else:
            index += 1
    returns = {"allow": _RET_ALLOW, "eperm": _RET_ERRNO | errno.EPERM, "enotsup": _RET_ERRNO | errno.ENOTSUP}
    out: list[bytes] = []
    for op, k, _, true_label, false_label in body:
        here = len(out)
        if op == "ld":
            out.append(_instruction(_LD_W_ABS, k))
        elif op in ("jeq", "jset"):
            jt = labels[true_label] - here - 1 if true_label else 0
            jf = labels[false_label] - here - 1 if false_label else 0
            out.append(_instruction(_JEQ_K if op == "jeq" else _JSET_K, k, jt, jf))
        elif op in returns:
            out.append(_instruction(_RET_K, returns[op]))
    return b"".join(out)
