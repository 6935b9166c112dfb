"""`nixlite eval`: evaluate and print, as `nix-instantiate --eval` does.

    nixlite eval FILE | - | -E EXPR  [--strict] [--json | --xml] [-A attr.path]…
                 [--arg name EXPR] [--argstr name VALUE] [-I path | -I name=path] [--show-trace]

For every input and every `-A` path (the whole value when none is given) one
line is printed. Selecting along a path auto-calls functions on the way with
the `--arg`/`--argstr` arguments, and so does printing the final value when
any were given (Nix's `autoCallFunction`). Everything heavy is imported
inside `run`, so that `nixlite eval -E 1` starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from nixlite.commands.attr_path import auto_arguments, auto_call, select_attr_path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", help="files to evaluate ('-' for stdin), or expressions with -E")
    # `-E EXPR` takes the expression as its value (so `-E 1 -E 2` works with
    # argparse); any further arguments are expressions too, as in Nix.
    parser.add_argument("-E", "--expr", nargs="?", action="append", const=None, default=None, metavar="EXPR",
                        help="interpret the arguments as Nix expressions")
    parser.add_argument("--eval", action="store_true", help="accepted for compatibility with nix-instantiate")
    parser.add_argument("--strict", action="store_true", help="evaluate the result fully")
    # As in nix-instantiate, the last of --json and --xml counts.
    parser.add_argument("--json", dest="output", action="store_const", const="json", default="nix",
                        help="print the result as JSON")
    parser.add_argument("--xml", dest="output", action="store_const", const="xml", help="print the result as XML")
    parser.add_argument("-A", "--attr", action="append", default=[], help="select an attribute path")
    parser.add_argument("--arg", nargs=2, action="append", default=[], metavar=("NAME", "EXPR"))
    parser.add_argument("--argstr", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    parser.add_argument("-I", dest="include", action="append", default=[], help="add a search path entry")
    parser.add_argument("--show-trace", action="store_true", help="show the evaluation trace of errors")
    parser.add_argument("--trace-verbose", action="store_true", help="print builtins.traceVerbose messages")


def run(args: argparse.Namespace) -> int:
    import gc

    from nixlite.eval import functions
    from nixlite.eval.state import EvalState

    # Evaluation allocates many small long-lived objects (thunks, frames):
    # collect cycles less often than Python's default (10-25% faster here).
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)

    functions.set_trace_calls(args.show_trace)
    state = EvalState(search_path=args.include)
    state.trace_verbose = args.trace_verbose
    auto_args = auto_arguments(state, args)
    is_expr = args.expr is not None
    inputs = [e for e in args.expr or () if e is not None] + args.files
    if not inputs and not is_expr:
        inputs = ["./default.nix"]  # as nix-instantiate does without arguments
    for item in inputs:
        root = _evaluate_input(state, item, is_expr)
        for path in args.attr or [""]:
            value = select_attr_path(root, path, auto_args)
            if auto_args:  # as nix-instantiate --eval: the result is auto-called only with --arg/--argstr
                value = auto_call(value, auto_args)
            if args.output == "json":
                _print_json(state, value, args.strict)
            else:
                sys.stdout.write(render_value(state, value, args) + "\n")
            sys.stdout.flush()
    return 0


def _print_json(state: Any, value: Any, strict: bool) -> None:
    """The JSON text, without a newline as nix-instantiate 2.8 prints it.

    When the value cannot be converted, Nix has already printed the part
    before the failing value, with the open brackets closed (`{"a":1,"b":}`),
    and then reports the error: so is it here.
    """
    from nixlite.primops.json import JsonWriter

    writer = JsonWriter(state, strict)
    try:
        writer.write(value)
    finally:
        sys.stdout.write(writer.text())


def _evaluate_input(state: Any, item: str, is_expr: bool) -> Any:
    from nixlite import diagnostics

    if is_expr:
        diagnostics.register_source("«string»", item)
        return state.eval_string(item, "«string»", os.getcwd())
    if item == "-":
        text = sys.stdin.read()
        diagnostics.register_source("«stdin»", text)
        return state.eval_string(text, "«stdin»", os.getcwd())
    if item.startswith("<") and item.endswith(">"):
        from nixlite.eval.errors import EvalError

        found = state.find_file(state.search_path, item[1:-1])
        if found is None:
            raise EvalError(f"file '{item[1:-1]}' was not found in the Nix search path (add it using $NIX_PATH or -I)")
        item = found
    return state.eval_file(os.path.abspath(item))


def render_value(state: Any, value: Any, args: argparse.Namespace) -> str:
    """The line printed for one result, in the requested format."""
    if args.output == "xml":
        from nixlite.primops import xml

        return xml.value_to_xml(state, value, strict=args.strict).rstrip("\n")  # type: ignore[attr-defined,no-any-return]
    from nixlite.eval.printer import print_value

    if args.strict:
        from nixlite.eval.strict import deep_force

        deep_force(value)
    return print_value(value)
