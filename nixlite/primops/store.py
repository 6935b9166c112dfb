"""Store builtins: toFile, path, filterSource, storePath, placeholder, and copying sources.

These are the builtins that put things into the store while evaluating, as
Nix does: `toFile` writes a text path, `path`/`filterSource` and string
interpolation of a path (`"${./src}"`, via `copy_path_to_store`) copy a file
or tree under its NAR hash. The Store lives on the evaluator state as
`state.store`, created on first use (so evaluating `1` needs no store); its
root comes from `state.store_root` (the `--store` option) or the default
(`nixlite.store.store.default_root`).
"""

from __future__ import annotations

import contextlib
import os
import stat
from typing import Any, Iterator

from nixlite.eval import builtin_calls
from nixlite.eval.coerce import (
    coerce_to_path_ctx, force_attrs, force_bool, force_string_ctx, force_string_no_ctx,
)
from nixlite.eval.errors import EvalError, NixError, TypeError_, hintfmt, system_error
from nixlite.eval.values import ContextString, force, make_string, type_name
from nixlite.primops.common import call_bool, check_function
from nixlite.primops.registry import primop
from nixlite.store import hashes, paths
from nixlite.store.nar import NarError
from nixlite.store.store import Store, StoreError


def store_of(state: Any) -> Store:
    """The state's Store, created on first use."""
    store = getattr(state, "store", None)
    if store is None:
        root = getattr(state, "store_root", None)
        try:
            store = Store(root, read_only=getattr(state, "read_only_store", False))
        except OSError as exc:
            raise EvalError(f"cannot open the store at '{exc.filename or root}': {exc.strerror}") from None
        except StoreError as exc:
            raise EvalError(str(exc)) from None
        state.store = store
    return store


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """Report store-layer failures (bad hash, bad path name, I/O) as evaluation errors."""
    try:
        yield
    except (hashes.BadHash, paths.BadStorePath, StoreError, NarError) as exc:
        raise EvalError(str(exc)) from None
    except OSError as exc:
        if isinstance(exc, NixError):
            raise
        where = f" '{exc.filename}'" if exc.filename else ""
        raise EvalError(f"cannot access{where}: {exc.strerror}") from None


def _first_missing(path: str) -> str | None:
    """Where resolving the symlinks of `path` fails, as Nix's canonPath(path, true): its first missing prefix."""
    resolved = os.path.realpath(path)
    prefix = ""
    for part in resolved.split("/"):
        if part:
            prefix += "/" + part
            if not os.path.lexists(prefix):
                return prefix
    return None


def copy_path_to_store(state: Any, path: str) -> str:
    """The store path of a source path copied to the store (for `"${./x}"`), cached per state."""
    cache = getattr(state, "_src_to_store", None)
    if cache is None:
        cache = state._src_to_store = {}
    found = cache.get(path)
    if found is not None:
        return found  # type: ignore[no-any-return]
    if paths.is_derivation(path):
        raise EvalError("file names are not allowed to end in '.drv'")
    with store_errors():
        if not os.path.lexists(path):
            raise system_error("getting status of", path, "No such file or directory")
        store_path = _add(state, path, os.path.basename(path), True, None, None)
    cache[path] = store_path
    return store_path


def _add(state: Any, src: str, name: str, recursive: bool, filter: Any, expected: hashes.Hash | None) -> str:
    store = store_of(state)
    if store.read_only:
        return store.compute_path(src, name, recursive, filter)[0]
    return store.add_path(src, name, recursive, filter, expected)


@primop("toFile", 2, state=True)
def to_file(state: Any, name_v: Any, contents_v: Any) -> Any:
    name = force_string_no_ctx(name_v)
    contents, context = force_string_ctx(contents_v)
    refs = set()
    for item in sorted(context):
        if not item.startswith("/"):
            raise EvalError(hintfmt("in 'toFile': the file named '{}' must not contain a reference "
                                    "to a derivation but contains ({})", name, item))
        refs.add(item)
    store = store_of(state)
    with store_errors():
        data = contents.encode("utf-8", "surrogateescape")
        if store.read_only:
            path = paths.make_text_path(name, data, refs, store.store_dir)
        else:
            path = store.add_text(name, data, refs)
    return ContextString(path, frozenset((path,)))


