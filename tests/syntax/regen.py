"""Regenerate the golden expectations (golden/*.exp) from the oracle, nix-instantiate --parse.

    python3 tests/syntax/regen.py

Each golden/NAME.nix is parsed by Nix 2.8 from inside the golden directory
(so that relative paths resolve the same way for everyone: the test parses
with the same base directory). NAME.exp holds the printed AST, or for a
rejected program the line `error: …` and the `at …:L:C:` position with the
directory part removed.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
sys.path.insert(0, HERE)

from parse_oracle import oracle_parse_files  # noqa: E402


def with_placeholders(text: str) -> str:
    """Checkout-independent text: GOLDEN's absolute path as /GOLDEN, its parent as /GOLDEN/.."""
    return text.replace(GOLDEN, "/GOLDEN").replace(os.path.dirname(GOLDEN), "/GOLDEN/..")


def expectation(result: tuple) -> str:
    """The text stored in a .exp file for one oracle result."""
    if result[0] == "ok":
        return result[1] + "\n"
    at = result[2].replace(GOLDEN + "/", "") if result[2] else ""
    return f"{result[1]}\nat {at}\n"


def main() -> None:
    names = sorted(n for n in os.listdir(GOLDEN) if n.endswith(".nix"))
    paths = [os.path.join(GOLDEN, n) for n in names]
    for name, result in zip(names, oracle_parse_files(paths)):
        text = with_placeholders(expectation(result))
        with open(os.path.join(GOLDEN, name[:-4] + ".exp"), "w", encoding="utf-8") as f:
            f.write(text)
    print(f"regenerated {len(names)} expectations")


if __name__ == "__main__":
    main()
