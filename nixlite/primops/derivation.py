"""`derivationStrict` (and the global `derivation`): from attributes to a .drv in the store.

derivationStrict turns a set of attributes into a store derivation the way
Nix's primop does, so that drvPath, every outPath and the .drv text equal
nix-instantiate's:

- Attributes are processed in name order. `args` gives the builder's
  arguments; every other attribute becomes an environment variable by Nix's
  coercion (strings as is, integers in decimal, true → "1", false and null →
  "", lists space-joined, paths copied to the store, derivations → outPath).
  With `__structuredAttrs = true` they all go, as JSON (toJSON's printer), into `__json`
  instead; `__ignoreNulls = true` drops null attributes.
- `builder`, `system`, `outputs`, `outputHash`, `outputHashAlgo` and
  `outputHashMode` are also read for themselves.
- The string context of everything coerced says what the derivation depends
  on: a plain path is an input source; `!out!x.drv` is output `out` of input
  derivation x.drv; `=x.drv` (a drvPath used as a string) brings in the whole
  closure of x.drv, every derivation in it with all its outputs.
- A fixed-output derivation (`outputHash`) has its output path from the hash;
  any other gets its output paths from hashDerivationModulo of the masked
  derivation (`nixlite.store.derivation`).

The `derivation` users call is written in Nix (derivation.nix beside this
file), as in Nix; it is registered here as a global whose value is that file.
"""

from __future__ import annotations

import os
import re
from typing import Any

from nixlite.eval import builtin_calls
from nixlite.eval.coerce import coerce_to_string, force_attrs, force_bool, force_list, force_string_no_ctx
from nixlite.eval.errors import EvalError, NixError, hintfmt
from nixlite.eval.values import Attrs, ContextString, Thunk, force
from nixlite.primops.common import missing_attr
from nixlite.primops.registry import constant, primop
from nixlite.primops.store import store_errors, store_of
from nixlite.primops.json import json_string, to_json
from nixlite.store import hashes
from nixlite.store.derivation import (
    Derivation, DerivationOutput, derivation_path, fixed_output, instantiate,
)
from nixlite.store.paths import is_derivation, parse_store_path

DERIVATION_NIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "derivation.nix")

# Attributes that are read for their own meaning as well as passed on.
_SPECIAL = ("builder", "system", "outputHash", "outputHashAlgo", "outputHashMode", "outputs")


class _Collected:
    """What the attribute loop gathers besides the environment."""

    def __init__(self) -> None:
        self.context: set[str] = set()
        self.special: dict[str, Any] = {}
        self.outputs: list[str] = ["out"]


@primop("derivationStrict", 1, state=True, global_=True)
def derivation_strict(state: Any, arg: Any) -> Attrs:
    attrs = force_attrs(arg)
    positions = attrs.positions or {}
    if "name" not in attrs:
        raise missing_attr("name", "derivationStrict", attrs)
    name_pos = positions.get("name")
    try:
        drv_name = force_string_no_ctx(attrs["name"])
    except NixError as err:
        raise err.add_trace(name_pos, "while evaluating the derivation attribute 'name'")
    drv = Derivation({}, {}, set(), "", "", [], {}, drv_name)
    got = _process_attributes(state, attrs, drv, drv_name, name_pos)
    _add_inputs(state, drv, got.context)
    _check_required(drv, drv_name, name_pos)
    with store_errors():
        _set_outputs(state, drv, got, name_pos)
        return _write(state, drv)


