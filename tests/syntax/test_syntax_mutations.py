"""Broken programs: corpus programs cut short, with a character dropped or one inserted.

Each mutant is compared with nix-instantiate --parse: the same first error
line (message, including bison's expected-token list) and the same
position, or the same printout when the mutant is still valid Nix. This
checks the error wording on inputs nobody wrote by hand.
"""

from __future__ import annotations

import random

from parse_corpus import corpus_programs
from parse_oracle import nixlite_parse_file, oracle_parse_files, write_programs

COUNT = 150


def mutants(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    # Only the corpus written for these tests: the project's files change as it grows.
    programs = [text for _, text in corpus_programs(include_project=False) if len(text) > 8]
    out = []
    while len(out) < count:
        text = rng.choice(programs)
        k = rng.randrange(1, len(text))
        roll = rng.random()
        if roll < 0.4:
            out.append(text[:k])
        elif roll < 0.7:
            out.append(text[:k] + text[k + 1:])
        else:
            out.append(text[:k] + rng.choice('{}()[];:=.,"@?!$') + text[k:])
    return out


def test_mutants_fail_like_nix(tmp_path):
    programs = mutants(2024, COUNT)
    paths = write_programs(str(tmp_path), programs)
    disagreements = []
    for program, path, expected in zip(programs, paths, oracle_parse_files(paths)):
        got = nixlite_parse_file(path)
        if got != expected:
            disagreements.append((program, expected, got))
    assert disagreements == []


# Token soups: random sequences of Nix tokens and fragments, mostly invalid.
_PIECES = ['{', '}', '(', ')', '[', ']', ';', ':', '=', '.', '...', ',', '@', '?', '!', '-', '+', '*', '/', '<',
           '>', '<=', '==', '&&', '||', '->', '//', '++', '"', '${', "''", "''$", '$', '#', '\n', ' ', 'a', 'b',
           'or', 'let', 'in', 'rec', 'inherit', 'with', 'assert', 'if', 'then', 'else', '1', '1.5', './a', '/a/',
           '~/a', '<a>', 'http://x', 'a/', '__curPos', 'a = 1;', 'x: ', '{ a, b }: ']


def test_token_soups_like_nix(tmp_path):
    rng = random.Random(9)
    programs = ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12))) for _ in range(100)]
    paths = write_programs(str(tmp_path), programs)
    disagreements = [(program, expected, nixlite_parse_file(path))
                     for program, path, expected in zip(programs, paths, oracle_parse_files(paths))
                     if nixlite_parse_file(path) != expected]
    assert disagreements == []
