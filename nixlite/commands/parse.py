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
    from nixlite.syntax import parse_file_source, show

    if args.expr is not None:
        parsed = _parse_text(args.expr, "«string»")
    elif args.file in (None, "-"):
        parsed = _parse_text(_read_stdin(), "«stdin»")
    else:
        parsed = parse_file_source(args.file)
    out = show(parsed.expr, parsed.symbols) + "\n"
    sys.stdout.buffer.write(out.encode("utf-8", "surrogateescape"))
    sys.stdout.flush()
    return 0


def _parse_text(text: str, name: str):
    """Parse a text that is not a file; on an error, give the CLI its text for the snippet."""
    from nixlite.eval.errors import NixError
    from nixlite.syntax import parse_source

    try:
        return parse_source(text, name, os.getcwd())
    except NixError:
        from nixlite import diagnostics  # (only now: start-up time)

        diagnostics.register_source(name, text)
        raise
