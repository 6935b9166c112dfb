"""Hashes as Nix parses and prints them: algorithms, the four text forms, SRI.

Nix accepts a hash as base16, Nix32 or base64 text (told apart by length for
the algorithm), optionally prefixed `algo:`, or in SRI form `algo-<base64>`;
the algorithm comes from the prefix or from context and both must agree.
The error messages are Nix's (libutil/hash.cc), since users see them from
`outputHash`, `builtins.path { sha256 }` and `convertHash`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Final

from nixlite.store import nix32

ALGORITHMS: Final[dict[str, int]] = {"md5": 16, "sha1": 20, "sha256": 32, "sha512": 64}


class BadHash(Exception):
    """A hash that cannot be parsed (Nix's BadHash); the message is Nix's."""


def parse_algorithm(name: str) -> str:
    """Check a hash algorithm name (`unknown hash algorithm 'x'` otherwise)."""
    if name not in ALGORITHMS:
        raise BadHash(f"unknown hash algorithm '{name}'")
    return name


def base16_length(algo: str) -> int:
    return ALGORITHMS[algo] * 2


def base32_length(algo: str) -> int:
    return nix32.encoded_length(ALGORITHMS[algo])


def base64_length(algo: str) -> int:
    return ((4 * ALGORITHMS[algo] // 3) + 3) & ~3


@dataclass(frozen=True)
class Hash:
    """A digest with its algorithm."""

    algo: str
    digest: bytes

    @staticmethod
    def of_bytes(algo: str, data: bytes) -> "Hash":
        return Hash(algo, hashlib.new(algo, data).digest())

    def base16(self) -> str:
        return self.digest.hex()

    def nix32(self) -> str:
        return nix32.encode(self.digest)

    def base64(self) -> str:
        return base64.b64encode(self.digest).decode()

    def sri(self) -> str:
        return f"{self.algo}-{self.base64()}"

    def format(self, form: str, with_algo: bool = False) -> str:
        """Text in `form` (base16, nix32/base32, base64, sri); `algo:` prefix on request."""
        if form == "sri":
            return self.sri()
        body = {"base16": self.base16, "nix32": self.nix32, "base32": self.nix32, "base64": self.base64}[form]()
        return f"{self.algo}:{body}" if with_algo else body


def _split_algorithm(text: str) -> tuple[str | None, str, bool]:
    """(algorithm from a prefix or None, rest, whether SRI)."""
    if ":" in text:
        algo, rest = text.split(":", 1)
        return parse_algorithm(algo), rest, False
    if "-" in text:
        algo, rest = text.split("-", 1)
        return parse_algorithm(algo), rest, True
    return None, text, False


def _decode_body(rest: str, algo: str, is_sri: bool) -> bytes:
    size = ALGORITHMS[algo]
    if not is_sri and len(rest) == base16_length(algo):
        try:
            return bytes.fromhex(rest) if all(c in "0123456789abcdefABCDEF" for c in rest) else _bad16(rest)
        except ValueError:
            return _bad16(rest)
    if not is_sri and len(rest) == base32_length(algo):
        try:
            return nix32.decode(rest, size)
        except ValueError:
            raise BadHash(f"invalid base-32 hash '{rest}'") from None
    if is_sri or len(rest) == base64_length(algo):
        try:
            digest = base64.b64decode(rest, validate=True)
        except (binascii.Error, ValueError):
            raise BadHash(f"invalid {'SRI' if is_sri else 'base-64'} hash '{rest}'") from None
        if len(digest) != size:
            raise BadHash(f"invalid {'SRI' if is_sri else 'base-64'} hash '{rest}'")
        return digest
    raise BadHash(f"hash '{rest}' has wrong length for hash type '{algo}'")


def _bad16(rest: str) -> bytes:
    raise BadHash(f"invalid base-16 hash '{rest}'")


def parse_any(text: str, algo: str | None = None) -> Hash:
    """Nix's Hash::parseAny: any of the forms, algorithm from the text or `algo`."""
    parsed_algo, rest, is_sri = _split_algorithm(text)
    if parsed_algo is None and algo is None:
        raise BadHash(f"hash '{rest}' does not include a type, nor is the type otherwise known from context")
    if parsed_algo is not None and algo is not None and parsed_algo != algo:
        raise BadHash(f"hash '{text}' should have type '{algo}'")
    final_algo = parsed_algo or algo
    assert final_algo is not None
    return Hash(final_algo, _decode_body(rest, final_algo, is_sri))


def parse_allow_empty(text: str, algo: str | None) -> Hash:
    """Nix's newHashAllowEmpty: an empty hash means all zeros (with a warning in Nix)."""
    if not text:
        if algo is None:
            raise BadHash("empty hash requires explicit hash type")
        return Hash(algo, bytes(ALGORITHMS[algo]))
    return parse_any(text, algo)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def compress_hash(digest: bytes, size: int) -> bytes:
    """Nix's compressHash: fold `digest` into `size` bytes by XOR."""
    folded = 0
    for start in range(0, len(digest), size):  # XOR whole blocks as integers
        folded ^= int.from_bytes(digest[start:start + size].ljust(size, b"\0"), "big")
    return folded.to_bytes(size, "big")
