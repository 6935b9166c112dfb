"""The differential corpus: Nix programs written for nixlite's parser tests.

`corpus/*.txt` hold many small programs separated by lines `====` (every
syntax corner, valid and invalid); `corpus/*.bin` are single programs with
exact bytes (CR/LF line ends, binary garbage); `corpus/realistic/*.nix` are
whole docker.nix-style files. The Nix files the project itself ships
(examples/, the builtins/ prelude) are added as they are at test time.
"""

from __future__ import annotations

import os

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
SEPARATOR = "\n====\n"


def corpus_programs(include_project: bool = True) -> list[tuple[str, str]]:
    """(id, text) for every corpus program, in a stable order (project files last)."""
    programs: list[tuple[str, str]] = []
    for name in sorted(os.listdir(CORPUS)):
        path = os.path.join(CORPUS, name)
        if name.endswith(".txt"):
            with open(path, encoding="utf-8") as f:
                chunks = f.read().split(SEPARATOR)
            if chunks and chunks[-1].endswith("\n"):
                chunks[-1] = chunks[-1][:-1]
            programs += [(f"{name[:-4]}-{i:03d}", text) for i, text in enumerate(chunks)]
        elif name.endswith(".bin"):
            with open(path, "rb") as f:
                programs.append((name[:-4], f.read().decode("utf-8", "surrogateescape")))
    realistic = os.path.join(CORPUS, "realistic")
    for name in sorted(os.listdir(realistic)):
        with open(os.path.join(realistic, name), encoding="utf-8") as f:
            programs.append((f"realistic-{name[:-4]}", f.read()))
    return programs + (project_files() if include_project else [])


def project_files() -> list[tuple[str, str]]:
    """(id, text) of the .nix files under examples/ and builtins/ of this repository."""
    root = os.path.dirname(os.path.dirname(HERE))
    found = []
    for top in ("examples", "builtins"):
        for dirpath, _dirs, files in os.walk(os.path.join(root, top)):
            for name in files:
                if name.endswith(".nix"):
                    path = os.path.join(dirpath, name)
                    with open(path, encoding="utf-8", errors="surrogateescape") as f:
                        found.append(("project-" + os.path.relpath(path, root).replace("/", "-"), f.read()))
    return sorted(found)
