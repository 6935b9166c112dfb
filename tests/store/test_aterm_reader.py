"""The .drv reader's two paths agree: whole lists by regular expression, and step by step.

The fast path must accept exactly what the step-by-step reader accepts, with
the same result, and leave every refusal to it (so the error is worded the
same). Texts: derivations with every escaped character in every position,
and mutations of them (truncated, a character dropped or inserted).
"""

from __future__ import annotations

import random

from nixlite.store import derivation as aterm
from nixlite.store.derivation import BadDerivation, Derivation, DerivationOutput


class _StepByStep(aterm._Parser):
    """The reader with its whole-list path switched off."""

    def whole_list(self, pattern):  # type: ignore[no-untyped-def]
        return None


def _read(parser: type, text: str) -> object:
    try:
        return parser(text).derivation("n")
    except BadDerivation as err:
        return str(err)


def _random_derivation(rnd: random.Random) -> Derivation:
    alphabet = 'ab"\\\n\r\t x/-(),[]'

    def s() -> str:
        return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 5)))

    return Derivation({s() or "out": DerivationOutput(s(), s(), s()) for _ in range(rnd.randint(1, 3))},
                      {s(): {s() for _ in range(rnd.randint(0, 2))} for _ in range(rnd.randint(0, 3))},
                      {s() for _ in range(rnd.randint(0, 2))}, s(), s(), [s() for _ in range(rnd.randint(0, 3))],
                      {s(): s() for _ in range(rnd.randint(0, 3))}, "n")


def test_fast_and_step_by_step_readers_agree() -> None:
    rnd = random.Random(11)
    for _ in range(600):
        drv = _random_derivation(rnd)
        text = drv.to_aterm()
        assert _read(aterm._Parser, text) == drv == _read(_StepByStep, text)
        for _ in range(4):
            k = rnd.randrange(len(text) + 1)
            mutated = rnd.choice([text[:k], text[:k] + text[k + 1:], text[:k] + rnd.choice('",\\)]x') + text[k:]])
            assert _read(aterm._Parser, mutated) == _read(_StepByStep, mutated)


def test_escapes_read_back() -> None:
    drv = Derivation({"out": DerivationOutput("/nix/store/x-o")}, {}, set(), "p", "b", ['q"\\\n\r\t'],
                     {"k": 'a\\nb"'}, "n")
    text = drv.to_aterm()
    assert '"q\\"\\\\\\n\\r\\t"' in text
    assert Derivation.parse(text, "n") == drv
