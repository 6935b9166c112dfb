"""Store derivations: the ATerm `.drv` format and how output paths are computed.

A derivation is written as one ATerm line, every list sorted (args keep
their order):

    Derive([("out","/nix/store/…-x","",""),…],          outputs: name, path, hashAlgo, hash
           [("/nix/store/…-y.drv",["out"]),…],          input derivations and the outputs used
           ["/nix/store/…-src",…],                      input sources
           "x86_64-linux","/bin/sh",["-c","…"],         platform, builder, args
           [("name","x"),("out","/nix/store/…-x"),…])   environment

Output paths come from `hash_derivation_modulo`, which hashes the ATerm with
each input derivation replaced by *its* hash modulo (so that changing how a
fixed-output input is fetched doesn't change anything downstream): a
fixed-output derivation hashes to sha256("fixed:out:<algo>:<hex>:<path>");
any other to sha256 of its ATerm with input .drv paths replaced by the hex of
their hashes modulo. For a new derivation the output paths are computed from
the *masked* ATerm, in which output paths and the matching environment
variables are empty strings.
"""

from __future__ import annotations

import hashlib
import re
from itertools import chain
from dataclasses import dataclass, field
from typing import Callable, Iterable

from nixlite.store.hashes import Hash
from nixlite.store.paths import (
    DEFAULT_STORE_DIR, make_fixed_output_path, make_output_path, make_text_path,
)


class BadDerivation(Exception):
    """A .drv file that is not a valid ATerm derivation."""


@dataclass
class DerivationOutput:
    """One output as in the ATerm: path, and for fixed outputs `r:sha256` + hex hash."""

    path: str
    hash_algo: str = ""
    hash: str = ""

    @property
    def is_fixed(self) -> bool:
        return bool(self.hash)


@dataclass
class Derivation:
    outputs: dict[str, DerivationOutput]
    input_drvs: dict[str, set[str]]
    input_srcs: set[str]
    platform: str
    builder: str
    args: list[str]
    env: dict[str, str]
    name: str = field(default="", compare=False)

    def to_aterm(self, input_drvs: dict[str, set[str]] | None = None, mask_outputs: bool = False) -> str:
        """The ATerm text; `input_drvs` replaces the inputs (hashDerivationModulo)."""
        inputs = self.input_drvs if input_drvs is None else input_drvs
        return _derive(self._outputs_text(mask_outputs), _inputs_text(inputs), self._middle_text(),
                       self._env_text(mask_outputs))

    def _outputs_text(self, mask: bool) -> str:
        items = sorted(self.outputs.items())
        q = _q if not _plain([f"{name}{o.path}{o.hash_algo}{o.hash}" for name, o in items]) else _bare
        return ",".join([f'({q(name)},{q("" if mask else o.path)},{q(o.hash_algo)},{q(o.hash)})'
                         for name, o in items])

    def _middle_text(self) -> str:
        """Input sources, platform, builder and arguments: the same in every variant of the text."""
        return f"{_list(sorted(self.input_srcs))},{_q(self.platform)},{_q(self.builder)},{_list(self.args)}"

    def _env_text(self, mask: bool) -> str:
        env = self.env
        if mask:  # output paths, and the variables holding them, are empty in the masked text
            env = {**env, **dict.fromkeys(self.outputs, "")}
        keys = sorted(env)
        if _plain(keys) and _plain(env.values()):  # nothing to escape: no call per string
            return ",".join([f'("{k}","{env[k]}")' for k in keys])
        return ",".join([f"({_q(k)},{_q(env[k])})" for k in keys])

    @property
    def is_fixed_output(self) -> bool:
        return len(self.outputs) == 1 and "out" in self.outputs and self.outputs["out"].is_fixed

    def references(self) -> set[str]:
        """What the .drv file refers to: input sources and input derivations."""
        return set(self.input_srcs) | set(self.input_drvs)

    @staticmethod
    def parse(text: str, name: str = "") -> "Derivation":
        return _Parser(text).derivation(name)


