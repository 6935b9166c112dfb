"""Parse failures: the exact message and position, as Nix 2.8 reports them.

Expectations were taken from `nix-instantiate --parse -E …` (Nix 2.8).
"""

from __future__ import annotations

import pytest

from nixlite.eval.errors import ParseError, UndefinedVarError
from nixlite.syntax import parse

CASES = [
    ("{ a = 1 }", "syntax error, unexpected '}', expecting ';'", 1, 9),
    ('"abc', "syntax error, unexpected end of file, expecting '\"'", 1, 2),
    ("/* abc", "syntax error, unexpected '/'", 1, 1),
    ("1 @ 2", "syntax error, unexpected '@', expecting end of file", 1, 3),
    ("''a", "syntax error, unexpected end of file, expecting IND_STR or DOLLAR_CURLY or IND_STRING_CLOSE", 1, 3),
    (")", "syntax error, unexpected ')'", 1, 1),
    ("", "syntax error, unexpected end of file", 1, 1),
    ("1 | 2", "syntax error, unexpected invalid token, expecting end of file", 1, 3),
    ("é", "syntax error, unexpected invalid token", 1, 1),
    ("(1  ", "syntax error, unexpected end of file, expecting ')'", 1, 3),
    ("(1 # c", "syntax error, unexpected end of file, expecting ')'", 1, 4),
    ('"a\\', "syntax error, unexpected STR, expecting '\"'", 1, 3),
    ("a: b: c: a == b == c", "syntax error, unexpected EQ", 1, 17),
    ("a: b: c: a < b < c", "syntax error, unexpected '<'", 1, 16),
    ("a: a.", "syntax error, unexpected end of file, expecting ID or OR_KW or DOLLAR_CURLY or '\"'", 1, 5),
    ("x: (/a//b)", "syntax error, unexpected PATH_END, expecting DOLLAR_CURLY", 1, 8),
    ("++", "syntax error, unexpected CONCAT", 1, 1),
    ("x: ./a/ + x", "path has a trailing slash", 1, 8),
    ("./a/", "path has a trailing slash", 1, 1),
    ("9223372036854775808", "invalid integer '9223372036854775808'", 1, 1),
    ("1.e-320", "invalid float '1.e-320'", 1, 1),
    ("1.e400", "invalid float '1.e400'", 1, 1),
    ("{ a = 1; inherit a; }", "attribute 'a' already defined at (string):1:3", 1, 17),
    ("{ a.b = 1; a.b = 2; }", "attribute 'a.b' already defined at (string):1:3", 1, 12),
    ("{ a = 1; a.b = 2; }", "attribute 'a.b' already defined at (string):1:3", 1, 10),
    ("{ a = {x=1;}; a = {x=2;}; }", "attribute 'x' already defined at (string):1:20", 1, 8),
    ("let a = 1; a = 2; in a", "attribute 'a' already defined at (string):1:5", 1, 12),
    ("rec { a = 1; inherit (a) a; }", "attribute 'a' already defined at (string):1:7", 1, 25),
    ("{a, a}: 1", "duplicate formal function argument 'a'", 1, 5),
    ("{a, b, a, b}: 1", "duplicate formal function argument 'a'", 1, 8),
    ("a@{a}: 1", "duplicate formal function argument 'a'", 1, 1),
]

UNDEFINED = [
    ("x: y", "y", 1, 4),
    ("{ inherit z; }", "z", 1, 2),
    ("let b = 1; inherit c; in b", "c", 1, 4),
    ("[ 1e3 ]", "e3", 1, 4),
    ("map or [1]", "or", 1, 1),
    ('"a${b}c"', "b", 1, 5),
    ("with x; y", "x", 1, 6),
]


@pytest.mark.parametrize("text,message,line,col", CASES)
def test_parse_error(text, message, line, col):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == message
    assert (info.value.pos.file, info.value.pos.line, info.value.pos.col) == ("«string»", line, col)


@pytest.mark.parametrize("text,name,line,col", UNDEFINED)
def test_undefined_variable(text, name, line, col):
    with pytest.raises(UndefinedVarError) as info:
        parse(text)
    assert info.value.message == f"undefined variable '{name}'"
    assert (info.value.pos.line, info.value.pos.col) == (line, col)


@pytest.mark.parametrize("text,col", [("(" * 10000 + "1" + ")" * 10000, 9998), ("[" * 10000 + "]" * 10000, 4999)])
def test_memory_exhausted_like_bison(text, col):
    # nix-instantiate --parse on 10,000 nested brackets: bison's stack limit.
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == "memory exhausted"
    assert (info.value.pos.line, info.value.pos.col) == (1, col)


def test_dynamic_attributes_rejected_where_nix_rejects_them():
    with pytest.raises(ParseError, match="dynamic attributes not allowed in let"):
        parse("x: let ${x} = 1; in 1")
    with pytest.raises(ParseError, match="dynamic attributes not allowed in inherit"):
        parse("x: { inherit ${x}; }")
