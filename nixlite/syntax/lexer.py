"""The Nix tokenizer: flex's longest-match rules and lexer states, in one place.

Nix's lexer (lexer.l) is a flex scanner with a stack of start states:
the expression state, STRING (`"…"`), IND_STRING (`''…''`), and INPATH /
INPATH_SLASH for paths with `${…}` interpolation. `{` and `${` push the
expression state and `}` pops it, which is how the scanner knows whether a
`}` closes an attribute set or an interpolation and returns to a string.

Tokens are plain tuples `(type, value, start, end)` with character offsets
into the text; the parser turns offsets into `Pos` only for the nodes it
builds. Token types are the terminals declared in grammar/nix.lark.

Longest match: flex picks the longest match among all rules and the first
rule on a tie. The expression-state regex below lists its alternatives so
that the first one Python's regex engine accepts is that same match (paths
before numbers and identifiers, URIs before identifiers, floats before
integers, multi-character operators before single characters).

Two shortcuts keep the parser fast without changing the grammar's language:
a `"…"` string without `${` becomes one STRING token, and a path without
interpolation one PATH token (Nix's PATH … PATH_END).
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Iterator

from nixlite.eval.errors import ParseError, hintfmt

Token = tuple  # (type, value, start offset, end offset)

# One match per token, with the blanks after it (possessive suffix): a token
# then starts where the previous match ended, and its end is its start plus
# its length, which is cheaper to work out in Python than asking the match.
# Only blanks at the start of the expression state are a match of their own
# (`blank`). Flex matches blanks and comments separately; where it leaves
# its location (Nix's end-of-file position) is worked out from the tokens
# only when the state changes (_state_changed, _flex_positions), not kept
# up to date per token.
#
# The first five groups are shortcuts for the commonest tokens, tried before
# the full list (where Python's regex engine would scan an identifier three
# times as a possible path or URI first). Each matches only where the full
# list gives the same token, and each starts with a character none of the
# others starts with:
# - `word` is an identifier that no path, URI or `'` continues. After the
#   possessive run of [a-zA-Z0-9_-] the next character is none of those; a
#   path needs a `/` after a run of path characters, a URI a `:` followed by
#   a URI character, and `'` would continue the identifier.
# - `punct`: operators and punctuation where no longer rule matches. `.`,
#   `+` and `-` are path characters: they are operators unless a run of
#   path characters and a `/` follow (a path), and `.` unless `...` or a
#   float (`.5`) starts there. `<` is not `<` before a path character (a
#   `<path>` may follow), nor `/` before a path character, `*` (a comment),
#   `/` or `$` (a path with `${`). `//`, `->`, `*`, `>` are always operators.
# - `brace`: `${`, `{` and `}`.
# - `string` is a whole "…" without `${`: one STRING token.
# - `int`: digits that no `.` (a float) or path continues.
_EXPR_RE = re.compile(
    r"""
    (?:
      (?P<word>[a-zA-Z_][a-zA-Z0-9_\-]*+)
        (?!['/]|[.+][a-zA-Z0-9._+\-]*+[/:]|:[a-zA-Z0-9%/?:@&=+$,\-_.!~*'])
    | (?P<punct>==|!=|&&|\|\||\|>|->|//|<=|>=|<\||[;=()\[\]:,@?!*>]
        |\.(?![.0-9]|[a-zA-Z0-9._+\-]*+/)|\+\+?+(?![a-zA-Z0-9._+\-]*+/)|-(?![a-zA-Z0-9._+\-]*+/)
        |<(?![a-zA-Z0-9._+\-])|/(?![a-zA-Z0-9._+\-*/$]))
    | (?P<brace>\$\{|[{}])
    | "(?P<string>(?:[^$"\\]++|\$[^{"\\]|\\[\s\S]|\$\\[\s\S])*+\$?)"
    | (?P<int>[0-9]++)(?![.a-zA-Z0-9_+\-]*+/|\.)
    | (?P<comment>\#[^\r\n]*|/\*(?:[^*]|\*+[^*/])*\*+/)
    | (?P<quote>")
    | (?P<path_interp>(?:[a-zA-Z0-9._+\-]*/|~/)(?=\$\{))
    | (?P<PATH>[a-zA-Z0-9._+\-]*(?:/[a-zA-Z0-9._+\-]+)+/?)
    | (?P<HPATH>~(?:/[a-zA-Z0-9._+\-]+)+/?)
    | (?P<SPATH><[a-zA-Z0-9._+\-]+(?:/[a-zA-Z0-9._+\-]+)*>)
    | (?P<URI>[a-zA-Z][a-zA-Z0-9+.\-]*:[a-zA-Z0-9%/?:@&=+$,\-_.!~*']+)
    | (?P<FLOAT>(?:[1-9][0-9]*\.[0-9]*|0?\.[0-9]+)(?:[Ee][+-]?[0-9]+)?)
    | (?P<INT>[0-9]+)
    | (?P<ID>[a-zA-Z_][a-zA-Z0-9_'\-]*)
    | (?P<op>\.\.\.|==|!=|<=|>=|&&|\|\||->|//|\+\+|\|>|<\||[()\[\];:,@=.?!+\-*/<>])
    | (?P<ind_open>''(?:\ *\n)?)
    | (?P<blank>[\ \t\r\n]++)
    | (?P<invalid>[\s\S])
    )
    [\ \t\r\n]*+
    """,
    re.VERBOSE,
)
_GROUP = _EXPR_RE.groupindex
_WORD, _PUNCT, _BRACE, _STRING, _SHORT_INT, _COMMENT = (
    _GROUP[g] for g in ("word", "punct", "brace", "string", "int", "comment"))
_QUOTE, _PATH_INTERP, _PATH, _HPATH, _SPATH, _URI = (
    _GROUP[g] for g in ("quote", "path_interp", "PATH", "HPATH", "SPATH", "URI"))
_FLOAT, _INT, _ID, _OP, _IND_OPEN, _BLANK = (_GROUP[g] for g in ("FLOAT", "INT", "ID", "op", "ind_open", "blank"))
# Blanks and comments, as flex matches them.
_TRIVIA_RE = re.compile(r"[\ \t\r\n]++|\#[^\r\n]*|/\*(?:[^*]|\*+[^*/])*\*+/")

KEYWORDS = {
    "if": "IF", "then": "THEN", "else": "ELSE", "assert": "ASSERT", "with": "WITH",
    "let": "LET", "in": "IN", "rec": "REC", "inherit": "INHERIT", "or": "OR_KW",
}
_OPERATORS = {
    "...": "ELLIPSIS", "==": "EQ", "!=": "NEQ", "<=": "LEQ", ">=": "GEQ", "&&": "AND",
    "||": "OR", "->": "IMPL", "//": "UPDATE", "++": "CONCAT", "|>": "PIPE_INTO",
    "<|": "PIPE_FROM", "${": "DOLLAR_CURLY",
}
_CHARS = {
    "{": "LBRACE", "}": "RBRACE", "(": "LPAREN", ")": "RPAREN", "[": "LBRACKET",
    "]": "RBRACKET", ";": "SEMI", ":": "COLON", ",": "COMMA", "@": "AT", "=": "ASSIGN",
    ".": "DOT", "?": "QUESTION", "!": "NOT", "+": "PLUS", "-": "MINUS", "*": "STAR",
    "/": "SLASH", "<": "LT", ">": "GT", '"': "DQUOTE",
}
_PUNCTUATION = {**_OPERATORS, **_CHARS}
# A character no rule of the grammar uses; bison calls it "invalid token".
INVALID = "INVALID"


def _raising(err: Exception):
    """An iterator that raises `err` when the parser asks for its first item."""
    raise err
    yield

# Inside "…": flex's STR rule.
_STR_RE = re.compile(r"""(?:[^$"\\]|\$[^{"\\]|\\[\s\S]|\$\\[\s\S])*\$(?=")|(?:[^$"\\]|\$[^{"\\]|\\[\s\S]|\$\\[\s\S])+""")
_ESCAPE_RE = re.compile(r"\\([\s\S])|\r\n?")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}
# Inside ''…'': flex's IND_STR rule.
_IND_STR_RE = re.compile(r"(?:[^$']|\$[^{']|'[^'$])+")
# Inside an interpolated path: the next literal segment.
_PATH_PART_RE = re.compile(r"[a-zA-Z0-9._+\-]*(?:/[a-zA-Z0-9._+\-]+)+/?|[a-zA-Z0-9._+\-]*/|[a-zA-Z0-9._+\-]+")

INT_MAX = 2**63 - 1
_DBL_MIN = 2.2250738585072014e-308


def _unescape_match(m: re.Match) -> str:
    c = m.group(1)
    if c is None:  # a CR or CR/LF in the source is a newline in the string
        return "\n"
    return _ESCAPES.get(c, c)  # `\` + CR keeps the CR, as Nix's unescapeStr does


def unescape(raw: str) -> str:
    """The value of a `"…"` string segment: `\\n \\r \\t`, other `\\c` is `c`, CR/LF is LF."""
    if "\0" in raw:  # Nix's unescapeStr stops at a NUL byte
        raw = raw[:raw.index("\0")]
    if "\\" not in raw and "\r" not in raw:
        return raw
    return _ESCAPE_RE.sub(_unescape_match, raw)


class Lexer:
    """Turns Nix source text into tokens; raises ParseError for lexical errors."""

    def __init__(self, text: str, error_pos) -> None:
        self.text = text
        self.error_pos = error_pos  # offset -> Pos, for the errors raised here
        # Start of the last thing matched (token, blank or comment): Nix reports
        # an unexpected end of file there, as flex leaves its location there.
        self.last_start = 0
        self.prev_start = 0  # start of the match before the last one
        self.path_at_end = False
        self.eof_offset = 0
        self.path_token_start = self.path_first_start = 0
        self.out: list[Token] = []  # the tokens scanned so far

    def _error(self, message: str, offset: int) -> ParseError:
        return ParseError(message, self.error_pos(offset))

    def tokens(self) -> Iterator[Token]:
        """All tokens, then ("$END", None, p, p) where p is Nix's end-of-file position.

        The whole text is scanned first; a lexical error is raised only
        after the tokens before it, where the parser would have asked for
        the token that fails (a syntax error before it still comes first).
        """
        try:
            self._scan()
        except ParseError as err:
            return chain(self.out, _raising(err))
        return iter(self.out)

    def _scan(self) -> None:
        n = len(self.text)
        # The state stack: "expr" (bottom, and after `{` / `${`), "str", "ind",
        # "path" and "path/" (flex's INPATH and INPATH_SLASH).
        stack = ["expr"]
        i = 0
        while i < n:
            mode = stack[-1]
            if mode == "expr":
                i = self._expr_tokens(i, stack)
            elif mode == "str":
                i = self._string_body(i, stack)
            elif mode == "ind":
                i = self._ind_string_body(i, stack)
            else:
                i = self._path_continue(i, stack)
        if stack[-1] == "path/":
            raise self._error("path has a trailing slash", self.last_start)
        end = self.prev_start if self.path_at_end else self.last_start
        if stack[-1] == "path":
            # A path ends at the end of the input too; Nix then places both
            # PATH_END and the end of file at the match before the last one.
            end = self.prev_start
            self.out.append(("PATH_END", None, end, n))
        self.eof_offset = end
        self.out.append(("$END", None, end, end))

    def _expr_tokens(self, i: int, stack: list) -> int:
        """Tokens of the expression state, until the input ends or the state changes."""
        run_start = i
        emit = self.out.append
        keywords, punct = KEYWORDS, _PUNCTUATION
        word_kind, punct_kind, brace_kind, string_kind, int_kind = _WORD, _PUNCT, _BRACE, _STRING, _SHORT_INT
        for m in iter(_EXPR_RE.scanner(self.text, i).match, None):  # `i`: where m's token starts
            kind = m.lastindex
            if kind == word_kind:
                word = m[kind]
                emit((keywords.get(word, "ID"), word, i, i + len(word)))
            elif kind == punct_kind:
                op = m[kind]
                emit((punct[op], op, i, i + len(op)))
            elif kind == brace_kind:
                brace = m[kind]
                if brace != "}":
                    stack.append("expr")
                elif len(stack) > 1:
                    stack.pop()
                emit((punct[brace], brace, i, i + len(brace)))
                if stack[-1] != "expr":  # a `}` that returns to a string or path
                    break
            elif kind == string_kind:
                body = m[kind]
                emit(("STRING", unescape(body), i, i + len(body) + 2))
            elif kind == int_kind:
                digits = m[kind]
                emit(("INT", self._int(digits, i), i, i + len(digits)))
            elif self._other_token(kind, m, i, stack):
                break
            i = m.end()
        else:  # the end of the input
            self._flex_positions(run_start, i)
            return i
        return self._state_changed(run_start)

    def _flex_positions(self, run_start: int, end: int) -> None:
        """Set prev_start and last_start (see __init__) after the expression state from run_start to `end`.

        Flex's matches there are the tokens emitted since run_start (a whole
        "…" counts as its two quotes) and the blanks and comments between
        them; only the last two matter, found going back from `end`.
        """
        out = self.out
        starts: list[int] = []  # flex's last matches, in order
        k = len(out) - 1
        while True:
            token = out[k] if k >= 0 and out[k][2] >= run_start else None
            starts[:0] = self._trivia_starts(token[3] if token else run_start, end)
            if token is None or len(starts) >= 2:
                break
            starts[:0] = (token[2], token[3] - 1) if token[0] == "STRING" else (token[2],)
            end = token[2]
            k -= 1
        starts[:0] = (self.prev_start, self.last_start)
        self.prev_start, self.last_start = starts[-2:]

    def _state_changed(self, run_start: int) -> int:
        """Set flex's positions after the token that changed the state; returns its end.

        The blanks matched after that token are not the expression state's.
        The quick cases: the match before the token is the token before it,
        or blanks after that one (a gap without comments, as only blanks
        and comments are between tokens).
        """
        out = self.out
        start, end = out[-1][2:]
        if start == run_start:
            self.prev_start, self.last_start = self.last_start, start
            return end
        before = out[-2] if len(out) > 1 else None
        gap_start = before[3] if before is not None and before[2] >= run_start else run_start
        if gap_start == start:  # (then `before` is in the run: start > run_start)
            self.prev_start = before[3] - 1 if before[0] == "STRING" else before[2]
            self.last_start = start
        elif self.text[gap_start:start].isspace():
            self.prev_start, self.last_start = gap_start, start
        else:
            self._flex_positions(run_start, end)
        return end

    def _trivia_starts(self, i: int, j: int) -> list[int]:
        """Where flex's matches of the blanks and comments between i and j start."""
        if i == j:
            return []
        m = _TRIVIA_RE.match(self.text, i, j)
        if m.end() == j:
            return [i]
        return [m.start() for m in _TRIVIA_RE.finditer(self.text, i, j)]

    def _other_token(self, kind: int, m: re.Match, i: int, stack: list) -> bool:
        """The rarer tokens of the expression state; True if the state changed."""
        value = m[kind]
        j = i + len(value)
        if kind == _QUOTE:  # a "…" with `${` (or unterminated): its parts are tokens
            stack.append("str")
            self.out.append(("DQUOTE", '"', i, j))
            return True
        if kind == _IND_OPEN:
            stack.append("ind")
            self.out.append(("IND_OPEN", None, i, j))
            return True
        if kind in (_PATH, _HPATH, _PATH_INTERP):
            self._path(value, i, j, stack)
            return stack[-1] != "expr"
        if kind != _COMMENT and kind != _BLANK:
            self.out.append(self._literal(kind, value, i, j))
        return False

    def _literal(self, kind: int, text: str, i: int, j: int) -> Token:
        if kind == _ID:
            return (KEYWORDS.get(text, "ID"), text, i, j)
        if kind == _OP:
            return (_PUNCTUATION[text], text, i, j)
        if kind == _INT:
            return ("INT", self._int(text, i), i, j)
        if kind == _FLOAT:
            return ("FLOAT", self._float(text, i), i, j)
        if kind == _SPATH:
            return ("SPATH", text[1:-1], i, j)
        if kind == _URI:
            return ("URI", text, i, j)
        return (INVALID, text, i, j)

    # -- numbers --------------------------------------------------------------

    def _int(self, digits: str, at: int) -> int:
        value = int(digits)
        if value > INT_MAX:
            raise self._error(hintfmt("invalid integer '{}'", digits), at)
        return value

    def _float(self, literal: str, at: int) -> float:
        value = float(literal)
        # C's strtod reports overflow and underflow (a subnormal or lost result).
        if value == float("inf") or (value < _DBL_MIN and re.search(r"[1-9]", literal.split("e")[0].split("E")[0])):
            raise self._error(hintfmt("invalid float '{}'", literal), at)
        return value

    # -- "…" strings ----------------------------------------------------------

    def _string_body(self, i: int, stack: list):
        """Tokens inside "…", until the string or the input ends or `${` starts."""
        text = self.text
        n = len(text)
        emit = self.out.append
        last = self.last_start
        while i < n:
            prev, last = last, i  # each token here is one flex match
            if text[i] == '"':
                stack.pop()
                emit(("DQUOTE", '"', i, i + 1))
                i += 1
                break
            if text.startswith("${", i):
                stack.append("expr")
                emit(("DOLLAR_CURLY", "${", i, i + 2))
                i += 2
                break
            m = _STR_RE.match(text, i)
            if m is None:  # a lone `$` or `\` at the end of the input
                emit(("STR", "", i, n))
                i = n
                break
            emit(("STR", unescape(m.group()), i, m.end()))
            i = m.end()
        self.prev_start, self.last_start = prev, last
        return i

    # -- ''…'' strings --------------------------------------------------------

    def _ind_string_body(self, i: int, stack: list):
        """Tokens inside ''…'', until the string or the input ends or `${` starts.

        IND_STR values are (text, has_indentation): escapes do not count as indentation.
        """
        text = self.text
        n = len(text)
        emit = self.out.append
        last = self.last_start
        while i < n:
            prev, last = last, i  # each token here is one flex match
            if text.startswith("''", i):
                j = self._ind_escape(i)
                if j is None:
                    stack.pop()
                    emit(("IND_CLOSE", None, i, i + 2))
                    i += 2
                    break
                i = j
            elif text.startswith("${", i):
                stack.append("expr")
                emit(("DOLLAR_CURLY", "${", i, i + 2))
                i += 2
                break
            else:
                m = _IND_STR_RE.match(text, i)
                if m is not None:
                    emit(("IND_STR", (m.group(), True), i, m.end()))
                    i = m.end()
                else:  # a lone `$` or `'`
                    emit(("IND_STR", (text[i], False), i, i + 1))
                    i += 1
        self.prev_start, self.last_start = prev, last
        return i

    def _ind_escape(self, i: int) -> int | None:
        """The escape at a `''` (`''$`, `'''`, `''\\c`): emitted, returns its end; None if it closes the string."""
        text = self.text
        nxt = text[i + 2:i + 3]
        if nxt == "$":
            value, j = "$", i + 3
        elif nxt == "'":
            value, j = "''", i + 3
        elif nxt == "\\" and i + 3 < len(text):
            value, j = unescape(text[i + 2:i + 4]), i + 4
        else:
            return None
        self.out.append(("IND_STR", (value, False), i, j))
        return j

    # -- paths ----------------------------------------------------------------

    def _path(self, raw: str, i: int, j: int, stack: list):
        text = self.text
        slash = raw.endswith("/")
        # After a trailing slash, flex's INPATH_SLASH state still accepts `${`
        # or more path text (`/a//b`: PATH, STR, PATH_END, which the grammar rejects).
        if text.startswith("${", j) or (slash and _PATH_PART_RE.match(text, j)):
            stack.append("path/" if slash else "path")
            self.path_token_start = self.path_first_start = i
            self.out.append(("PATH_START", raw, i, j))
            return j
        if slash:
            raise self._error("path has a trailing slash", i if j >= len(text) else j)
        self.path_at_end = j == len(text)  # flex is still inside the path at the end of file
        self.out.append(("PATH", raw, i, j))
        return j

    def _path_continue(self, i: int, stack: list):
        text = self.text
        if text.startswith("${", i):
            self.prev_start, self.last_start = self.last_start, i
            stack[-1] = "path"
            stack.append("expr")
            self.out.append(("DOLLAR_CURLY", "${", i, i + 2))
            return i + 2
        m = _PATH_PART_RE.match(text, i)
        if m is not None:
            self.prev_start, self.last_start = self.last_start, i
            self.path_token_start = i
            stack[-1] = "path/" if m.group().endswith("/") else "path"
            self.out.append(("STR", m.group(), i, m.end()))
            return m.end()
        if stack[-1] == "path/":
            raise self._error("path has a trailing slash", i)
        stack.pop()
        # Nix places PATH_END where the path's last token starts.
        self.out.append(("PATH_END", None, self.path_token_start, i))
        return i
