"""Checking what a build produced: references, fixed-output hashes, reference constraints.

References are found as Nix finds them: the output's NAR is searched for the
32-character hash part of every path the output could refer to (the input
closure and the derivation's own outputs). Any run of Nix32 characters of
length 32 or more is checked at every offset, across chunk boundaries, so a
hash inside a longer word is found too; the NAR hash and size are computed in
the same pass.

A fixed-output derivation's output is hashed (flat: the file's bytes, which
must be a non-executable regular file; recursive: its NAR) with the declared
algorithm and compared with the declared hash; it must refer to no store path.
`allowedReferences`, `allowedRequisites`, `disallowedReferences` and
`disallowedRequisites` (or, with structured attributes, `outputChecks`) are
enforced with Nix's messages.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from nixlite.build.errors import HASH_MISMATCH, BuildError, build_error
from nixlite.store.derivation import Derivation, DerivationOutput
from nixlite.store.hashes import Hash
from nixlite.store.nar import nar_hash, nar_serialise
from nixlite.store.paths import HASH_CHARS, BadStorePath, hash_part, parse_store_path

_NIX32_RUN = re.compile(rb"[0-9a-df-np-sv-z]{%d,}" % HASH_CHARS)
_SCAN_BLOCK = 1 << 20


@dataclass
class ScannedOutput:
    """An output's NAR sha256 digest and size, and the candidate paths found in it."""

    nar_hash: bytes
    nar_size: int
    references: set[str]


def _hash_parts_in(block: bytes, wanted: Mapping[bytes, str], found: set[str]) -> None:
    for run in _NIX32_RUN.finditer(block):
        text = run.group()
        for i in range(len(text) - HASH_CHARS + 1):
            path = wanted.get(text[i:i + HASH_CHARS])
            if path is not None:
                found.add(path)


def scan_output(physical: str, candidates: Iterable[str]) -> ScannedOutput:
    """Hash the NAR of `physical` and find which `candidates` (store paths) it mentions."""
    wanted = {hash_part(p).encode(): p for p in candidates}
    found: set[str] = set()
    digest = hashlib.sha256()
    size = 0
    pending: list[bytes] = []
    pending_size = 0
    tail = b""
    for chunk in nar_serialise(physical):
        digest.update(chunk)
        size += len(chunk)
        pending.append(chunk)
        pending_size += len(chunk)
        if pending_size >= _SCAN_BLOCK:
            block = tail + b"".join(pending)
            _hash_parts_in(block, wanted, found)
            tail, pending, pending_size = block[-(HASH_CHARS - 1):], [], 0
    _hash_parts_in(tail + b"".join(pending), wanted, found)
    return ScannedOutput(digest.digest(), size, found)


def _flat_file_hash(physical: str, algo: str, out_path: str) -> bytes:
    st = os.lstat(physical)
    if not stat.S_ISREG(st.st_mode) or st.st_mode & stat.S_IXUSR:
        raise BuildError(f"output path '{out_path}' should be a non-executable regular file since "
                         "recursive hashing is not enabled (outputHashMode=flat)")
    h = hashlib.new(algo)
    with open(physical, "rb") as f:
        for block in iter(lambda: f.read(_SCAN_BLOCK), b""):
            h.update(block)
    return h.digest()


def check_fixed_output(drv_path: str, output: DerivationOutput, physical: str, scanned: ScannedOutput) -> None:
    """Compare a fixed output with its declared hash; it must not refer to store paths."""
    recursive = output.hash_algo.startswith("r:")
    algo = output.hash_algo[2:] if recursive else output.hash_algo
    if recursive:
        got = scanned.nar_hash if algo == "sha256" else nar_hash(physical, algo=algo)[0]
    else:
        got = _flat_file_hash(physical, algo, output.path)
    wanted = Hash(algo, bytes.fromhex(output.hash))
    if got != wanted.digest:
        raise build_error(f"hash mismatch in fixed-output derivation '{drv_path}':\n"
                          f"  specified: {wanted.sri()}\n     got:    {Hash(algo, got).sri()}", HASH_MISMATCH)
    if scanned.references:
        refs = sorted(scanned.references)
        raise BuildError(f"fixed-output derivations must not reference store paths: '{drv_path}' "
                         f"references {len(refs)} distinct paths, e.g. '{refs[0]}'")


