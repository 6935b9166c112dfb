"""The evaluator's state: builtins, search path, import cache, store hooks.

One `EvalState` serves one evaluation (one command). It builds the
`builtins` set from the primop registry, holds the base scope every file is
compiled against, caches imported files (a directory means its
`default.nix`), resolves `<name>` lookups against the search path (`-I`
entries first, then `NIX_PATH`, and `<nixpkgs>` falls back to nixlite's
prelude `builtins/`), and is where the store side hangs its
store object (`state.store`).

The compiled code reaches the state through `current_state()`: the most
recently created state (commands create one).
"""

from __future__ import annotations

import os
from typing import Any

from nixlite.eval.scope import BaseScope
from nixlite.eval.symbols import SymbolTable
from nixlite.eval.values import Attrs, Thunk

_current: list["EvalState"] = []


def current_state() -> "EvalState":
    """The state of the running evaluation (one is created on demand)."""
    if not _current:
        EvalState()
    return _current[-1]


def parse_search_path(entries: list[str]) -> list[tuple[str, str]]:
    """`-I`/NIX_PATH entries as (prefix, path); a bare path has prefix ""."""
    out = []
    for entry in entries:
        if not entry:
            continue
        prefix, eq, path = entry.partition("=")
        out.append((prefix, path) if eq else ("", entry))
    return out


class EvalState:
    """Everything one evaluation shares (see the module docstring)."""

    def __init__(self, search_path: list[str] | None = None, store_dir: str = "/nix/store",
                 system: str = "x86_64-linux", use_nix_path: bool = True) -> None:
        entries = list(search_path or [])
        if use_nix_path:
            entries += os.environ.get("NIX_PATH", "").split(":")
        self.search_path = parse_search_path(entries)
        self.store_dir = store_dir
        self.system = system
        self.store: Any = None  # the store side attaches its store object here
        self.import_cache: dict[str, Any] = {}
        self.src_to_store: dict[str, str] = {}  # source path -> store path, per evaluation
        self.trace_verbose = False
        self.source_texts: dict[str, str] = {}  # «string»/«stdin» -> the text being evaluated
        self.symbols = SymbolTable()  # the order --strict forces attributes in
        _current.append(self)
        self._builtins: Any = None
        self.base_scope = BaseScope(loader=self._load_builtins)

    def _load_builtins(self) -> dict[str, Any]:
        from nixlite.primops.registry import make_builtins

        self._builtins, top = make_builtins(self)
        # Nix evaluates derivation.nix while creating the base environment, so
        # `derivation` is a function from the start: `{ d = derivation; }`
        # prints `<LAMBDA>`, not `<CODE>`. It is compiled against this very
        # scope, whose values must be in place first.
        self.base_scope.install(top)
        derivation = top.get("derivation")
        if type(derivation) is Thunk:
            derivation.force()
        return top

    @property
    def builtins(self) -> Any:
        """The `builtins` set (the primop families are imported on first use)."""
        if self._builtins is None:
            self.base_scope.values  # noqa: B018 - loads them
        return self._builtins

    # --- evaluation entry points ---------------------------------------------------

    def eval_ast(self, expr: Any, scope: Any = None) -> Any:
        """Compile and evaluate an AST at top level; the value is forced (WHNF)."""
        from nixlite.eval.compiler import compile_expr

        return compile_expr(expr, scope or self.base_scope)(None)

    def eval_string(self, text: str, file: str = "«string»", base_dir: str | None = None) -> Any:
        from nixlite.syntax import parse_source

        self.source_texts[file] = text  # read by __curPos while compiling
        parsed = parse_source(text, file=file, base_dir=base_dir or os.getcwd())
        self.symbols.add(parsed.symbols)
        return self.eval_ast(parsed.expr)

    def eval_file(self, path: str, imported: bool = False) -> Any:
        """Evaluate a file once per state (directories mean default.nix).

        `imported` is for `import`: as in Nix's evalFile, an error while
        evaluating it gains the frame `while evaluating the file '…':` (a
        syntax error does not: Nix parses before that frame is set up, and
        caches nothing for a file that does not parse).
        """
        path = resolve_import_path(path)
        cached = self.import_cache.get(path)
        if cached is None:
            from nixlite.syntax import parse_file_source

            parsed = parse_file_source(path)
            self.symbols.add(parsed.symbols)
            cached = Thunk(lambda _env: self.eval_ast(parsed.expr), None)
            self.import_cache[path] = cached
        if not imported:
            return cached.force()
        from nixlite.eval.errors import NixError, hintfmt

        try:
            return cached.force()
        except NixError as err:
            err.add_trace(None, hintfmt("while evaluating the file '{}':", path))
            raise

    def scoped_import(self, scope_attrs: Attrs, path: str) -> Any:
        """`scopedImport attrs path`: the file sees `attrs` as variables above the builtins (not cached)."""
        from nixlite.syntax.parser import parse_source, read_source

        path = resolve_import_path(path)
        # The scope's names are only known now: variables are checked when looked up.
        parsed = parse_source(read_source(path), path, os.path.dirname(path), check_scope=False)
        self.symbols.add(parsed.symbols)
        return self.eval_ast(parsed.expr, BaseScope(dict(scope_attrs), self.base_scope))

    # --- paths and the store ---------------------------------------------------------

    def find_file(self, search_path: list[tuple[str, str]], name: str) -> str | None:
        """Resolve `<name>` against a search path; None when nothing matches."""
        for prefix, root in search_path:
            if prefix:
                if name != prefix and not name.startswith(prefix + "/"):
                    continue
                rest = name[len(prefix):].lstrip("/")
                candidate = os.path.join(root, rest) if rest else root
            else:
                candidate = os.path.join(root, name)
            if os.path.exists(candidate):
                return os.path.abspath(candidate)
        return _fallback_file(name)

    def copy_path_to_store(self, path: str) -> str:
        """The store path a source path gets when interpolated (computed once per path)."""
        cached = self.src_to_store.get(path)
        if cached is not None:
            return cached
        from nixlite.primops import store  # the store side computes (and writes) it

        result: str = store.copy_path_to_store(self, path)
        self.src_to_store[path] = result
        return result


def _fallback_file(name: str) -> str | None:
    """`<nixpkgs>` (and `<nixpkgs/…>`) mean nixlite's prelude when the search path lacks them.

    A fallback rather than a search-path entry, so that `__nixPath` shows the
    same list Nix shows.
    """
    if name != "nixpkgs" and not name.startswith("nixpkgs/"):
        return None
    import nixlite.prelude

    candidate = os.path.join(os.path.dirname(nixlite.prelude.__file__), name[len("nixpkgs"):].lstrip("/"))
    return os.path.abspath(candidate) if os.path.exists(candidate) else None


def resolve_import_path(path: str) -> str:
    """An imported directory means its default.nix."""
    if os.path.isdir(path):
        return os.path.join(path, "default.nix")
    return path


__all__ = ["EvalState", "current_state", "parse_search_path", "resolve_import_path"]
