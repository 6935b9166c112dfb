"""nixlite: a Nix-language interpreter and Docker image builder in Python.

The pipeline, one package per stage, each knowing only those to its left:
source -> `syntax` (parser, AST) -> `eval` (lazy evaluator) and `primops`
(builtins) -> `store` (store paths, NAR, .drv, database) -> `build`
(realising derivations; Python builders) -> `docker` (image formats).
`cli` glues them for the command line.
"""

__version__ = "0.1.0"
