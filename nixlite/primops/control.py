"""Control builtins: seq deepSeq throw abort tryEval trace warn traceVerbose addErrorContext break.

`tryEval` catches exactly what Nix catches: `throw` and failed `assert`
(AssertionError_ and its subclass ThrownError); every other error passes
through. Traces go to stderr as `trace: …` (a non-string is printed the way
`nix-instantiate --eval` prints values); `warn` prints `evaluation warning: …`
(current Nix).
"""

from __future__ import annotations

import sys
from typing import Any

from nixlite.eval.coerce import coerce_to_string, force_string
from nixlite.eval.errors import Abort, AssertionError_, NixError, ThrownError, hintfmt
from nixlite.eval.strict import deep_force
from nixlite.eval.values import Attrs, ContextString, Thunk, force
from nixlite.primops.registry import primop


@primop("seq", 2, lazy=(1,))
def seq(a: Any, b: Any) -> Any:
    return force(b)


@primop("deepSeq", 2, lazy=(1,))
def deep_seq(a: Any, b: Any) -> Any:
    deep_force(a)
    return force(b)


@primop("throw", 1, state=True, global_=True)
def throw(state: Any, message: Any) -> Any:
    text, _ = coerce_to_string(state, message)
    raise ThrownError(text)


@primop("abort", 1, state=True, global_=True)
def abort(state: Any, message: Any) -> Any:
    text, _ = coerce_to_string(state, message)
    raise Abort(hintfmt("evaluation aborted with the following error message: '{}'", text))


@primop("tryEval", 1, lazy=(0,))
def try_eval(expr: Any) -> Attrs:
    try:
        value = force(expr)
    except AssertionError_:
        return Attrs({"success": False, "value": False})
    return Attrs({"success": True, "value": value})


def _show(v: Any) -> str:
    if type(v) is str:
        return v
    if type(v) is ContextString:
        return v.s
    from nixlite.eval.printer import print_value

    return print_value(v)


@primop("trace", 2, lazy=(1,))
def trace(message: Any, value: Any) -> Any:
    sys.stderr.write(f"trace: {_show(message)}\n")
    sys.stderr.flush()
    return force(value)


@primop("warn", 2, lazy=(1,))
def warn(message: Any, value: Any) -> Any:
    sys.stderr.write(f"evaluation warning: {force_string(message)}\n")
    sys.stderr.flush()
    return force(value)


@primop("traceVerbose", 2, state=True, lazy=(1,))
def trace_verbose(state: Any, message: Any, value: Any) -> Any:
    if getattr(state, "trace_verbose", False):
        sys.stderr.write(f"trace: {_show(message)}\n")
    return force(value)


@primop("addErrorContext", 2, lazy=(1,))
def add_error_context(context: Any, value: Any) -> Any:
    try:
        return value.force() if type(value) is Thunk else value
    except NixError as err:
        err.add_trace(None, force_string(context))
        raise


@primop("break", 1)
def break_(value: Any) -> Any:
    return value
