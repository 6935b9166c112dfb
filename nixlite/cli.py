"""The `nixlite` command line: subcommands, and errors rendered the way Nix does.

Each subcommand lives in `nixlite/commands/<name>.py` with `add_arguments`
and `run(args) -> int`; this module only dispatches, and turns any
`NixError` into Nix-shaped output and exit status 1. Nothing reaches the user
as a Python traceback (set NIXLITE_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
from typing import Sequence

# subcommand -> (module in nixlite.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("parse", "print the AST as nix-instantiate --parse does"),
    "eval": ("eval", "evaluate an expression as nix-instantiate --eval does"),
    "instantiate": ("instantiate", "write store derivations and print their paths"),
    "build": ("build", "build derivations as nix-build does"),
    "show-derivation": ("show_derivation", "print derivations as JSON"),
    "store": ("store", "inspect and maintain the store (path-info, verify, gc)"),
    "log": ("log", "print the build log of a derivation or of an output it built"),
}

# Deep (but finite) Nix recursion needs a deep Python stack: evaluation runs
# in a thread with a large stack and a raised recursion limit.
_STACK_BYTES = 1024 * 1024 * 1024
_RECURSION_LIMIT = 1_000_000


def _parser_for(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, object]:
    parser = argparse.ArgumentParser(prog="nixlite", description="A Nix-language interpreter and Docker image builder.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    module = None
    wanted = argv[0] if argv else None
    # For a known command only its parser is made and only its module imported
    # (start-up time): argparse then hands it the rest of argv, as it would with
    # them all. Anything else (no command, --help, a typo) gets them all.
    names = [wanted] if wanted in COMMANDS else list(COMMANDS)
    for name in names:
        modname, help_text = COMMANDS[name]
        p = sub.add_parser(name, help=help_text)
        if name == wanted:
            module = importlib.import_module(f"nixlite.commands.{modname}")
            module.add_arguments(p)
    return parser, module


def _run(argv: Sequence[str]) -> int:
    from nixlite.eval.errors import NixError

    parser, module = _parser_for(argv)
    args = parser.parse_args(argv)
    try:
        return int(module.run(args) or 0)  # type: ignore[attr-defined]
    except NixError as err:
        from nixlite import diagnostics

        diagnostics.report(err, show_trace=getattr(args, "show_trace", False))
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted by the user\n")
        return 130
    except BrokenPipeError:
        return 1
    except RecursionError:
        sys.stderr.write("error: stack overflow; max-call-depth exceeded\n")
        return 1
    except MemoryError:
        sys.stderr.write("error: out of memory\n")
        return 1
    except Exception as exc:  # a bug in nixlite: say so, without a traceback
        if os.environ.get("NIXLITE_DEBUG"):
            raise
        sys.stderr.write(f"error: internal error in nixlite: {type(exc).__name__}: {exc}\n"
                         "(set NIXLITE_DEBUG=1 for a traceback)\n")
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    result: list[int] = [1]

    def target() -> None:
        result[0] = _run(argv)

    sys.setrecursionlimit(_RECURSION_LIMIT)
    threading.stack_size(_STACK_BYTES)
    t = threading.Thread(target=target, name="nixlite")
    t.start()
    t.join()
    sys.stdout.flush()
    return result[0]


if __name__ == "__main__":
    sys.exit(main())
