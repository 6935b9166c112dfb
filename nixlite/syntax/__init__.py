"""Nix syntax: tokenizer, LALR parser, AST, static checks and the --parse printer.

    from nixlite.syntax import parse, parse_file, show
    show(parse("{ a = 1; }"))  == "{ a = 1; }"
"""

from nixlite.syntax.parser import parse, parse_file
from nixlite.syntax.printer import show

__all__ = ["parse", "parse_file", "show"]
