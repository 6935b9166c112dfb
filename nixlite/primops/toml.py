"""fromTOML: TOML documents as Nix values (Python's tomllib, Nix's conventions).

Tables become sets, arrays lists, integers integers (clamped to the 64-bit
range, as Nix's parser saturates), floats floats (inf and nan included; too large a literal saturates).
Dates and times are rejected as in Nix ("Dates and times are not supported";
current Nix can return them only behind an experimental feature). Errors read
`while parsing a TOML string: …`.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from nixlite.eval.coerce import force_string_no_ctx
from nixlite.eval.errors import EvalError, hintfmt
from nixlite.eval.values import Attrs
from nixlite.primops.registry import primop

_INT_MIN, _INT_MAX = -2**63, 2**63 - 1


def _toml_float(text: str) -> float:
    """A TOML float; a literal too large for a double saturates (as strtod in Nix's parser)."""
    f = float(text)
    if f in (math.inf, -math.inf) and "inf" not in text:
        return math.copysign(sys.float_info.max, f)
    return f


def _to_nix(v: Any) -> Any:
    t = type(v)
    if t is dict:
        return Attrs({k: _to_nix(v[k]) for k in sorted(v)})
    if t is list:
        return [_to_nix(x) for x in v]
    if t is int:
        return min(max(v, _INT_MIN), _INT_MAX)
    import datetime  # imported here: loading the builtins should not pay for it

    if isinstance(v, (datetime.date, datetime.time)):
        raise EvalError(hintfmt("while parsing a TOML string: {}", "Dates and times are not supported"))
    return v


@primop("fromTOML", 1, global_=True)
def from_toml(s: Any) -> Attrs:
    import tomllib  # imported on first use: loading the builtins should not pay for it

    text = force_string_no_ctx(s)
    try:
        parsed = tomllib.loads(text, parse_float=_toml_float)
    except tomllib.TOMLDecodeError as err:
        raise EvalError(hintfmt("while parsing a TOML string: {}", err)) from None
    return _to_nix(parsed)  # type: ignore[no-any-return]
