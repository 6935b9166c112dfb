"""What a builder is given: its environment and the files Nix puts in its build directory.

This follows Nix's LocalDerivationGoal (initEnv, initTmpDir,
writeStructuredAttrs, the exportReferencesGraph handling):

- PATH=/path-not-set, HOME=/homeless-shelter, NIX_STORE, NIX_BUILD_CORES, then
  every derivation attribute (so a derivation may set PATH or HOME), except
  those named in `passAsFile`, which are written to `.attr-<nix32(sha256(name))>`
  files in the build directory and passed as `<name>Path`;
- NIX_BUILD_TOP, TMPDIR, TEMPDIR, TMP, TEMP and PWD = the build directory
  (`/build` in the sandbox); NIX_OUTPUT_CHECKED=1 for fixed-output
  derivations (with the host's values of the variables named in
  `impureEnvVars`); NIX_LOG_FD=2; TERM=xterm-256color;
- with `__structuredAttrs` (a `__json` attribute), no derivation attribute
  reaches the environment: the attributes, with `outputs` mapping each output
  to its path, are written to `.attrs.json` and, for the shell, as
  `declare` statements to `.attrs.sh`; NIX_ATTRS_JSON_FILE and
  NIX_ATTRS_SH_FILE name them (current Nix; 2.8 set no variable);
- `exportReferencesGraph = [ name path … ]` writes, for each pair, the closure
  of `path` (plus the outputs of any derivation in it) to the file `name`
  in the format of `nix-store --register-validity` (path, empty deriver,
  number of references, references); with structured attributes the
  closure goes into the JSON instead, as `nix path-info --json` shows it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from nixlite.build.errors import BuildError
from nixlite.store import nix32
from nixlite.store.derivation import Derivation
from nixlite.store.paths import DEFAULT_STORE_DIR, BadStorePath, to_store_path

_GRAPH_FILE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_SHELL_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class ExportedPath:
    """The facts about a path that exportReferencesGraph publishes."""

    path: str
    references: list[str]
    nar_hash_nix32: str = ""
    nar_size: int = 0
    closure_size: int = 0
    ca: str | None = None


@dataclass
class BuilderInputs:
    """The environment and the build-directory files (name -> bytes) of one build."""

    env: dict[str, str]
    files: dict[str, bytes] = field(default_factory=dict)


# export(paths) -> the sorted closure (with derivation outputs) as ExportedPath records
ExportFn = Callable[[Iterable[str]], list[ExportedPath]]


def pass_as_file_name(attribute: str) -> str:
    """The file a passAsFile attribute is written to, relative to the build directory."""
    return ".attr-" + nix32.encode(hashlib.sha256(attribute.encode()).digest())


def builder_inputs(drv: Derivation, build_top: str, cores: int, export: ExportFn,
                   store_dir: str = DEFAULT_STORE_DIR) -> BuilderInputs:
    """The environment and build-directory files for `drv` (see the module docstring).

    `build_top` is the build directory as the builder sees it; `export` gives
    the closure records for exportReferencesGraph.
    """
    env: dict[str, str] = {"PATH": "/path-not-set", "HOME": "/homeless-shelter", "NIX_STORE": store_dir,
                           "NIX_BUILD_CORES": str(cores)}
    files: dict[str, bytes] = {}
    structured = _structured_attrs(drv)
    if structured is None:
        passed_as_file = set(drv.env.get("passAsFile", "").split())
        for name, value in drv.env.items():
            if name in passed_as_file:
                file_name = pass_as_file_name(name)
                files[file_name] = value.encode()
                env[name + "Path"] = f"{build_top}/{file_name}"
            else:
                env[name] = value
    for name in ("NIX_BUILD_TOP", "TMPDIR", "TEMPDIR", "TMP", "TEMP", "PWD"):
        env[name] = build_top
    if drv.is_fixed_output:
        env["NIX_OUTPUT_CHECKED"] = "1"
        # Only fixed-output builds may see the host's variables they name.
        for name in drv.env.get("impureEnvVars", "").split():
            env[name] = os.environ.get(name, "")
    env["NIX_LOG_FD"] = "2"
    env["TERM"] = "xterm-256color"
    if structured is None:
        files.update(_reference_graph_files(drv, export, store_dir))
    else:
        attrs = _prepare_structured_attrs(drv, structured, export, store_dir)
        files[".attrs.json"] = _nlohmann_dump(attrs).encode()
        files[".attrs.sh"] = structured_attrs_shell(attrs).encode()
        env["NIX_ATTRS_JSON_FILE"] = f"{build_top}/.attrs.json"
        env["NIX_ATTRS_SH_FILE"] = f"{build_top}/.attrs.sh"
    return BuilderInputs(env, files)


def _structured_attrs(drv: Derivation) -> dict[str, Any] | None:
    text = drv.env.get("__json")
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BuildError(f"cannot process __json attribute: {exc}") from None
    if not isinstance(value, dict):
        raise BuildError("cannot process __json attribute: not a JSON object")
    return value


def _exported_store_path(text: str, store_dir: str) -> str:
    try:
        return to_store_path(text, store_dir)
    except BadStorePath:
        raise BuildError(f"'exportReferencesGraph' contains a non-store path '{text}'") from None


def _reference_graph_files(drv: Derivation, export: ExportFn, store_dir: str) -> dict[str, bytes]:
    spec = drv.env.get("exportReferencesGraph", "")
    tokens = spec.split()
    if len(tokens) % 2:
        raise BuildError(f"odd number of tokens in 'exportReferencesGraph': '{spec}'")
    files: dict[str, bytes] = {}
    for file_name, path_text in zip(tokens[::2], tokens[1::2]):
        if not _GRAPH_FILE_NAME.fullmatch(file_name):
            raise BuildError(f"invalid file name '{file_name}' in 'exportReferencesGraph'")
        records = export([_exported_store_path(path_text, store_dir)])
        files[file_name] = validity_registration(records).encode()
    return files


def validity_registration(records: Iterable[ExportedPath]) -> str:
    """Nix's makeValidityRegistration without derivers and hashes."""
    lines: list[str] = []
    for record in records:
        lines += [record.path, "", str(len(record.references)), *sorted(record.references)]
    return "".join(line + "\n" for line in lines)


