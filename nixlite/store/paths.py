"""Store paths: how Nix names every object in the store.

A store path is `<storeDir>/<hash>-<name>`, the hash being 32 Nix32
characters (160 bits) derived from a *fingerprint*:

    <type>:sha256:<hex digest>:<storeDir>:<name>

folded to 20 bytes by XOR (compressHash) after hashing with sha256. The
type says what kind of object it is and which store paths it refers to:

    text[:<ref>…]          builtins.toFile and .drv files (digest: sha256 of the text)
    source[:<ref>…]        added sources and recursive-sha256 fixed outputs (digest: NAR sha256)
    output:<outputName>    derivation outputs (digest: hashDerivationModulo) and
                           other fixed outputs (digest: sha256 of "fixed:out:…")

Names follow Nix's rules (at most 211 characters from `[A-Za-z0-9+-._?=]`;
Nix 2.8 accepts a leading '.'); a bad name is an error in Nix's words.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final, Iterable

from nixlite.store import nix32
from nixlite.store.hashes import Hash, compress_hash

DEFAULT_STORE_DIR: Final[str] = "/nix/store"
HASH_CHARS: Final[int] = 32
MAX_NAME_LENGTH: Final[int] = 211
_NAME_CHARS: Final[frozenset[str]] = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+-._?=")

_VALID_NAME: Final[re.Pattern[str]] = re.compile(r"[0-9a-zA-Z+\-._?=]+")


class BadStorePath(Exception):
    """An invalid store path or store path name (Nix's BadStorePath); the message is Nix's."""


def check_name(name: str, shown: str | None = None) -> None:
    """Raise BadStorePath unless `name` is a valid store path name.

    `shown` is what the message calls the path (Nix shows `<hash>-<name>`).
    """
    shown = shown if shown is not None else name
    if not name:
        raise BadStorePath(f"store path '{shown}' has an empty name")
    if len(name) > MAX_NAME_LENGTH:
        raise BadStorePath(f"store path '{shown}' has a name longer than {MAX_NAME_LENGTH} characters")
    if _VALID_NAME.fullmatch(name):  # the common case, in one C call
        return
    for c in name:
        if c not in _NAME_CHARS:
            raise BadStorePath(f"store path '{shown}' contains illegal character '{c}'")


def make_type(kind: str, references: Iterable[str] = (), self_reference: bool = False) -> str:
    """The type part of a fingerprint: kind, then ':' + each reference in sorted order."""
    parts = [kind, *sorted(references)]
    if self_reference:
        parts.append("self")
    return ":".join(parts)


def make_store_path(kind: str, digest: bytes, name: str, store_dir: str = DEFAULT_STORE_DIR) -> str:
    """Nix's makeStorePath for a sha256 `digest` (see the module docstring)."""
    fingerprint = f"{kind}:sha256:{digest.hex()}:{store_dir}:{name}"
    part = nix32.encode(compress_hash(hashlib.sha256(fingerprint.encode("utf-8", "surrogateescape")).digest(), 20))
    check_name(name, f"{part}-{name}")
    return f"{store_dir}/{part}-{name}"


def make_text_path(name: str, text: bytes, references: Iterable[str] = (),
                   store_dir: str = DEFAULT_STORE_DIR) -> str:
    """The path of a text object (toFile, .drv) with these contents and references."""
    return make_store_path(make_type("text", references), hashlib.sha256(text).digest(), name, store_dir)


def make_source_path(name: str, nar_sha256: bytes, references: Iterable[str] = (),
                     store_dir: str = DEFAULT_STORE_DIR) -> str:
    """The path of an added source tree whose NAR has this sha256."""
    return make_store_path(make_type("source", references), nar_sha256, name, store_dir)


def make_fixed_output_path(name: str, hash: Hash, recursive: bool, references: Iterable[str] = (),
                           store_dir: str = DEFAULT_STORE_DIR) -> str:
    """Nix's makeFixedOutputPath: the path of content with a known hash."""
    if recursive and hash.algo == "sha256":
        return make_source_path(name, hash.digest, references, store_dir)
    inner = f"fixed:out:{'r:' if recursive else ''}{hash.algo}:{hash.digest.hex()}:"
    return make_store_path("output:out", hashlib.sha256(inner.encode()).digest(), name, store_dir)


def output_path_name(drv_name: str, output: str) -> str:
    """An output's path name: the derivation name, plus `-<output>` unless it is `out`."""
    return drv_name if output == "out" else f"{drv_name}-{output}"


def make_output_path(output: str, hash_modulo: bytes, drv_name: str,
                     store_dir: str = DEFAULT_STORE_DIR) -> str:
    """The path of an input-addressed derivation output."""
    return make_store_path("output:" + output, hash_modulo, output_path_name(drv_name, output), store_dir)


def base_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def hash_part(path: str) -> str:
    """The 32-character hash part of a store path."""
    return base_name(path)[:HASH_CHARS]


def name_part(path: str) -> str:
    """The name of a store path (after `<hash>-`)."""
    return base_name(path)[HASH_CHARS + 1:]


def parse_store_path(path: str, store_dir: str = DEFAULT_STORE_DIR) -> str:
    """Check that `path` is directly a store path (`<storeDir>/<hash>-<name>`) and return it."""
    if not path.startswith(store_dir + "/"):
        raise BadStorePath(f"path '{path}' is not in the Nix store")
    base = path[len(store_dir) + 1:]
    if "/" in base:
        raise BadStorePath(f"path '{path}' is not a store path")
    if len(base) < HASH_CHARS + 1 or base[HASH_CHARS] != "-" or not nix32.is_valid(base[:HASH_CHARS]):
        raise BadStorePath(f"path '{path}' is not a valid store path")
    check_name(base[HASH_CHARS + 1:], base)
    return path


def to_store_path(path: str, store_dir: str = DEFAULT_STORE_DIR) -> str:
    """The store path containing `path` (`/nix/store/x-y/bin/sh` → `/nix/store/x-y`)."""
    if not path.startswith(store_dir + "/"):
        raise BadStorePath(f"path '{path}' is not in the Nix store")
    base = path[len(store_dir) + 1:].split("/", 1)[0]
    return parse_store_path(f"{store_dir}/{base}", store_dir)


def is_derivation(path: str) -> bool:
    return path.endswith(".drv")


def placeholder(output: str) -> str:
    """builtins.placeholder: `/` + Nix32 of sha256("nix-output:<output>")."""
    return "/" + nix32.encode(hashlib.sha256(f"nix-output:{output}".encode()).digest())
