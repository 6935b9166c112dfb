"""What `-A a.b.0` and `--arg`/`--argstr` do: Nix's parseAttrPath, autoCallFunction and findAlongAttrPath.

One implementation for every command that selects with `-A` (`nixlite eval`,
`instantiate`, `build`), as Nix has one for nix-instantiate and nix-build:

- `auto_arguments(state, args)` is the `--arg NAME EXPR` (evaluated when
  used) and `--argstr NAME STRING` set.
- `split_attr_path("a.\"b.c\".0")` is `["a", "b.c", "0"]`; an empty name
  between two dots stays (and is an error when selected), a trailing dot
  adds nothing, an unclosed quote is an error.
- `auto_call(value, auto)` calls a function whose argument is a set pattern
  with the `--arg` values it names (all of them with `...`), after applying
  a `__functor`; any other value is returned as it is.
- `select_attr_path(value, path, auto)` auto-calls before each step, then
  takes the attribute or, for a number, the list element.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from nixlite.eval.errors import EvalError, MissingArgumentError, TypeError_, hintfmt
from nixlite.eval.values import Attrs, Thunk, call, force, type_name

# Nix prints the continuation lines of this message indented under "error: ".
_MISSING_ARGUMENT = """cannot evaluate a function that has an argument without a value ('{}')

       Nix attempted to evaluate a function as a top level expression; in
       this case it must have its arguments supplied either by default
       values, or passed explicitly with '--arg' or '--argstr'. See
       https://nixos.org/manual/nix/stable/#ss-functions."""
# string2Int<unsigned int>: what `std::istream >> unsigned` reads whole.
_INDEX = re.compile(r"\+?[0-9]+")


def auto_arguments(state: Any, args: Any) -> Attrs:
    """The `--arg`/`--argstr` values of the command line `args` (see the module docstring)."""
    auto = Attrs()
    for name, text in args.arg:
        auto[name] = Thunk(lambda _env, text=text: state.eval_string(text), None)
    for name, text in args.argstr:
        auto[name] = text
    return auto


def split_attr_path(path: str) -> list[str]:
    """Nix's parseAttrPath (see the module docstring)."""
    parts: list[str] = []
    cur, i = "", 0
    while i < len(path):
        c = path[i]
        if c == ".":
            parts.append(cur)
            cur = ""
        elif c == '"':
            end = path.find('"', i + 1)
            if end == -1:
                raise EvalError(hintfmt("missing closing quote in selection path '{}'", path))
            cur += path[i + 1:end]
            i = end
        else:
            cur += c
        i += 1
    if cur:
        parts.append(cur)
    return parts


def auto_call(value: Any, auto: Mapping[str, Any]) -> Any:
    """Nix's autoCallFunction (see the module docstring)."""
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


def _index(token: str) -> int | None:
    if _INDEX.fullmatch(token):
        n = int(token)
        if n < 2**32:
            return n
    return None


def select_attr_path(value: Any, path: str, auto: Mapping[str, Any]) -> Any:
    """Nix's findAlongAttrPath (see the module docstring); the selected value, forced."""
    for token in split_attr_path(path):
        value = force(auto_call(value, auto))
        index = _index(token)
        if index is not None:
            if type(value) is not list:
                raise TypeError_(hintfmt("the expression selected by the selection path '{}' should be a list "
                                         "but is {}", path, type_name(value)))
            if index >= len(value):
                raise EvalError(hintfmt("list index {} in selection path '{}' is out of range", index, path))
            value = value[index]
            continue
        if type(value) is not Attrs:
            raise TypeError_(hintfmt("the expression selected by the selection path '{}' should be a set "
                                     "but is {}", path, type_name(value)))
        if token == "":
            raise EvalError(hintfmt("empty attribute name in selection path '{}'", path))
        if token not in value:
            from nixlite.eval.suggestions import did_you_mean

            err = EvalError(hintfmt("attribute '{}' in selection path '{}' not found", token, path))
            err.hint = did_you_mean(token, value.keys())
            raise err
        value = value[token]
    return force(value)
