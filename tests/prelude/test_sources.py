"""lib.cleanSource, sourceByRegex, sourceFilesBySuffices, cleanSourceWith: what they keep.

The file lists come from Nix 2.8 copying the filtered sources into its
store; nixlite must compute the same store paths.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import ROOT, run_nix
from tests.prelude.helpers import SEARCH_PATH, eval_json_nixlite


@pytest.fixture(scope="module")
def source_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("src")
    files = {"a.c": "a", "b.o": "b", "sub/c.h": "c", ".x.swp": "d", ".git/HEAD": "g", "keep.txt": "k", "x~": "e"}
    for name, text in files.items():
        os.makedirs(os.path.dirname(root / name), exist_ok=True)
        (root / name).write_text(text)
    os.symlink("/nix/store", root / "result")
    return str(root)


def expression(tree: str) -> str:
    return (f"let lib = (import <nixpkgs> {{ }}).lib; src = /. + \"{tree}\"; in {{\n"
            "  clean = \"${lib.cleanSource src}\";\n"
            "  regex = \"${lib.sourceByRegex src [ \"sub\" \"sub/.*\\\\.h\" \"a\\\\.c\" ]}\";\n"
            "  suffix = \"${lib.sourceFilesBySuffices (lib.cleanSource src) [ \".txt\" ]}\";\n"
            "  named = (lib.cleanSourceWith { src = lib.cleanSource src; name = \"renamed\"; }).outPath;\n"
            "}")


def listing(path: str) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, f), path)
                  for d, dirs, files in os.walk(path) for f in files + dirs)


def test_filtered_sources_keep_what_nixpkgs_keeps(source_tree):
    result = run_nix(["nix-instantiate", "--eval", "--strict", "--json", "--read-write-mode", *SEARCH_PATH,
                      "-E", expression(source_tree)], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    paths = json.loads(result.stdout)
    assert listing(paths["clean"]) == ["a.c", "keep.txt", "sub", "sub/c.h"]
    assert listing(paths["regex"]) == ["a.c", "sub", "sub/c.h"]
    assert listing(paths["suffix"]) == ["keep.txt", "sub"]
    assert paths["named"].endswith("-renamed") and listing(paths["named"]) == listing(paths["clean"])


def test_filtered_source_paths_equal_between_nixlite_and_nix(source_tree):
    result = run_nix(["nix-instantiate", "--eval", "--strict", "--json", *SEARCH_PATH,
                      "-E", expression(source_tree)], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert eval_json_nixlite(expression(source_tree)) == json.loads(result.stdout)
