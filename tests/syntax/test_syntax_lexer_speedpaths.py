"""The lexer's fast paths, at their edges, against nix-instantiate --parse (Nix 2.8).

nixlite/syntax/lexer.py takes shortcuts for the commonest tokens (an
identifier not followed by a path or URI, an operator not starting a path,
an integer not starting a float or path, a whole "…" string) and works out
where flex leaves its location (Nix reports an unexpected end of file
there) only when the lexer state changes. These programs sit on the
boundaries of those shortcuts and put blanks, comments, strings and paths
right before the end of the input; each must print, or fail with the same
message at the same place, as the oracle does.
"""

from __future__ import annotations

import random

from parse_oracle import nixlite_parse_file, oracle_parse_files, write_programs

_BOUND = "a: b: c: f: x: y: "

# Tokens glued to what follows them, where a longer rule (path, URI, float,
# comment, `'` in an identifier) may or may not take over.
BOUNDARIES = [
    "a.b", "x.y.z", "x.y/z", "a.b/c.d", "a+b", "a+b/c", "a++b", "a ++b/c", "a+.b/c", "a:b", "a: b", "a.b:c",
    "a+b:c", "a_b:c", "x:y.z", "a'", "a'b", "a-b", "a-b/c", "a/b", "a/ b", "a//b", "a/${b}", "a.${b}",
    "a/*c*/b", "a /*c*/ b", "a#c\n", "1.", "1.5", "01.5", "0.5", "0.", "1a", "1/2", "1 /2", "1e5", "1.e5",
    "12/a", "1+2", "1-2", "1..2", "1.5.a", ".5", ".5e3", "./a", ".a/b", "../a", "a.b.c/d", "a<b", "a < b>",
    "<a>", "<a/b>", "a<=b", "a<b>", "-a/b", "a -b", "-1", "a->b", "a-/b", "a - /b", "/a", "/${a}", "~/a",
    "a*b", "a*/b", "a>b", "a>=b", "a!=b", "!a", "a==b", "a=b", "a@b", "a?b", "a?b.c", "a||b", "a&&b",
    "a&b", "a|b", "a$b", "\"a\"", "\"\"", "\"a$\"", "\"$\"", "\"a\\\"b\"", "\"a\\\\\"", "\"${a}\"", "\"$${a}\"",
    "\"a$\\\"\"", "\"a\"b", "\"a\".b", "\"a\"./b", "{a=1;}.a", "{a=1;}./b", "{}./b", "[]", "[a]./b", "(a)./b",
    "rec{a=1;}", "let a=1;in a", "{inherit a;}", "{${a}=1;}", "{\"${a}\"=1;}", "if a then b else c",
    "a.or", "a or b", "or", "{a=1;}.a or 2", "x.\"y\"", "''a${b}c''", "''a''$b''", "a''b", "''\n  a\n''.x",
]

# Inputs that end early: Nix reports the end of file where flex's location
# is, which depends on the blanks, comments, strings and paths before it.
ENDINGS = [
    "(a", "(a ", "(a # c", "(a # c\n", "(a /* c */", "(a /* c */  ", "(a/* c */", "(a  \n\t", "(\"x\"",
    "(\"x\" ", "(\"x\"/*c*/", "(./a", "(./a ", "(./a # c", "( ./a", "(a ./a", "(\"x\"./a", "(a/*c*/./b",
    "(/*c*/./b", "(./a${a}", "(./a${a} ", "(./a${ a}", "(./a${a /*c*/}", "(./a${a}b", "(./a${a}/b",
    "(./a${\"x\"}", "(./a${a}${b}", "(./a${{}.a}", "(~/a", "(<a>", "[ a/ ", "(\"a${b}", "(\"a${b} ",
    "(\"a${b}c", "(''a${b}", "(''a${b}c", "(''a${b} ", "{ a = \"${b", "{ a = \"${b}\" ", "x: x./a",
    "x: x ./a", "x: \"${x}\"./a", "x: {a=x;}./a", "./a", "./a\n", "./a#c", "a", "a  ", "1", "\"a\"",
    "''a''", "(a.b", "(a.", "(a.b.", "(1.", "(1", "(a:", "(a: ", "(a+", "(a+ ", "(-", "(a-",
    # after `${…}` in a path, and a path right after a string: flex's match
    # before the last one is where Nix reports the end of file.
    "(./a${a }", "(./a${ a }", "(./a${a\n}", "(./a${a # c\n}", "(./a${a/*c*/}", "(./a${\"x\" }",
    "(\"${a}\"./b", "(''a''./b", "(\"${a}\" ./b", "(\"${a}\"/*c*/./b", "(''${a}''\n./b",
]

_PIECES = ["a", "b", "x1", "_", "or", "in", ".", "..", "+", "++", "-", "->", ":", "/", "//", "'", "<", ">", "=",
           "1", "0", "12", "e5", ".5", "\"s\"", "\"${a}\"", "${a}", "{", "}", "(", ")", " ", "\n", "#c\n",
           "/*c*/", "~", "*", "@", "?", ",", ";", "!", "$"]


def _compare(tmp_path, programs: list[str]) -> list:
    paths = write_programs(str(tmp_path), programs)
    return [(program, expected, got)
            for program, path, expected in zip(programs, paths, oracle_parse_files(paths))
            if (got := nixlite_parse_file(path)) != expected]


def test_shortcut_boundaries_like_nix(tmp_path):
    programs = [_BOUND + "[ " + text + " ]" for text in BOUNDARIES] + [_BOUND + text for text in BOUNDARIES]
    assert _compare(tmp_path, programs) == []


def test_end_of_file_positions_like_nix(tmp_path):
    programs = ENDINGS + [_BOUND + text for text in ENDINGS]
    assert _compare(tmp_path, programs) == []


def test_glued_fragments_like_nix(tmp_path):
    # Fragments with no blanks between them: every shortcut meets its neighbours.
    rng = random.Random(77)
    programs = [_BOUND + "".join(rng.choice(_PIECES) for _ in range(rng.randint(2, 7))) for _ in range(120)]
    assert _compare(tmp_path, programs) == []
