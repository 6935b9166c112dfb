"""Realising derivations: scheduling, the sandboxed process runner, Python builders."""
