"""Builtins that reach outside the expression: import, scopedImport, findFile, the search path, the environment.

`import` evaluates a file once per evaluation (directories mean
`default.nix`); `<name>` is parsed as `__findFile __nixPath "name"`, so
`findFile` resolves against a list of `{ prefix; path; }` sets, the first
existing match winning. The constants describe this evaluator the way Nix
2.8 describes itself (`nixVersion` "2.8.0", `langVersion` 6) and the target
(`currentSystem` x86_64-linux, `storeDir` /nix/store).
"""

from __future__ import annotations

import os
import time
from typing import Any

from nixlite.eval.coerce import coerce_to_path, force_attrs, force_list, force_string
from nixlite.eval.errors import EvalError, NixError, ThrownError, hintfmt, system_error
from nixlite.eval.values import Attrs, PathValue
from nixlite.primops.registry import constant, primop


def _import_path(state: Any, v: Any) -> str:
    try:
        path = coerce_to_path(state, v)
    except NixError as err:
        from nixlite.eval.functions import primop_call_pos

        pos = primop_call_pos()
        err.at(pos)
        err.add_trace(pos, "while realising the context of a path")
        raise
    if not os.path.exists(path):
        raise system_error("getting status of", path, "No such file or directory")
    if os.path.isdir(path):
        path = os.path.join(path, "default.nix")
        if not os.path.exists(path):
            raise system_error("opening file", path, "No such file or directory")
    return path


@primop("import", 1, state=True, global_=True)
def import_(state: Any, path: Any) -> Any:
    return state.eval_file(_import_path(state, path), imported=True)


@primop("scopedImport", 2, state=True, global_=True)
def scoped_import(state: Any, scope: Any, path: Any) -> Any:
    return state.scoped_import(force_attrs(scope), _import_path(state, path))


@primop("findFile", 2, state=True)
def find_file(state: Any, search_path: Any, name: Any) -> PathValue:
    entries = []
    for item in force_list(search_path):
        entry = force_attrs(item)
        prefix = force_string(entry["prefix"]) if "prefix" in entry else ""
        if "path" not in entry:
            raise EvalError("attribute 'path' missing")
        entries.append((prefix, force_string(entry["path"])))
    wanted = force_string(name)
    found = state.find_file(entries, wanted)
    if found is None:
        # A ThrownError in Nix (tryEval catches it), reported with the call's position.
        err = ThrownError(hintfmt("file '{}' was not found in the Nix search path (add it using $NIX_PATH or -I)", wanted))
        err.positionless = False
        raise err
    return PathValue(found)


def _nix_path(state: Any) -> list[Any]:
    return [Attrs({"path": path, "prefix": prefix}) for prefix, path in state.search_path]


@primop("getEnv", 1)
def get_env(name: Any) -> str:
    return os.environ.get(force_string(name), "")


constant("nixPath", _nix_path, from_state=True)
constant("currentSystem", lambda state: state.system, from_state=True)
constant("storeDir", lambda state: state.store_dir, from_state=True)
constant("currentTime", lambda state: int(time.time()), from_state=True)
constant("nixVersion", "2.8.0")
constant("langVersion", 6)
constant("true", True, global_=True)
constant("false", False, global_=True)
constant("null", None, global_=True)

__all__ = ["import_", "scoped_import", "find_file", "get_env"]