def _filter_function(fn: Any) -> Any:
    """A NAR filter calling the Nix function `fn path type`, which must return a Boolean."""
    def keep(path: str, st: os.stat_result) -> bool:
        mode = st.st_mode
        kind = ("regular" if stat.S_ISREG(mode) else "directory" if stat.S_ISDIR(mode)
                else "symlink" if stat.S_ISLNK(mode) else "unknown")
        return call_bool(fn, make_string(path), kind)

    return keep


def _add_path_value(state: Any, path: str, name: str, filter_fn: Any, recursive: bool,
                    expected: hashes.Hash | None) -> Any:
    try:
        with store_errors():
            if not os.path.lexists(path):
                raise system_error("getting status of", path, "No such file or directory")
            filter = _filter_function(filter_fn) if filter_fn is not None else None
            store = store_of(state)
            if expected is not None:
                want = paths.make_fixed_output_path(name, expected, recursive, store_dir=store.store_dir)
                if store.is_valid(want):
                    return ContextString(want, frozenset((want,)))
            got = _add(state, path, name, recursive, filter, None)
            if expected is not None and got != want:
                raise EvalError(f"store path mismatch in (possibly filtered) path added from '{path}'")
            return ContextString(got, frozenset((got,)))
    except NixError as err:  # (Nix puts this frame at the call)
        raise err.add_trace(builtin_calls.running_primop_pos, hintfmt("while adding path '{}'", path))


_PATH_ARGS = ("path", "name", "filter", "recursive", "sha256")


@primop("path", 1, state=True)
def path_(state: Any, arg: Any) -> Any:
    attrs = force_attrs(arg)
    positions = attrs.positions or {}
    path, name, filter_fn, recursive, expected = "", "", None, True, None
    for key in attrs:
        pos = positions.get(key)
        if key not in _PATH_ARGS:
            raise EvalError(hintfmt("unsupported argument '{}' to 'addPath'", key), pos)
        try:
            if key == "path":
                path, ctx = coerce_to_path_ctx(state, attrs[key])
                if ctx:
                    raise EvalError(hintfmt("string '{}' cannot refer to other paths", path), pos)
            elif key == "name":
                name = force_string_no_ctx(attrs[key])
            elif key == "filter":
                filter_fn = force(attrs[key])
            elif key == "recursive":
                recursive = force_bool(attrs[key])
            else:
                with store_errors():
                    expected = hashes.parse_allow_empty(force_string_no_ctx(attrs[key]), "sha256")
        except NixError as err:
            raise err.at(pos)
    if not path:
        raise EvalError("'path' required")
    return _add_path_value(state, path, name or os.path.basename(path), filter_fn, recursive, expected)


@primop("filterSource", 2, state=True)
def filter_source(state: Any, filter_v: Any, path_v: Any) -> Any:
    path, _ctx = coerce_to_path_ctx(state, path_v)
    fn = force(filter_v)
    try:
        check_function(fn)
    except TypeError_:
        raise TypeError_(hintfmt("first argument in call to 'filterSource' is not a function but {}", type_name(fn)))
    return _add_path_value(state, path, os.path.basename(path), fn, True, None)


@primop("storePath", 1, state=True)
def store_path(state: Any, arg: Any) -> Any:
    path, ctx = coerce_to_path_ctx(state, arg)
    store = store_of(state)
    with store_errors():
        try:
            paths.parse_store_path(path, store.store_dir)
        except paths.BadStorePath:
            missing = _first_missing(path)
            if missing is not None:
                raise system_error("getting status of", missing, "No such file or directory")
            path = os.path.realpath(path)
        if not path.startswith(store.store_dir + "/"):
            raise EvalError(hintfmt("path '{}' is not in the Nix store", path))
        top = paths.to_store_path(path, store.store_dir)
        if not store.read_only and not store.is_valid(top):
            raise EvalError(f"path '{top}' does not exist and cannot be created")
    return ContextString(path, frozenset(ctx | {top}))


@primop("placeholder", 1, global_=True)
def placeholder(output: Any) -> str:
    return paths.placeholder(force_string_no_ctx(output))


__all__ = ["store_of", "store_errors", "copy_path_to_store"]
