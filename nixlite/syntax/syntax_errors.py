"""Syntax error messages worded as Nix's bison parser words them.

    error: syntax error, unexpected '}', expecting ';'

Bison reports the unexpected token and, when there are at most four, the
tokens it could have accepted instead. It detects an error only in a state
without reductions: a state with reductions reduces by its most common rule
whatever the lookahead ("default reductions"). The expected list is that
state's shifts. To word errors like Nix, the failing LALR stack is replayed
the same way here: take default reductions until a state has none, then
list its terminals under bison's names.
"""

from __future__ import annotations

from collections import Counter

from nixlite.eval.errors import ParseError

# Our terminal -> bison's name for it in Nix's parser.y.
BISON_NAMES = {
    "ID": "ID", "INT": "INT", "FLOAT": "FLOAT", "STRING": "'\"'", "STR": "STR", "IND_STR": "IND_STR",
    "PATH": "PATH", "PATH_START": "PATH", "PATH_END": "PATH_END", "SPATH": "SPATH", "URI": "URI",
    "IF": "IF", "THEN": "THEN", "ELSE": "ELSE", "ASSERT": "ASSERT", "WITH": "WITH", "LET": "LET",
    "IN": "IN", "REC": "REC", "INHERIT": "INHERIT", "OR_KW": "OR_KW", "ELLIPSIS": "ELLIPSIS",
    "EQ": "EQ", "NEQ": "NEQ", "LEQ": "LEQ", "GEQ": "GEQ", "LT": "'<'", "GT": "'>'", "AND": "AND",
    "OR": "OR", "IMPL": "IMPL", "UPDATE": "UPDATE", "CONCAT": "CONCAT", "PIPE_INTO": "PIPE_INTO",
    "PIPE_FROM": "PIPE_FROM", "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "SLASH": "'/'",
    "NOT": "'!'", "QUESTION": "'?'", "DOT": "'.'", "COLON": "':'", "SEMI": "';'", "COMMA": "','",
    "AT": "'@'", "ASSIGN": "'='", "LBRACE": "'{'", "RBRACE": "'}'", "LPAREN": "'('", "RPAREN": "')'",
    "LBRACKET": "'['", "RBRACKET": "']'", "DQUOTE": "'\"'", "DOLLAR_CURLY": "DOLLAR_CURLY",
    "IND_OPEN": "IND_STRING_OPEN", "IND_CLOSE": "IND_STRING_CLOSE", "$END": "end of file",
    "INVALID": "invalid token",
}
# Terminals that exist only in nixlite's token stream (shortcuts for a whole
# string or path) and are never listed as expected: bison lists '"' / PATH.
_HIDDEN = {"STRING", "PATH_START"}
_MAX_EXPECTED = 4
# Bison lists expected tokens by symbol number: end of file, the %token
# declarations of Nix's parser.y, the tokens first named in its precedence
# declarations, then character tokens in the order the rules first use them
# (so '"' comes after DOLLAR_CURLY, as Nix prints).
_BISON_ORDER = (
    "end of file", "invalid token", "ID", "ATTRPATH", "STR", "IND_STR", "INT", "FLOAT", "PATH", "HPATH",
    "SPATH", "PATH_END", "URI", "IF", "THEN", "ELSE", "ASSERT", "WITH", "LET", "IN", "REC", "INHERIT", "EQ",
    "NEQ", "AND", "OR", "IMPL", "OR_KW", "DOLLAR_CURLY", "IND_STRING_OPEN", "IND_STRING_CLOSE", "ELLIPSIS",
    "'<'", "'>'", "LEQ", "GEQ", "UPDATE", "NOT", "'+'", "'-'", "'*'", "'/'", "CONCAT", "'?'", "NEGATE",
    "':'", "'{'", "'}'", "'@'", "';'", "'!'", "'.'", "'\"'", "'('", "')'", "'['", "']'", "'='", "','",
    "PIPE_FROM", "PIPE_INTO",
)
_BISON_RANK = {name: i for i, name in enumerate(_BISON_ORDER)}


def _bison_number(name: str) -> int:
    return _BISON_RANK.get(name, len(_BISON_ORDER))


def _default_reduction(row: dict):
    reductions = Counter(a for a in row.values() if a < 0)
    if not reductions:
        return None
    return reductions.most_common(1)[0][0]


_NON_ASSOC = {"EQ": "eq", "NEQ": "eq", "LT": "cmp", "GT": "cmp", "LEQ": "cmp", "GEQ": "cmp"}


def _expected(token: str, state_stack: list, states: list, rules: list, end_state: int) -> list[str]:
    stack = list(state_stack)
    non_assoc_level = _NON_ASSOC.get(token)
    for _ in range(10_000):  # default reductions, as bison takes them
        row = states[stack[-1]]
        action = _default_reduction(row)
        if action is None:
            break
        origin, n, _name = rules[~action]
        if n == 3 and origin == non_assoc_level:
            # `a == b == c`: bison's %nonassoc makes this an error in the state
            # after `a == b`, whose many operator shifts are not listed.
            return []
        if n:
            del stack[-n:]
        goto = states[stack[-1]].get(origin)
        if goto is None:
            break
        stack.append(goto)
    if stack[-1] == end_state:
        return ["end of file"]
    row = states[stack[-1]]
    names: list[str] = []
    for terminal in row:
        if terminal.isupper() or terminal == "$END":
            name = BISON_NAMES.get(terminal, terminal)
            if terminal not in _HIDDEN and name not in names:
                names.append(name)
    return sorted(names, key=_bison_number)


def syntax_error(tok, state_stack: list, builder, states: list, rules: list, end_state: int) -> ParseError:
    """The ParseError Nix reports for the unexpected token `tok` in this parser state."""
    unexpected = BISON_NAMES.get(tok[0], tok[0])
    if tok[0] == "STRING":
        unexpected = "'\"'"
    elif tok[0] in ("PATH", "PATH_START") and tok[1].startswith("~"):
        unexpected = "HPATH"
    message = f"syntax error, unexpected {unexpected}"
    expected = _expected(tok[0], state_stack, states, rules, end_state)
    if expected and len(expected) <= _MAX_EXPECTED:
        message += ", expecting " + " or ".join(expected)
    return ParseError(message, builder.pos(tok[2]))
