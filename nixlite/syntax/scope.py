"""Static scope check (placeholder, completed below)."""


def check_scope(expr, base_names=None):
    return None
