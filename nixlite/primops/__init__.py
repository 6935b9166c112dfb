"""The `builtins` set: one module per family, registered into one table."""
