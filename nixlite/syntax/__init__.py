"""Nix syntax: tokenizer, LALR parser, AST, static checks and the --parse printer.

    from nixlite.syntax import parse, parse_file, show
    show(parse("{ a = 1; }"))  == "{ a = 1; }"
"""

from nixlite.syntax.parser import Parsed, parse, parse_file, parse_file_source, parse_source
from nixlite.syntax.printer import show

__all__ = ["parse", "parse_file", "show", "parse_source", "parse_file_source", "Parsed"]
