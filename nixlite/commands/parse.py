"""`nixlite parse`: print the AST of a Nix expression as `nix-instantiate --parse` does.

    nixlite parse FILE        a file (a directory means its default.nix)
    nixlite parse -           standard input, named «stdin», paths relative to the cwd
    nixlite parse -E EXPR     an expression, named «string», paths relative to the cwd

Errors (syntax, duplicate attributes, undefined variables) are raised as
NixError and rendered by the CLI in Nix's shape, exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-E", "--expr", dest="expr", metavar="EXPR", help="parse EXPR instead of a file")
    parser.add_argument("file", nargs="?", help="the file to parse, or - for standard input")
    parser.add_argument("--show-trace", action="store_true", help="accepted for compatibility")


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    return data.decode("utf-8", "surrogateescape")


def run(args: argparse.Namespace) -> int:
    from nixlite import diagnostics
    from nixlite.syntax import parse_file_source, parse_source, show

    if args.expr is not None:
        diagnostics.register_source("«string»", args.expr)
        parsed = parse_source(args.expr, "«string»", os.getcwd())
    elif args.file in (None, "-"):
        text = _read_stdin()
        diagnostics.register_source("«stdin»", text)
        parsed = parse_source(text, "«stdin»", os.getcwd())
    else:
        parsed = parse_file_source(args.file)
    out = show(parsed.expr, parsed.symbols) + "\n"
    sys.stdout.buffer.write(out.encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    return 0
