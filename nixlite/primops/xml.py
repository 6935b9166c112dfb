"""toXML, and the XML printer `nixlite eval --xml` shares with it.

The format is Nix's (`printValueAsXML`): a header, `<expr>`, then one element
per value, indented by two spaces per level — `<int value="1" />`,
`<string value="…" />`, `<attrs>` of `<attr name="…">` in sorted order,
`<list>`, `<function>` with `<varpat name="x" />` or `<attrspat>` listing the
formals, `<derivation drvPath=… outPath=…>` (shown once per drvPath, then
`<repeated />`), `<unevaluated />` for thunks not forced and for builtins.
Attribute values in XML are escaped for `"`, `<`, `>`, `&` and newline only.
With `location` (nix-instantiate --xml) attributes and functions also carry
`column`, `line` and `path`.
"""

from __future__ import annotations

from typing import Any

from nixlite.eval.printer import format_float
from nixlite.eval.values import Attrs, ContextString, Lambda, PathValue, force
from nixlite.primops.registry import primop

_XML_ESCAPES = {'"': "&quot;", "<": "&lt;", ">": "&gt;", "&": "&amp;", "\n": "&#xA;"}


def _escape(s: str) -> str:
    return "".join(_XML_ESCAPES.get(c, c) for c in s) if any(c in _XML_ESCAPES for c in s) else s


class _XmlWriter:
    """Indented XML elements, the way Nix's XMLWriter lays them out."""

    def __init__(self, strict: bool, location: bool) -> None:
        self.lines: list[str] = ["<?xml version='1.0' encoding='utf-8'?>"]
        self.depth = 0
        self.strict = strict
        self.location = location
        self.context: set[str] = set()
        self.drvs_seen: set[str] = set()

    def _tag(self, name: str, attrs: dict[str, str]) -> str:
        text = "".join(f' {k}="{_escape(attrs[k])}"' for k in sorted(attrs))
        return f"{'  ' * self.depth}<{name}{text}"

    def empty(self, name: str, attrs: dict[str, str] | None = None) -> None:
        self.lines.append(self._tag(name, attrs or {}) + " />")

    def open(self, name: str, attrs: dict[str, str] | None = None) -> None:
        self.lines.append(self._tag(name, attrs or {}) + ">")
        self.depth += 1

    def close(self, name: str) -> None:
        self.depth -= 1
        self.lines.append(f"{'  ' * self.depth}</{name}>")

    def pos_attrs(self, attrs: dict[str, str], pos: Any) -> dict[str, str]:
        if self.location and pos is not None:
            from nixlite.eval.compiler import position_file

            attrs.update(column=str(pos.col), line=str(pos.line), path=position_file(pos))
        return attrs


def _print_value(w: _XmlWriter, v: Any) -> None:
    if w.strict:
        v = force(v)
    t = type(v)
    if t is str or t is ContextString:
        if t is ContextString:
            w.context.update(v.context)
        w.empty("string", {"value": v if t is str else v.s})
    elif v is None:
        w.empty("null")
    elif t is bool:
        w.empty("bool", {"value": "true" if v else "false"})
    elif t is int:
        w.empty("int", {"value": str(v)})
    elif t is float:
        w.empty("float", {"value": format_float(v)})
    elif t is PathValue:
        w.empty("path", {"value": v.path})
    elif t is list:
        w.open("list")
        for item in v:
            _print_value(w, item)
        w.close("list")
    elif t is Attrs:
        _print_attrs_value(w, v)
    elif isinstance(v, Lambda):
        _print_lambda(w, v)
    else:  # thunks not forced, builtins
        w.empty("unevaluated")


def _is_derivation(s: Attrs) -> bool:
    t = s.get("type")
    return t is not None and force(t) == "derivation"


def _string_attr(s: Attrs, name: str, strict: bool) -> str | None:
    if name not in s:
        return None
    v = force(s[name]) if strict else s[name]
    return v if type(v) is str else v.s if type(v) is ContextString else None


def _print_attrs_value(w: _XmlWriter, s: Attrs) -> None:
    if not _is_derivation(s):
        w.open("attrs")
        _print_attrs(w, s)
        w.close("attrs")
        return
    attrs: dict[str, str] = {}
    drv_path = _string_attr(s, "drvPath", w.strict)
    if drv_path is not None:
        attrs["drvPath"] = drv_path
    out_path = _string_attr(s, "outPath", w.strict)
    if out_path is not None:
        attrs["outPath"] = out_path
    w.open("derivation", attrs)
    if drv_path and drv_path not in w.drvs_seen:
        w.drvs_seen.add(drv_path)
        _print_attrs(w, s)
    else:
        w.empty("repeated")
    w.close("derivation")


def _print_attrs(w: _XmlWriter, s: Attrs) -> None:
    positions = s.positions or {}
    for name in sorted(s):
        w.open("attr", w.pos_attrs({"name": name}, positions.get(name)))
        _print_value(w, s[name])
        w.close("attr")


def _print_lambda(w: _XmlWriter, fn: Any) -> None:
    node = getattr(getattr(fn, "info", None), "node", None)
    w.open("function", w.pos_attrs({}, getattr(fn, "pos", None)))
    formals = getattr(node, "formals", None)
    arg = getattr(node, "arg", None)
    if formals is not None:
        attrs: dict[str, str] = {}
        if formals.ellipsis:
            attrs["ellipsis"] = "1"
        if arg:
            attrs["name"] = arg
        w.open("attrspat", attrs)
        for name in sorted(f.name for f in formals.formals):
            w.empty("attr", {"name": name})
        w.close("attrspat")
    else:
        w.empty("varpat", {"name": arg or ""})
    w.close("function")


def xml_document(v: Any, *, strict: bool = True, location: bool = False) -> tuple[str, frozenset[str]]:
    """The XML document for `v` and the string context of the strings in it."""
    w = _XmlWriter(strict, location)
    w.open("expr")
    _print_value(w, v)
    w.close("expr")
    return "\n".join(w.lines) + "\n", frozenset(w.context)


def value_to_xml(state: Any, v: Any, *, strict: bool = False, location: bool = True) -> str:
    """What `nix-instantiate --eval --xml` prints (with positions, as Nix does there)."""
    return xml_document(v, strict=strict, location=location)[0]


@primop("toXML", 1)
def to_xml(v: Any) -> Any:
    from nixlite.eval.values import make_string

    text, context = xml_document(v)
    return make_string(text, context)


__all__ = ["value_to_xml", "xml_document"]
