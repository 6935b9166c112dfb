"""The cached LALR tables (_tables.py) belong to the current grammar/nix.lark."""

from nixlite.syntax import _tables, tables


def test_cached_tables_are_current():
    text = tables.grammar_text()
    cached = tables._from_json(_tables.TABLES_JSON)
    assert cached["GRAMMAR"] == text, "run: python -m nixlite.syntax.tables"
