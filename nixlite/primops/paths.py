"""File-system builtins: readFile, readFileType, readDir, pathExists, toPath.

They read the real file system (evaluation is impure here, as in
nix-instantiate without --pure-eval). Arguments may be paths or strings
holding absolute paths (`coerce_to_path`). Errors carry the system's message
in Nix's wording, e.g. `opening file '/x': No such file or directory`.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from nixlite.eval.coerce import coerce_to_path
from nixlite.eval.errors import EvalError, hintfmt, syserror_text, system_error
from nixlite.eval.operators import canon_path
from nixlite.eval.values import Attrs
from nixlite.primops.registry import primop
from nixlite.primops.strings import from_bytes


def read_bytes(path: str) -> bytes:
    """The contents of a file, with Nix's error messages."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except IsADirectoryError as err:
        raise EvalError(syserror_text("reading from file", err.strerror)).unpositioned() from None
    except OSError as err:
        raise system_error("opening file", path, err.strerror) from None


@primop("readFile", 1, state=True)
def read_file(state: Any, path: Any) -> str:
    file = coerce_to_path(state, path)
    data = read_bytes(file)
    if b"\0" in data:
        raise EvalError(hintfmt("the contents of the file '{}' cannot be represented as a Nix string", file))
    return from_bytes(data)


def _file_type(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "regular"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "symlink"
    return "unknown"


@primop("readFileType", 1, state=True)
def read_file_type(state: Any, path: Any) -> str:
    file = coerce_to_path(state, path)
    try:
        return _file_type(os.lstat(file).st_mode)
    except OSError as err:
        raise system_error("getting status of", file, err.strerror) from None


@primop("readDir", 1, state=True)
def read_dir(state: Any, path: Any) -> Attrs:
    directory = coerce_to_path(state, path)
    try:
        entries = {e.name: _file_type(e.stat(follow_symlinks=False).st_mode) for e in os.scandir(directory)}
    except OSError as err:
        raise system_error("opening directory", directory, err.strerror) from None
    return Attrs({name: entries[name] for name in sorted(entries)})


@primop("pathExists", 1, state=True)
def path_exists(state: Any, path: Any) -> bool:
    return os.path.lexists(coerce_to_path(state, path))


@primop("toPath", 1, state=True)
def to_path(state: Any, path: Any) -> Any:
    from nixlite.eval.coerce import coerce_to_path_ctx
    from nixlite.eval.values import make_string

    text, ctx = coerce_to_path_ctx(state, path)
    return make_string(canon_path(text), ctx)
