"""From a file and `-A`/`--arg` options to derivations, as nix-instantiate and nix-build select them.

Shared by `nixlite instantiate` and `nixlite build`:

- `add_selection_arguments(parser)` adds FILE, `-E`, `-A`, `--arg`, `--argstr`,
  `-I`, `--store`, `--show-trace`.
- `evaluate_selection(args)` evaluates the file, auto-calls a function with
  formals using the `--arg`/`--argstr` values (Nix's autoCallFunction), follows
  each `-A` attribute path (`a.b.0`), and returns the state and the values.
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

from nixlite.eval.errors import EvalError, MissingArgumentError, TypeError_
from nixlite.eval.values import Attrs, Thunk, call, force

# Nix prints the continuation lines of this message indented under "error: ".
_MISSING_ARGUMENT = """cannot evaluate a function that has an argument without a value ('{}')

       Nix attempted to evaluate a function as a top level expression; in
       this case it must have its arguments supplied either by default
       values, or passed explicitly with '--arg' or '--argstr'. See
       https://nixos.org/manual/nix/stable/#ss-functions."""
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


def _auto_args(state: Any, args: argparse.Namespace) -> Attrs:
    auto = Attrs()
    for name, expr in args.arg:
        auto[name] = Thunk(lambda _env, e=expr: state.eval_string(e), None)
    for name, value in args.argstr:
        auto[name] = value
    return auto


def auto_call(value: Any, auto: Attrs) -> Any:
    """Nix's autoCallFunction: call a function taking a set with the matching --arg values."""
    value = force(value)
    if type(value) is Attrs and "__functor" in value:
        return auto_call(call(value["__functor"], value), auto)
    formals = getattr(value, "formals", None)
    if formals is None:
        return value
    declared = formals() if callable(formals) else formals
    if declared is None:
        return value
    info = getattr(value, "info", None)
    ellipsis = bool(getattr(info, "ellipsis", False))
    for name, has_default in declared.items():
        if name not in auto and not has_default:
            formal_pos = (getattr(info, "formal_positions", None) or {}).get(name)
            raise MissingArgumentError(_MISSING_ARGUMENT.format(name), formal_pos or getattr(value, "pos", None))
    passed = Attrs({k: v for k, v in auto.items() if ellipsis or k in declared})
    return call(value, passed)


def select_attr_path(value: Any, path: str, auto: Attrs) -> Any:
    """Follow `a.b.0` (Nix's findAlongAttrPath), auto-calling functions on the way."""
    value = auto_call(value, auto)
    if not path:
        return value
    for i, part in enumerate(path.split(".")):
        if not part:
            raise EvalError(f"empty attribute name in selection path '{path}'")
        v = force(value)
        if part.isdigit() and type(v) is list:
            if int(part) >= len(v):
                raise EvalError(f"list index {part} in selection path '{path}' is out of range")
            value = auto_call(v[int(part)], auto)
        elif type(v) is Attrs:
            if part not in v:
                from nixlite.eval.suggestions import did_you_mean

                err = EvalError(f"attribute '{part}' in selection path '{path}' not found")
                err.hint = did_you_mean(part, v.keys())
                raise err
            value = auto_call(v[part], auto)
        else:
            expected = "a list" if part.isdigit() else "a set"
            raise TypeError_(f"the expression selected by the selection path '{path}' should be "
                             f"{expected} but is {_type(v)}")
    return force(value)


def _type(v: Any) -> str:
    from nixlite.eval.values import type_name

    return type_name(v)


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
    auto = _auto_args(state, args)
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