def _process_attributes(state: Any, attrs: Attrs, drv: Derivation, drv_name: str, name_pos: Any) -> _Collected:
    positions = attrs.positions or {}
    structured = "__structuredAttrs" in attrs and force_bool(attrs["__structuredAttrs"])
    ignore_nulls = "__ignoreNulls" in attrs and force_bool(attrs["__ignoreNulls"])
    got = _Collected()
    json_attrs: dict[str, str] = {}
    for key in sorted(attrs):
        if key == "__ignoreNulls":
            continue
        value = attrs[key]
        try:
            if ignore_nulls and force(value) is None:
                continue
            if key in ("__contentAddressed", "__impure"):  # flags, never passed to the builder
                if force_bool(value):
                    feature = "ca-derivations" if key == "__contentAddressed" else "impure-derivations"
                    raise EvalError(hintfmt("experimental Nix feature '{}' is disabled; "
                                            "use '--extra-experimental-features {}' to override", feature, feature)
                                    ).unpositioned()  # (Nix's MissingExperimentalFeature has none)
            elif key == "args":
                for item in force_list(value):
                    try:
                        drv.args.append(_coerce(state, item, got.context))
                    except NixError as err:  # Nix coerces arguments at the name's position
                        raise err.at(name_pos)
            elif structured:
                if key != "__structuredAttrs":
                    json_attrs[key] = _attribute_json(state, value, got.context)
                    try:
                        _read_special_structured(state, key, value, got, name_pos)
                    except NixError as err:  # Nix checks these at the name's position
                        raise err.at(name_pos)
            else:
                s = _coerce(state, value, got.context)
                drv.env[key] = s
                _read_special(key, s, got, name_pos)
        except NixError as err:
            raise err.at(positions.get(key)).add_trace(
                name_pos, hintfmt("while evaluating the attribute '{}' of the derivation '{}'", key, drv_name))
    if structured:
        drv.env["__json"] = "{" + ",".join(f"{json_string(k)}:{v}" for k, v in json_attrs.items()) + "}"
    drv.builder = got.special.get("builder", "")
    drv.platform = got.special.get("system", "")
    return got


def _attribute_json(state: Any, value: Any, context: set[str]) -> str:
    """An attribute's JSON for `__json` (Nix's printValueAsJSON, strict, paths copied)."""
    out: list[str] = []
    try:
        # Nix passes derivationStrict's call position down to its JSON printer.
        to_json(state, value, out, context, pos=builtin_calls.running_primop_pos)
    except EvalError as err:
        # Nix points at a function that cannot be converted, where it knows its position.
        raise err.at(getattr(force(value), "pos", None))
    return "".join(out)


def _coerce(state: Any, value: Any, context: set[str]) -> str:
    s, ctx = coerce_to_string(state, value, copy_to_store=True, coerce_more=True)
    context |= ctx
    return s


def _read_special(key: str, s: str, got: _Collected, name_pos: Any) -> None:
    if key == "outputHashMode":
        _check_hash_mode(s, name_pos)
    elif key == "outputs":
        got.outputs = _check_outputs(_tokenize(s), name_pos)
    if key in _SPECIAL:
        got.special[key] = s


def _tokenize(s: str) -> list[str]:
    """Nix's tokenizeString: split on space, tab, newline and carriage return only."""
    return [t for t in re.split("[ \t\n\r]+", s) if t]


def _read_special_structured(state: Any, key: str, value: Any, got: _Collected, name_pos: Any) -> None:
    if key == "builder":
        got.special[key] = _coerce_plain_string(value, got.context)
    elif key == "outputs":
        names = [force_string_no_ctx(v) for v in force_list(value)]
        got.outputs = _check_outputs(names, name_pos)
    elif key in _SPECIAL:
        s = force_string_no_ctx(value)
        if key == "outputHashMode":
            _check_hash_mode(s, name_pos)
        got.special[key] = s


def _coerce_plain_string(value: Any, context: set[str]) -> str:
    from nixlite.eval.coerce import force_string_ctx

    s, ctx = force_string_ctx(value)
    context |= ctx
    return s


def _check_hash_mode(s: str, name_pos: Any) -> None:
    if s not in ("recursive", "flat"):
        raise EvalError(hintfmt("invalid value '{}' for 'outputHashMode' attribute", s), name_pos)


def _check_outputs(names: list[str], name_pos: Any) -> list[str]:
    seen: list[str] = []
    for n in names:
        if n in seen:
            raise EvalError(hintfmt("duplicate derivation output '{}'", n), name_pos)
        if n == "drv":
            raise EvalError("invalid derivation output name 'drv'", name_pos)
        seen.append(n)
    if not seen:
        raise EvalError("derivation cannot have an empty set of outputs", name_pos)
    return seen