_ESCAPES = str.maketrans({'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def aterm_bytes(text: str) -> bytes:
    """The bytes of ATerm text (Nix strings are bytes: invalid UTF-8 is held as surrogate escapes)."""
    return text.encode("utf-8", "surrogateescape")


def _derive(outputs: str, inputs: str, middle: str, env: str) -> str:
    return f"Derive([{outputs}],[{inputs}],{middle},[{env}])"


def _inputs_text(inputs: dict[str, set[str]]) -> str:
    items = sorted(inputs.items())
    if all(inputs.values()) and _plain(inputs) and _plain(chain.from_iterable(inputs.values())):  # the common case
        return ",".join([f'("{p}",["{_COMMA.join(sorted(outputs))}"])' for p, outputs in items])
    return ",".join([f"({_q(p)},{_list(sorted(outputs))})" for p, outputs in items])


_SPECIAL = re.compile(r'["\\\n\r\t]')  # the characters ATerm strings escape


def _plain(strings: Iterable[str]) -> bool:
    """Whether no string needs escaping (one scan over all of them)."""
    return not _SPECIAL.search("".join(strings))


_COMMA = '","'  # between the strings of a list that needs no escaping


def _bare(s: str) -> str:
    """`_q` of a string known to need no escaping."""
    return f'"{s}"'


def _q(s: str) -> str:
    if not ('"' in s or "\\" in s or "\n" in s or "\r" in s or "\t" in s):  # the common case
        return '"' + s + '"'
    return '"' + s.translate(_ESCAPES) + '"'


def _list(items: list[str]) -> str:
    if not items:
        return "[]"
    if _plain(items):
        return '["' + _COMMA.join(items) + '"]'
    return "[" + ",".join([_q(s) for s in items]) + "]"


# Regular expressions for the common case of the reader: a whole list matched
# and split by C code. What they refuse is read again by the step-by-step
# reader, which accepts the same language and words the error.
_STR = r'"([^"\\]*(?:\\.[^"\\]*)*)"'  # a string, its content captured
_STR_NC = _STR.replace("(", "(?:", 1)  # the same without the capture


def _list_of(element: str) -> re.Pattern[str]:
    return re.compile(rf"\[((?:{element}(?:,{element})*)?)\]", re.S)


_STRING = re.compile(_STR, re.S)
_STRINGS = _list_of(_STR_NC)
_OUTPUT = re.compile(rf"\({_STR},{_STR},{_STR},{_STR}\)", re.S)
_OUTPUTS = _list_of(rf"\({_STR_NC},{_STR_NC},{_STR_NC},{_STR_NC}\)")
_INPUT = re.compile(rf"\({_STR},\[((?:{_STR_NC}(?:,{_STR_NC})*)?)\]\)", re.S)
_INPUTS = _list_of(rf"\({_STR_NC},\[(?:{_STR_NC}(?:,{_STR_NC})*)?\]\)")
_PAIR = re.compile(rf"\({_STR},{_STR}\)", re.S)
_PAIRS = _list_of(rf"\({_STR_NC},{_STR_NC}\)")
_ESCAPED = re.compile(r"\\(.)", re.S)
_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t"}


def _unquote(s: str) -> str:
    """A captured string's characters (`\\n`, `\\r`, `\\t` as Nix writes them; `\\c` is c)."""
    if "\\" not in s:
        return s
    return _ESCAPED.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(1)), s)


