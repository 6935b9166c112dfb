"""Nix32: the base-32 encoding Nix uses for hashes in store paths and `--base32`.

The alphabet omits e, o, u and t (to avoid spelling words). A digest is read
as one little-endian integer and printed most significant 5-bit group
first, so the *last* byte of the digest drives the first characters; n bytes
give ceil(8n/5) characters.
"""

from __future__ import annotations

from typing import Final

ALPHABET: Final[str] = "0123456789abcdfghijklmnpqrsvwxyz"
_DIGIT: Final[dict[str, int]] = {c: i for i, c in enumerate(ALPHABET)}


def encoded_length(size: int) -> int:
    """Characters needed for `size` bytes."""
    return (size * 8 - 1) // 5 + 1 if size else 0


# Two characters per 10 bits: half as many Python steps as one per 5.
_PAIRS: Final[tuple[str, ...]] = tuple(a + b for a in ALPHABET for b in ALPHABET)
# For each text length, the shifts of its 10-bit groups, most significant first.
_SHIFTS: dict[int, tuple[int, ...]] = {}


def encode(digest: bytes) -> str:
    """The Nix32 text of `digest`."""
    value = int.from_bytes(digest, "little")
    n = encoded_length(len(digest))
    shifts = _SHIFTS.get(n)
    if shifts is None:
        shifts = _SHIFTS[n] = tuple(range(5 * (n - 2 - n % 2), -1, -10))
    pairs = _PAIRS
    head = ALPHABET[(value >> (5 * (n - 1))) & 31] if n % 2 else ""
    return head + "".join([pairs[(value >> s) & 1023] for s in shifts])


def decode(text: str, size: int) -> bytes:
    """The `size` bytes whose Nix32 text is `text`; ValueError when invalid."""
    if len(text) != encoded_length(size):
        raise ValueError("wrong length")
    value = 0
    for c in text:
        digit = _DIGIT.get(c)
        if digit is None:
            raise ValueError(f"invalid character {c!r}")
        value = (value << 5) | digit
    if value >> (8 * size):  # bits beyond the digest: Nix rejects these too
        raise ValueError("excess bits")
    return value.to_bytes(size, "little")


def is_valid(text: str) -> bool:
    """Whether every character of `text` is in the Nix32 alphabet."""
    return all(c in _DIGIT for c in text)
