"""Pipe operators `|>` and `<|` (current Nix, the experimental pipe-operators feature).

Nix 2.8 rejects them ("unexpected invalid token"); nixlite follows current
Nix, where `x |> f` and `f <| x` are the call `f x` (built as Nix's makeCall
builds it: appended to a call already on the left), `|>` is left- and `<|`
right-associative, and both bind more loosely than every other operator.
The expected printouts are written from that specification, not from the
oracle.
"""

from __future__ import annotations

import pytest

from nixlite.syntax import parse, show

CASES = [
    ("f: x: x |> f", "(f: (x: (f x)))"),
    ("f: x: f <| x", "(f: (x: (f x)))"),
    ("f: g: x: x |> f |> g", "(f: (g: (x: (g (f x)))))"),
    ("f: g: x: f <| g <| x", "(f: (g: (x: (f (g x)))))"),
    ("f: x: y: x |> f y", "(f: (x: (y: (f y x))))"),
    ("f: x: y: x + y |> f", "(f: (x: (y: (f (x + y)))))"),
    ("f: x: y: x -> y |> f", "(f: (x: (y: (f (x -> y)))))"),
    ("f: x: f <| x // x", "(f: (x: (f (x // x))))"),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_pipe(text, expected):
    assert show(parse(text)) == expected


def test_pipe_is_not_an_operand():
    from nixlite.eval.errors import ParseError

    with pytest.raises(ParseError):
        parse("f: x: (x |> ) f")
