"""Evaluator core on hand-built ASTs (independent of the parser)."""

from __future__ import annotations

import pytest

from nixlite.eval.errors import EvalError, InfiniteRecursion, MissingArgumentError, TypeError_
from nixlite.eval.printer import print_value
from nixlite.eval.state import EvalState
from nixlite.eval.strict import deep_force
from nixlite.syntax import ast as A

P = A.Pos("«string»", 1, 1)


def i(n): return A.Int(P, n)
def s(x): return A.Str(P, x)
def v(name): return A.Var(P, name)
def b(name, value, inherited=False): return A.Binding(name, value, inherited, P)
def attrs(*bs, rec=False): return A.AttrSet(P, rec, tuple(bs), ())
def let(bs, body): return A.Let(P, attrs(*bs, rec=True), body)
def lam(arg, body, formals=None): return A.Lambda(P, arg, formals, body)
def call(f, *args): return A.Call(P, f, tuple(args))
def sel(e, *path, default=None): return A.Select(P, e, tuple(path), default)
def plus(a, c): return A.ConcatStrings(P, False, (a, c))
def sub(a, c): return call(v("__sub"), a, c)


@pytest.fixture(scope="module")
def state():
    return EvalState(use_nix_path=False)


def ev(state, e, strict=True):
    val = state.eval_ast(e)
    if strict:
        deep_force(val)
    return print_value(val)


def test_literals_and_sets(state):
    assert ev(state, attrs(b("b", A.List(P, (i(1), s("x\n")))), b("a", i(1)))) == '{ a = 1; b = [ 1 "x\\n" ]; }'
    assert ev(state, attrs(b("a", plus(i(1), i(2)))), strict=False) == "{ a = <CODE>; }"


def test_let_rec_and_functions(state):
    fib = lam("n", A.If(P, call(v("__lessThan"), v("n"), i(2)), v("n"),
                        plus(call(v("fib"), sub(v("n"), i(1))), call(v("fib"), sub(v("n"), i(2))))))
    assert ev(state, let([b("fib", fib)], call(v("fib"), i(15)))) == "610"


def test_formals(state):
    formals = A.Formals((A.Formal("a", v("b"), P), A.Formal("b", i(2), P)), False)
    f = lam("args", A.List(P, (v("a"), v("args"))), formals)
    assert ev(state, call(f, attrs())) == "[ 2 { } ]"
    g = lam(None, v("a"), A.Formals((A.Formal("a", None, P),), False))
    with pytest.raises(MissingArgumentError, match="called without required argument 'a'"):
        state.eval_ast(call(g, attrs()))
    with pytest.raises(TypeError_, match="called with unexpected argument 'q'"):
        state.eval_ast(call(g, attrs(b("a", i(1)), b("q", i(1)))))


def test_with_and_scoping(state):
    assert ev(state, A.With(P, attrs(b("x", i(2)), b("true", i(1))), A.List(P, (v("x"), v("true"))))) == "[ 2 true ]"
    assert ev(state, let([b("x", i(1))], A.With(P, attrs(b("x", i(2))), v("x")))) == "1"
    inner = A.With(P, attrs(b("x", i(2))), v("x"))
    assert ev(state, A.With(P, attrs(b("x", i(1))), inner)) == "2"


def test_errors(state):
    with pytest.raises(InfiniteRecursion):
        state.eval_ast(let([b("x", v("x"))], v("x")))
    with pytest.raises(EvalError, match="attribute 'y' missing"):
        state.eval_ast(sel(attrs(b("x", i(1))), "y"))
    assert ev(state, sel(attrs(), "y", default=i(3))) == "3"
    with pytest.raises(TypeError_, match="while a Boolean was expected"):
        state.eval_ast(A.If(P, i(1), i(2), i(3)))
    with pytest.raises(EvalError, match="integer overflow in adding"):
        state.eval_ast(plus(i(2 ** 63 - 1), i(1)))


def test_repeated(state):
    e = let([b("a", attrs(b("x", i(1))))], A.List(P, (v("a"), v("a"))))
    assert ev(state, e) == "[ { x = 1; } «repeated» ]"