@dataclass
class OutputChecks:
    """The constraints on one output (Nix's Checks)."""

    allowed_references: list[str] | None = None
    allowed_requisites: list[str] | None = None
    disallowed_references: list[str] | None = None
    disallowed_requisites: list[str] | None = None
    max_size: int | None = None
    max_closure_size: int | None = None
    ignore_self_refs: bool = False


def _string_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise BuildError("attribute in 'outputChecks' must be a list of strings")


def output_checks(drv: Derivation, output: str, structured: dict[str, Any] | None) -> OutputChecks:
    """The checks for `output`: legacy attributes, or `outputChecks.<output>` with structured attrs."""
    if structured is None:
        def attr(name: str) -> list[str] | None:
            return drv.env[name].split() if name in drv.env else None

        return OutputChecks(attr("allowedReferences"), attr("allowedRequisites"),
                            attr("disallowedReferences"), attr("disallowedRequisites"), ignore_self_refs=True)
    spec = (structured.get("outputChecks") or {}).get(output)
    if not isinstance(spec, dict):
        return OutputChecks()
    return OutputChecks(
        _string_list(spec.get("allowedReferences")), _string_list(spec.get("allowedRequisites")),
        _string_list(spec.get("disallowedReferences")), _string_list(spec.get("disallowedRequisites")),
        spec.get("maxSize"), spec.get("maxClosureSize"), bool(spec.get("ignoreSelfRefs", False)))


def _reference_specifiers(drv: Derivation, items: list[str]) -> set[str]:
    """Nix's parseReferenceSpecifiers: store paths, or names of this derivation's outputs."""
    spec: set[str] = set()
    for item in items:
        try:
            spec.add(parse_store_path(item))
        except BadStorePath:
            if item not in drv.outputs:
                raise BuildError(f"derivation contains an illegal reference specifier '{item}'") from None
            spec.add(drv.outputs[item].path)
    return spec


def _check_list(drv: Derivation, path: str, items: list[str] | None, used: set[str], allowed: bool) -> None:
    if items is None:
        return
    spec = _reference_specifiers(drv, items)
    bad = sorted(p for p in used if (p not in spec) == allowed)
    if bad:
        listing = "".join(f"\n  {p}" for p in bad)
        raise build_error(f"output '{path}' is not allowed to refer to the following paths:{listing}")


def enforce_output_checks(drv: Derivation, path: str, references: set[str], nar_size: int,
                          checks: OutputChecks, closure: Callable[[str], set[str]],
                          nar_size_of: Callable[[str], int]) -> None:
    """Raise Nix's BuildError when the output at `path` breaks one of `checks`."""
    if checks.max_size is not None and nar_size > checks.max_size:
        raise BuildError(f"path '{path}' is too large at {nar_size} bytes; limit is {checks.max_size} bytes")
    needs_closure = (checks.allowed_requisites, checks.disallowed_requisites, checks.max_closure_size)
    requisites = closure(path) if any(c is not None for c in needs_closure) else set()
    if checks.max_closure_size is not None:
        total = sum(nar_size_of(p) for p in requisites)
        if total > checks.max_closure_size:
            raise BuildError(f"closure of path '{path}' is too large at {total} bytes; "
                             f"limit is {checks.max_closure_size} bytes")
    if checks.ignore_self_refs:
        requisites = requisites - {path}
    _check_list(drv, path, checks.allowed_references, references, True)
    _check_list(drv, path, checks.allowed_requisites, requisites, True)
    _check_list(drv, path, checks.disallowed_references, references, False)
    _check_list(drv, path, checks.disallowed_requisites, requisites, False)
