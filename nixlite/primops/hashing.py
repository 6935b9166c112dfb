"""Hashing builtins: hashString, hashFile and convertHash.

`hashString` and `hashFile` print base-16 digests of the string's bytes (its
context is ignored) or of the file's contents. `convertHash` (current Nix)
rewrites a hash given in any of Nix's forms into `base16`, `nix32` (alias
`base32`), `base64` or `sri`; parsing is shared with the store side
(`nixlite.store.hashes`), so the error messages are Nix's.
"""

from __future__ import annotations

import hashlib
from typing import Any

from nixlite.eval.coerce import coerce_to_path, force_attrs, force_string_ctx, force_string_no_ctx
from nixlite.eval.errors import EvalError, hintfmt
from nixlite.primops.registry import primop
from nixlite.primops.strings import to_bytes
from nixlite.store.hashes import ALGORITHMS, BadHash, parse_any

_FORMATS = ("base16", "nix32", "base32", "base64", "sri")
# The named constructors: much faster than `hashlib.new(name)` per call.
_HASHERS = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def _algorithm(v: Any) -> str:
    name = force_string_no_ctx(v)
    if name not in ALGORITHMS:
        raise EvalError(hintfmt("unknown hash algorithm '{}'", name)).unpositioned()  # a usage error in Nix
    return name


@primop("hashString", 2)
def hash_string(algo: Any, s: Any) -> str:
    name = algo if type(algo) is str and algo in _HASHERS else _algorithm(algo)
    text = s if type(s) is str else force_string_ctx(s)[0]
    return _HASHERS[name](to_bytes(text)).hexdigest()


@primop("hashFile", 2, state=True)
def hash_file(state: Any, algo: Any, path: Any) -> str:
    name = _algorithm(algo)
    file = coerce_to_path(state, path)
    from nixlite.primops.paths import read_bytes

    return hashlib.new(name, read_bytes(file)).hexdigest()


@primop("convertHash", 1)
def convert_hash(args: Any) -> str:
    args = force_attrs(args)
    if "hash" not in args:
        raise EvalError("attribute 'hash' missing")
    if "toHashFormat" not in args:
        raise EvalError("attribute 'toHashFormat' missing")
    text = force_string_no_ctx(args["hash"])
    algo = _algorithm(args["hashAlgo"]) if "hashAlgo" in args else None
    form = force_string_no_ctx(args["toHashFormat"])
    if form not in _FORMATS:
        raise EvalError(f"unknown hash format '{form}', expect 'base16', 'base32', 'base64', or 'sri'")
    try:
        return parse_any(text, algo).format(form)
    except BadHash as err:
        raise EvalError(str(err)) from None
