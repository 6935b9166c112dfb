"""The lazy evaluator: values, thunks, scopes, the compiler from AST to closures, errors."""