def _path_info_json(record: ExportedPath) -> dict[str, Any]:
    """One entry as Nix 2.8's pathInfoToJSON(…, includeImpureInfo=false, showClosureSize=true)."""
    entry: dict[str, Any] = {"path": record.path, "narHash": "sha256:" + record.nar_hash_nix32,
                             "narSize": record.nar_size, "references": sorted(record.references),
                             "closureSize": record.closure_size}
    if record.ca:
        entry["ca"] = record.ca
    return entry


def _prepare_structured_attrs(drv: Derivation, attrs: dict[str, Any], export: ExportFn,
                              store_dir: str) -> dict[str, Any]:
    """Nix's prepareStructuredAttrs: add `outputs`, expand `exportReferencesGraph`."""
    result = dict(attrs)
    result["outputs"] = {name: out.path for name, out in drv.outputs.items()}
    graph = attrs.get("exportReferencesGraph")
    if isinstance(graph, dict):
        for key, paths in graph.items():
            items = paths if isinstance(paths, list) else [paths]
            records = export([_exported_store_path(str(p), store_dir) for p in items])
            result[key] = [_path_info_json(r) for r in records]
    return result


def _nlohmann_dump(value: Any) -> str:
    """JSON as nlohmann::json::dump() writes it: compact, keys sorted, UTF-8 kept."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def shell_escape(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _simple_shell_value(value: Any) -> str | None:
    """Nix's handleSimpleType: strings, integral numbers, null and booleans."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, str):
        return shell_escape(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (not math.isfinite(value) or math.ceil(value) != value):
            return None
        return str(int(value))
    if value is None:
        return "''"
    return None


def structured_attrs_shell(attrs: dict[str, Any]) -> str:
    """Nix's writeStructuredAttrsShell: `declare` lines for what the shell can hold."""
    lines: list[str] = []
    for key in sorted(attrs):
        if not _SHELL_VARIABLE.fullmatch(key):
            continue
        value = attrs[key]
        simple = _simple_shell_value(value)
        if simple is not None:
            lines.append(f"declare {key}={simple}\n")
        elif isinstance(value, list):
            items = [_simple_shell_value(v) for v in value]
            if all(i is not None for i in items):
                lines.append(f"declare -a {key}=({''.join(f'{i} ' for i in items)})\n")
        elif isinstance(value, dict):
            pairs = [(k, _simple_shell_value(v)) for k, v in sorted(value.items())]
            if all(v is not None for _, v in pairs):
                body = "".join(f"[{shell_escape(k)}]={v} " for k, v in pairs)
                lines.append(f"declare -A {key}=({body})\n")
    return "".join(lines)
