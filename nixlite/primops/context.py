"""String-context builtins: hasContext, getContext, appendContext, and the unsafe ones.

A string's context is a frozenset in Nix's encoding (see `nixlite.eval.values`):
`/nix/store/…` a plain path, `=/nix/store/….drv` a derivation with all its
outputs, `!out!/nix/store/….drv` one output of a derivation. `getContext`
shows it as `{ "<path>" = { path = true; allOutputs = true; outputs = [ … ]; }; }`
(only the fields that hold), and `appendContext` takes the same shape back.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.coerce import (
    coerce_to_string, force_attrs, force_bool, force_list, force_string_ctx, force_string_no_ctx,
)
from nixlite.eval.errors import EvalError, hintfmt
from nixlite.eval.printer import format_attr_name  # Nix prints these names as attribute names
from nixlite.eval.values import Attrs, make_string
from nixlite.primops.registry import primop
from nixlite.store.paths import BadStorePath, parse_store_path


def decode_context(element: str) -> tuple[str, str | None, bool]:
    """(store path, output name or None, whether all outputs) of one context element."""
    if element.startswith("="):
        return element[1:], None, True
    if element.startswith("!"):
        output, _, path = element[1:].partition("!")
        return path, output, False
    return element, None, False


@primop("hasContext", 1)
def has_context(s: Any) -> bool:
    return bool(force_string_ctx(s)[1])


@primop("getContext", 1)
def get_context(s: Any) -> Attrs:
    infos: dict[str, dict[str, Any]] = {}
    for element in sorted(force_string_ctx(s)[1]):
        path, output, all_outputs = decode_context(element)
        info = infos.setdefault(path, {})
        if output is not None:
            info.setdefault("outputs", []).append(output)
        elif all_outputs:
            info["allOutputs"] = True
        else:
            info["path"] = True
    return Attrs({p: Attrs({k: infos[p][k] for k in sorted(infos[p])}) for p in sorted(infos)})


def _is_store_path(path: str) -> bool:
    try:
        parse_store_path(path)
        return True
    except BadStorePath:
        return False


@primop("appendContext", 2)
def append_context(s: Any, ctx: Any) -> Any:
    text, context = force_string_ctx(s)
    added = set(context)
    for path, info in force_attrs(ctx).items():
        if not _is_store_path(path):
            raise EvalError(hintfmt("Context key '{}' is not a store path", format_attr_name(path)))
        info = force_attrs(info)
        if "path" in info and force_bool(info["path"]):
            added.add(path)
        if "allOutputs" in info and force_bool(info["allOutputs"]):
            if not path.endswith(".drv"):
                raise EvalError(hintfmt("Tried to add all-outputs context of {}, "
                                        "which is not a derivation, to a string", format_attr_name(path)))
            added.add("=" + path)
        if "outputs" in info:
            outputs = force_list(info["outputs"])
            if outputs and not path.endswith(".drv"):
                raise EvalError(
                    f"Tried to add derivation output context of {format_attr_name(path)}, "
                    "which is not a derivation, to a string")
            added.update(f"!{force_string_no_ctx(o)}!{path}" for o in outputs)
    return make_string(text, frozenset(added))


@primop("unsafeDiscardStringContext", 1, state=True)
def unsafe_discard_string_context(state: Any, s: Any) -> str:
    return coerce_to_string(state, s)[0]


@primop("unsafeDiscardOutputDependency", 1, state=True)
def unsafe_discard_output_dependency(state: Any, s: Any) -> Any:
    text, context = coerce_to_string(state, s)
    return make_string(text, frozenset(e[1:] if e.startswith("=") else e for e in context))


@primop("addDrvOutputDependencies", 1, state=True)
def add_drv_output_dependencies(state: Any, s: Any) -> Any:
    """Current Nix: a string whose one context element is a .drv path now depends on all its outputs."""
    text, context = coerce_to_string(state, s)
    if len(context) != 1:
        raise EvalError(f"context of string '{text}' must have exactly one element, but has {len(context)}")
    (element,) = context
    path, output, _all = decode_context(element)
    if output is not None:
        raise EvalError("`addDrvOutputDependencies` can only act on derivations, "
                        f"not on a derivation output such as '{output}'")
    if not path.endswith(".drv"):
        raise EvalError(f"path '{path}' is not a derivation")
    return make_string(text, frozenset(("=" + path,)))