class _Parser:
    """A strict reader of the ATerm subset Nix writes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def expect(self, s: str) -> None:
        if not self.text.startswith(s, self.i):
            raise BadDerivation(f"expected '{s}' at offset {self.i} of derivation")
        self.i += len(s)

    def peek(self, s: str) -> bool:
        return self.text.startswith(s, self.i)

    def whole_list(self, pattern: re.Pattern[str]) -> str | None:
        """The inside of a list `pattern` matches here (moving past it), else None."""
        m = pattern.match(self.text, self.i)
        if m is None:
            return None
        self.i = m.end()
        return m.group(1)

    def string(self) -> str:
        m = _STRING.match(self.text, self.i)
        if m is None:
            if self.peek('"'):
                raise BadDerivation("unterminated string in derivation")
            raise BadDerivation(f"expected '\"' at offset {self.i} of derivation")
        self.i = m.end()
        return _unquote(m.group(1))

    def strings(self) -> list[str]:
        inside = self.whole_list(_STRINGS)
        if inside is None:
            return self.items(self.string)
        return [_unquote(s) for s in _STRING.findall(inside)]

    def items(self, item: Callable[[], object]) -> list:  # type: ignore[type-arg]
        self.expect("[")
        result = []
        while not self.peek("]"):
            if result:
                self.expect(",")
            result.append(item())
        self.expect("]")
        return result

    def outputs(self) -> dict[str, DerivationOutput]:
        inside = self.whole_list(_OUTPUTS)
        if inside is None:
            return dict(self.items(self.output))
        return {_unquote(name): DerivationOutput(_unquote(path), _unquote(algo), _unquote(h))
                for name, path, algo, h in _OUTPUT.findall(inside)}

    def output(self) -> tuple[str, DerivationOutput]:
        self.expect("(")
        name = self.string()
        self.expect(",")
        path = self.string()
        self.expect(",")
        algo = self.string()
        self.expect(",")
        h = self.string()
        self.expect(")")
        return name, DerivationOutput(path, algo, h)

    def input_drvs(self) -> dict[str, set[str]]:
        inside = self.whole_list(_INPUTS)
        if inside is None:
            return dict(self.items(self.input_drv))
        return {_unquote(path): {_unquote(o) for o in _STRING.findall(outputs)}
                for path, outputs in _INPUT.findall(inside)}

    def input_drv(self) -> tuple[str, set[str]]:
        self.expect("(")
        path = self.string()
        self.expect(",")
        outs = set(self.strings())
        self.expect(")")
        return path, outs

    def env(self) -> dict[str, str]:
        inside = self.whole_list(_PAIRS)
        if inside is None:
            return dict(self.items(self.pair))
        return {_unquote(k): _unquote(v) for k, v in _PAIR.findall(inside)}

    def pair(self) -> tuple[str, str]:
        self.expect("(")
        k = self.string()
        self.expect(",")
        v = self.string()
        self.expect(")")
        return k, v

    def derivation(self, name: str) -> Derivation:
        self.expect("Derive(")
        outputs = self.outputs()
        self.expect(",")
        input_drvs = self.input_drvs()
        self.expect(",")
        input_srcs = set(self.strings())
        self.expect(",")
        platform = self.string()
        self.expect(",")
        builder = self.string()
        self.expect(",")
        args = self.strings()
        self.expect(",")
        env = self.env()
        self.expect(")")
        if self.i != len(self.text):
            raise BadDerivation("trailing data after derivation")
        return Derivation(outputs, input_drvs, input_srcs, platform, builder, args, env, name)


def fixed_output_hash_modulo(drv: Derivation) -> bytes:
    out = drv.outputs["out"]
    return hashlib.sha256(f"fixed:out:{out.hash_algo}:{out.hash}:{out.path}".encode()).digest()


def hash_derivation_modulo(drv: Derivation, read_drv: Callable[[str], bytes | Derivation],
                           mask_outputs: bool = False) -> bytes:
    """Nix's hashDerivationModulo.

    `read_drv(path)` gives, for an input .drv path, either its hash modulo
    (bytes, e.g. from a cache) or the parsed Derivation (hashed recursively).
    """
    if drv.is_fixed_output:
        return fixed_output_hash_modulo(drv)
    return hashlib.sha256(aterm_bytes(drv.to_aterm(_replaced_inputs(drv, read_drv), mask_outputs))).digest()


def _replaced_inputs(drv: Derivation, read_drv: Callable[[str], bytes | Derivation]) -> dict[str, set[str]]:
    """The input derivations keyed by the hex of their hashes modulo (outputs merged on a clash)."""
    replaced: dict[str, set[str]] = {}
    for path, outputs in drv.input_drvs.items():
        got = read_drv(path)
        key = (got if type(got) is bytes else hash_derivation_modulo(got, read_drv)).hex()
        # The sets are only read: shared unless two inputs have the same hash modulo.
        replaced[key] = replaced[key] | outputs if key in replaced else outputs
    return replaced


def fill_output_paths(drv: Derivation, read_drv: Callable[[str], bytes | Derivation],
                      store_dir: str = DEFAULT_STORE_DIR) -> None:
    """Set the output paths (and their environment variables) of a new input-addressed derivation."""
    masked = hash_derivation_modulo(drv, read_drv, mask_outputs=True)
    for output in drv.outputs:
        path = make_output_path(output, masked, drv.name, store_dir)
        drv.outputs[output] = DerivationOutput(path)
        drv.env[output] = path


def instantiate(drv: Derivation, read_drv: Callable[[str], bytes | Derivation],
                store_dir: str = DEFAULT_STORE_DIR) -> tuple[str, bytes]:
    """A new derivation's ATerm and hash modulo, its output paths filled first unless fixed.

    The same as `fill_output_paths`, `to_aterm()` and `hash_derivation_modulo`
    one after the other, but the parts common to the three texts (masked,
    final, and with inputs replaced) are written once.
    """
    middle = drv._middle_text()
    if drv.is_fixed_output:
        final = _derive(drv._outputs_text(False), _inputs_text(drv.input_drvs), middle, drv._env_text(False))
        return final, fixed_output_hash_modulo(drv)
    replaced = _inputs_text(_replaced_inputs(drv, read_drv))
    masked = _derive(drv._outputs_text(True), replaced, middle, drv._env_text(True))
    masked_hash = hashlib.sha256(aterm_bytes(masked)).digest()
    for output in drv.outputs:
        path = make_output_path(output, masked_hash, drv.name, store_dir)
        drv.outputs[output] = DerivationOutput(path)
        drv.env[output] = path
    outputs, env = drv._outputs_text(False), drv._env_text(False)
    final = _derive(outputs, _inputs_text(drv.input_drvs), middle, env)
    return final, hashlib.sha256(aterm_bytes(_derive(outputs, replaced, middle, env))).digest()


def fixed_output(name: str, hash: Hash, recursive: bool, store_dir: str = DEFAULT_STORE_DIR) -> DerivationOutput:
    """The `out` of a fixed-output derivation."""
    path = make_fixed_output_path(name, hash, recursive, store_dir=store_dir)
    return DerivationOutput(path, ("r:" if recursive else "") + hash.algo, hash.digest.hex())


def derivation_path(drv: Derivation, store_dir: str = DEFAULT_STORE_DIR, aterm: str | None = None) -> str:
    """The .drv path: a text path named `<name>.drv` referring to the inputs."""
    text = drv.to_aterm() if aterm is None else aterm
    return make_text_path(drv.name + ".drv", aterm_bytes(text), drv.references(), store_dir)