def _add_inputs(state: Any, drv: Derivation, context: set[str]) -> None:
    """String context → input derivations and input sources (see the module docstring)."""
    store = None
    for item in sorted(context):
        if item.startswith("="):
            store = store or store_of(state)
            for path in _closure(store, item[1:]):
                drv.input_srcs.add(path)
                if is_derivation(path):
                    drv.input_drvs.setdefault(path, set()).update(store.read_derivation(path).outputs)
        elif item.startswith("!"):
            output, _, drv_path = item[1:].partition("!")
            drv.input_drvs.setdefault(drv_path, set()).add(output)
        else:
            with store_errors():
                drv.input_srcs.add(parse_store_path(item))


def _closure(store: Any, path: str) -> set[str]:
    """The closure of a store path; derivations known only in memory (read-only) count too."""
    seen: set[str] = set()
    todo = [path]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        if store.is_valid(p):
            todo.extend(store.references(p))
        elif is_derivation(p):
            todo.extend(store.read_derivation(p).references())
    return seen


def _check_required(drv: Derivation, drv_name: str, name_pos: Any) -> None:
    if not drv.builder:
        raise EvalError("required attribute 'builder' missing", name_pos)
    if not drv.platform:
        raise EvalError("required attribute 'system' missing", name_pos)
    if is_derivation(drv_name):
        raise EvalError(hintfmt("derivation names are not allowed to end in '{}'", ".drv"), name_pos)


def _set_outputs(state: Any, drv: Derivation, got: _Collected, name_pos: Any) -> None:
    output_hash = got.special.get("outputHash")
    if output_hash is not None:
        if got.outputs != ["out"]:
            raise EvalError("multiple outputs are not supported in fixed-output derivations", name_pos)
        algo_name = got.special.get("outputHashAlgo", "")
        algo = algo_name if algo_name in hashes.ALGORITHMS else None
        h = hashes.parse_allow_empty(output_hash, algo)
        recursive = got.special.get("outputHashMode", "flat") == "recursive"
        out = fixed_output(drv.name, h, recursive)
        drv.outputs["out"] = out
        drv.env["out"] = out.path
        return
    for output in got.outputs:
        drv.outputs[output] = DerivationOutput("")


def _write(state: Any, drv: Derivation) -> Attrs:
    """Fill the output paths, write the .drv (kept in memory only when read-only), return the attributes."""
    store = store_of(state)
    aterm, hash_modulo = instantiate(drv, store.hash_modulo, store.store_dir)
    drv_path = store.write_derivation(drv, aterm=aterm) if not store.read_only else _remember(store, drv, aterm)
    store.remember_hash_modulo(drv_path, hash_modulo)
    result = Attrs()
    result["drvPath"] = ContextString(drv_path, frozenset(("=" + drv_path,)))
    for name, out in sorted(drv.outputs.items()):
        result[name] = ContextString(out.path, frozenset((f"!{name}!{drv_path}",)))
    return result


def _remember(store: Any, drv: Derivation, aterm: str) -> str:
    path = derivation_path(drv, store.store_dir, aterm)
    store.remember_derivation(path, drv)
    return path


# Nix names its built-in derivation.nix this way in positions (and shows no snippet for it).
DERIVATION_NIX_SHOWN_AS = "//builtin/derivation.nix"


def _derivation_value(state: Any) -> Thunk:
    """The global `derivation`: the function derivation.nix evaluates to (evaluated when first used)."""

    def evaluate(_env: Any) -> Any:
        with open(DERIVATION_NIX, encoding="utf-8") as f:
            text = f.read()
        return state.eval_string(text, file=DERIVATION_NIX_SHOWN_AS, base_dir=os.path.dirname(DERIVATION_NIX))

    return Thunk(evaluate, None)


constant("derivation", _derivation_value, from_state=True, global_=True)
