"""From a file and `-A`/`--arg` options to derivations, as nix-instantiate and nix-build select them.

Shared by `nixlite instantiate` and `nixlite build`:

- `add_selection_arguments(parser)` adds FILE, `-E`, `-A`, `--arg`, `--argstr`,
  `-I`, `--store`, `--show-trace`.
- `evaluate_selection(args)` evaluates the file, auto-calls a function with
  formals using the `--arg`/`--argstr` values (Nix's autoCallFunction), follows
  each `-A` attribute path (`a.b.0`; both in attr_path.py), and returns the
  state and the values.
- `find_derivations(value)` is Nix's getDerivations: a derivation itself; the
  derivations among a set's attributes (in name order, recursing only into
  sets with `recurseForDerivations = true`); a list's elements.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass
from typing import Any, Iterator

from nixlite.commands.attr_path import auto_arguments, auto_call, select_attr_path
from nixlite.eval.errors import EvalError, TypeError_
from nixlite.eval.values import Attrs, force

_ATTR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9\-_+]*")


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default=None, help="the Nix file (default ./default.nix), or - for stdin")
    parser.add_argument("-E", "--expr", dest="expr", default=None, help="evaluate this expression instead of a file")
    parser.add_argument("-A", "--attr", dest="attrs", action="append", default=[], help="attribute path to select")
    parser.add_argument("--arg", nargs=2, action="append", default=[], metavar=("NAME", "EXPR"))
    parser.add_argument("--argstr", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    parser.add_argument("-I", dest="include", action="append", default=[], help="add a search path entry")
    parser.add_argument("--store", dest="store_root", default=None, help="the physical root of the store")
    parser.add_argument("--show-trace", action="store_true")


def make_state(args: argparse.Namespace) -> Any:
    """An EvalState for these options, its store at `--store` (else the default root)."""
    import gc

    from nixlite.eval import functions
    from nixlite.eval.state import EvalState

    # As `nixlite eval` does: evaluation makes many small long-lived objects,
    # so cycles are collected less often than Python's default.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)

    functions.set_trace_calls(args.show_trace)
    state = EvalState(search_path=list(args.include))
    state.store_root = args.store_root
    return state


def evaluate_selection(args: argparse.Namespace) -> tuple[Any, list[Any], Attrs]:
    """Evaluate FILE/-E and return (state, the selected values, the auto-call arguments)."""
    from nixlite import diagnostics

    state = make_state(args)
    if args.expr is not None:
        diagnostics.register_source("«string»", args.expr)
        root = state.eval_string(args.expr)
    elif args.file == "-":
        import sys

        text = sys.stdin.read()
        diagnostics.register_source("«stdin»", text)
        root = state.eval_string(text, file="«stdin»")
    else:
        root = state.eval_file(os.path.abspath(args.file or "default.nix"))
    auto = auto_arguments(state, args)
    values = [select_attr_path(root, path, auto) for path in (args.attrs or [""])]
    return state, values, auto


@dataclass
class Selected:
    """A derivation found in the result: its attribute set and where it was found."""

    attrs: Attrs
    attr_path: str


def is_derivation_value(v: Any) -> bool:
    v = force(v)
    if type(v) is not Attrs or "type" not in v:
        return False
    t = force(v["type"])
    return (t if type(t) is str else getattr(t, "s", None)) == "derivation"


def find_derivations(value: Any, auto: Attrs | None = None) -> list[Selected]:
    """Nix's getDerivations (see the module docstring)."""
    found: list[Selected] = []
    _collect(value, "", auto or Attrs(), found, set(), top=True)
    return found


def _take(v: Any, path: str, found: list[Selected], done: set[int]) -> bool:
    """Add `v` when it is a derivation; True when the caller should look inside instead."""
    v = force(v)
    if not is_derivation_value(v):
        return True
    if id(v) not in done:
        done.add(id(v))
        if "name" not in v:
            raise EvalError("derivation name missing")
        found.append(Selected(v, path))
    return False


def _collect(value: Any, prefix: str, auto: Attrs, found: list[Selected], done: set[int], top: bool) -> None:
    v = force(auto_call(value, auto))
    if not _take(v, prefix, found, done):
        return
    if type(v) is Attrs:
        for name in sorted(v):
            if not _ATTR_NAME.fullmatch(name):
                continue
            path = f"{prefix}.{name}" if prefix else name
            if _take(v[name], path, found, done):
                child = force(v[name])
                if type(child) is Attrs and "recurseForDerivations" in child and force(child["recurseForDerivations"]) is True:
                    _collect(child, path, auto, found, done, top=False)
    elif type(v) is list:
        for n, item in enumerate(v):
            path = f"{prefix}.{n}" if prefix else str(n)
            if _take(item, path, found, done):
                _collect(item, path, auto, found, done, top=False)
    else:
        raise TypeError_("expression does not evaluate to a derivation (or a set or list of those)")


def register_written(state: Any) -> None:
    """Register the .drv files evaluation wrote so far (the store defers it, to batch it)."""
    store = getattr(state, "store", None)
    if store is not None:
        store.flush_registrations()


def drv_path_of(selected: Selected) -> str:
    """The derivation's drvPath (forcing it writes the .drv files)."""
    from nixlite.eval.coerce import coerce_to_string

    s, _ = coerce_to_string(None, selected.attrs["drvPath"], copy_to_store=False)
    return s


def output_name_of(selected: Selected) -> str:
    v = selected.attrs.get("outputName")
    if v is None:
        return ""
    from nixlite.eval.coerce import force_string

    return force_string(v)


def selected_outputs(values: list[Any], auto: Attrs) -> Iterator[tuple[str, str]]:
    """(drv path, output name) of each derivation the selected values name, in order, lazily.

    Lazily because `instantiate` prints each path as soon as its .drv is written,
    as nix-instantiate does (an error in a later derivation comes after).
    """
    for value in values:
        for found in find_derivations(value, auto):
            drv_path = drv_path_of(found)
            output = output_name_of(found)
            if not output:
                raise EvalError(f"derivation '{drv_path}' lacks an 'outputName' attribute")
            yield drv_path, output
