"""`nixlite instantiate`: write the store derivations of an expression and print their paths.

As `nix-instantiate FILE [-A attr]…`: every derivation the selection yields
(see `drv_selection`) has its .drv written (with those of its inputs), and
its path printed, followed by `!<output>` when the selected output is not
`out`. Like Nix, it warns once that no GC root was added.
"""

from __future__ import annotations

import argparse
import sys

from nixlite.commands.drv_selection import (
    add_selection_arguments, evaluate_selection, register_written, selected_outputs,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    state, values, auto = evaluate_selection(args)
    warned = False
    for drv_path, output in selected_outputs(values, auto):
        register_written(state)  # the .drv files are valid before their paths are printed
        if not warned:
            sys.stderr.write("warning: you did not specify '--add-root'; "
                             "the result might be removed by the garbage collector\n")
            warned = True
        sys.stdout.write(drv_path + ("" if output == "out" else "!" + output) + "\n")
    return 0
