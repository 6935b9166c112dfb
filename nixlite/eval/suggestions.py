"""`Did you mean …?` hints, computed as Nix computes them.

Nix ranks every candidate by Levenshtein distance to the misspelt name, keeps
at most five with distance ≤ 2 (ordered by distance, then name), and words the
hint `Did you mean b?` or `Did you mean one of a, b or c?`.
"""

from __future__ import annotations

from typing import Iterable

from nixlite.eval.errors import hintfmt


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two strings (insertions, deletions, substitutions)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def did_you_mean(query: str, candidates: Iterable[str]) -> str | None:
    """The hint for `query` among `candidates`, or None when nothing is close."""
    ranked = sorted((levenshtein(query, c), c) for c in set(candidates))
    best = [c for d, c in ranked if d <= 2][:5]
    if not best:
        return None
    if len(best) == 1:
        return hintfmt("Did you mean {}?", best[0])
    # (the names are arguments, highlighted on a terminal; the template has none of them)
    return hintfmt("Did you mean one of " + ", ".join(["{}"] * (len(best) - 1)) + " or {}?", *best)


__all__ = ["levenshtein", "did_you_mean"]
