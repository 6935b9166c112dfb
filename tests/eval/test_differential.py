"""The differential suite: every case in `cases.py` against nix-instantiate, at test time.

Value cases must print exactly what Nix prints (inside Nix's tryEval wrapper,
so `throw`/`assert` failures compare too). Error cases must fail where Nix
fails with the same `error: …` line (and succeed with the same output where
Nix succeeds); the `EXACT_ERROR_CASES` must match Nix's whole message —
position, source snippet, hint. Integer overflow follows current Nix.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import eval_cases as cases
from eval_oracle import first_line, nixlite_batch, nixlite_single, oracle_batch, oracle_single


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("diff"))


def test_enough_cases():
    assert len(cases.VALUE_CASES) + len(cases.ERROR_CASES) >= 500


def test_value_cases(workdir):
    expected = oracle_batch(cases.VALUE_CASES, workdir)
    got = nixlite_batch(cases.VALUE_CASES, workdir)
    mismatches = [(c, e, g) for c, e, g in zip(cases.VALUE_CASES, expected, got) if e != g]
    report = "\n".join(f"{c}\n   nix:     {e[:300]}\n   nixlite: {g[:300]}" for c, e, g in mismatches)
    print(f"value cases: {len(cases.VALUE_CASES) - len(mismatches)}/{len(cases.VALUE_CASES)} identical")
    assert not mismatches, report


def test_error_cases(workdir):
    with ThreadPoolExecutor(2) as pool:
        oracle = list(pool.map(lambda c: oracle_single(c, workdir), cases.ERROR_CASES))
    problems = []
    for case, nix in zip(cases.ERROR_CASES, oracle):
        ours = nixlite_single(case, workdir)
        problem = _judge(case, nix, ours)
        if problem:
            problems.append(problem)
    print(f"error cases: {len(cases.ERROR_CASES) - len(problems)}/{len(cases.ERROR_CASES)} agree")
    assert not problems, "\n".join(problems)


def _judge(case: str, nix: tuple[int, str, str], ours: tuple[int, str, str]) -> str | None:
    if nix[0] != ours[0]:
        return f"{case}\n   nix: rc={nix[0]} {nix[1].strip()} {first_line(nix[2])}\n   nixlite: rc={ours[0]} {ours[1].strip()} {first_line(ours[2])}"
    if nix[0] == 0:
        return None if nix[1] == ours[1] else f"{case}\n   nix:     {nix[1].strip()}\n   nixlite: {ours[1].strip()}"
    if _kind(case, nix[2]) != _kind(case, ours[2]):
        return f"{case}\n   nix:     {first_line(nix[2])}\n   nixlite: {first_line(ours[2])}"
    if case in cases.EXACT_ERROR_CASES and nix[2] != ours[2]:
        return f"{case}\n--- nix:\n{nix[2]}--- nixlite:\n{ours[2]}"
    return None


def _kind(case: str, stderr: str) -> str:
    """The error line; for parser libraries' messages (JSON, TOML) only its kind, before the detail."""
    line = first_line(stderr)
    if case in cases.KIND_ONLY_CASES:
        head, sep, _detail = line[len("error: "):].partition(": ")
        return "error: " + head
    return line


@pytest.mark.parametrize("case,message", sorted(cases.OVERFLOW_CASES.items()))
def test_integer_overflow_is_an_error_as_in_current_nix(case, message, workdir):
    rc, _out, err = nixlite_single(case, workdir)
    assert rc == 1 and first_line(err) == message


def test_exact_cases_are_error_cases():
    assert set(cases.EXACT_ERROR_CASES) <= set(cases.ERROR_CASES)
