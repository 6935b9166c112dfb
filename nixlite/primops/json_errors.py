"""The error message Nix's JSON parser (nlohmann/json) gives for invalid JSON.

`builtins.fromJSON` parses with Python's json module; only when that fails
does this module re-read the text the way nlohmann's lexer and parser do, to
word the error exactly as Nix 2.8 prints it:

    [json.exception.parse_error.101] parse error at line 1, column 2:
    syntax error while parsing object key - unexpected end of input; expected string literal

Facts reproduced: positions count bytes read so far on the line, end of
input included; "last read" shows the bytes the lexer collected since the
last string or number token began (structural characters, whitespace and
literals do not reset it), control characters as `<U+000A>`; an invalid
token in value position reports no expected token, elsewhere it does.
"""

from __future__ import annotations

_EOF = -1
_CONTROL_NAMES = ["NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR", "SO",
                  "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS",
                  "RS", "US"]
_SHORT_ESCAPES = {8: "b", 9: "t", 10: "n", 12: "f", 13: "r"}
_TOKEN_NAMES = {
    "[": "'['", "]": "']'", "{": "'{'", "}": "'}'", ":": "':'", ",": "','", "true": "'true'", "false": "'false'",
    "null": "'null'", "string": "string literal", "number": "number literal", "eof": "end of input",
    "value": "'[', '{', or a literal",
}


class _Failure(Exception):
    pass


class _Lexer:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.line = 0
        self.column = 0
        self.current = _EOF
        self.token = bytearray()
        self.error = ""

    def get(self) -> int:
        self.column += 1
        self.current = self.data[self.pos] if self.pos < len(self.data) else _EOF
        self.pos += 1
        if self.current != _EOF:
            self.token.append(self.current)
        if self.current == 10:
            self.line += 1
            self.column = 0
        return self.current

    def unget(self) -> None:
        self.pos -= 1
        if self.column == 0:
            self.line = max(self.line - 1, 0)
        else:
            self.column -= 1
        if self.current != _EOF:
            self.token.pop()

    def token_string(self) -> str:
        return "".join(f"<U+{b:04X}>" if b <= 0x1F else chr(b) for b in self.token.decode("latin-1").encode("latin-1"))

    def fail(self, message: str) -> str:
        self.error = message
        return "error"

    def scan(self) -> str:
        c = self.get()
        while c in (32, 9, 10, 13):
            c = self.get()
        if c == _EOF:
            return "eof"
        ch = chr(c)
        if ch in "[]{}:,":
            return ch
        for word in ("true", "false", "null"):
            if ch == word[0]:
                return self._literal(word)
        if ch == '"':
            return self._string()
        if ch == "-" or ch.isdigit():
            return self._number()
        return self.fail("invalid literal")

    def _literal(self, word: str) -> str:
        for expected in word[1:]:
            if self.get() != ord(expected):
                return self.fail("invalid literal")
        return word

    def _reset(self) -> None:
        self.token = bytearray([self.current])

    def _digits(self) -> int:
        c = self.get()
        while 48 <= c <= 57:
            c = self.get()
        return c

    def _number(self) -> str:
        self._reset()
        c = self.current
        if c == 45:  # '-'
            c = self.get()
            if not 48 <= c <= 57:
                return self.fail("invalid number; expected digit after '-'")
        c = self.get() if c == 48 else self._digits()
        if c == 46:  # '.'
            if not 48 <= self.get() <= 57:
                return self.fail("invalid number; expected digit after '.'")
            c = self._digits()
        if c in (101, 69):  # 'e', 'E'
            c = self.get()
            if c in (43, 45):
                if not 48 <= self.get() <= 57:
                    return self.fail("invalid number; expected digit after exponent sign")
            elif not 48 <= c <= 57:
                return self.fail("invalid number; expected '+', '-', or digit after exponent")
            self._digits()
        self.unget()
        return "number"

    def _string(self) -> str:
        self._reset()
        while True:
            c = self.get()
            if c == _EOF:
                return self.fail("invalid string: missing closing quote")
            if c == 34:
                return "string"
            if c == 92:
                problem = self._escape()
                if problem:
                    return self.fail(problem)
            elif c <= 0x1F:
                short = f" or \\{_SHORT_ESCAPES[c]}" if c in _SHORT_ESCAPES else ""
                return self.fail(f"invalid string: control character U+{c:04X} ({_CONTROL_NAMES[c]}) "
                                 f"must be escaped to \\u{c:04X}{short}")

    def _escape(self) -> str:
        c = self.get()
        if c != _EOF and chr(c) in '"\\/bfnrt':
            return ""
        if c != 117:  # 'u'
            return "invalid string: forbidden character after backslash"
        cp = self._codepoint()
        if cp < 0:
            return "invalid string: '\\u' must be followed by 4 hex digits"
        if 0xDC00 <= cp <= 0xDFFF:
            return "invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF"
        if 0xD800 <= cp <= 0xDBFF:
            if self.get() != 92 or self.get() != 117:
                return "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF"
            low = self._codepoint()
            if low < 0:
                return "invalid string: '\\u' must be followed by 4 hex digits"
            if not 0xDC00 <= low <= 0xDFFF:
                return "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF"
        return ""

    def _codepoint(self) -> int:
        value = 0
        for _ in range(4):
            c = self.get()
            if c == _EOF or chr(c) not in "0123456789abcdefABCDEF":
                return -1
            value = value * 16 + int(chr(c), 16)
        return value


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.lexer = _Lexer(data)
        self.last = ""

    def next(self) -> str:
        self.last = self.lexer.scan()
        return self.last

    def fail(self, context: str, expected: str | None) -> _Failure:
        lx = self.lexer
        msg = f"syntax error while parsing {context} - "
        if self.last == "error":
            msg += f"{lx.error}; last read: '{lx.token_string()}'"
        else:
            msg += f"unexpected {_TOKEN_NAMES[self.last]}"
        if expected:
            msg += f"; expected {_TOKEN_NAMES[expected]}"
        return _Failure(f"[json.exception.parse_error.101] parse error at line {lx.line + 1}, "
                        f"column {lx.column}: {msg}")

    def value(self) -> None:
        token = self.last
        if token == "{":
            self._object()
        elif token == "[":
            self._array()
        elif token == "error":
            raise self.fail("value", None)
        elif token not in ("true", "false", "null", "string", "number"):
            raise self.fail("value", "value")

    def _object(self) -> None:
        if self.next() == "}":
            return
        while True:
            if self.last != "string":
                raise self.fail("object key", "string")
            if self.next() != ":":
                raise self.fail("object separator", ":")
            self.next()
            self.value()
            if self.next() == "}":
                return
            if self.last != ",":
                raise self.fail("object", "}")
            self.next()

    def _array(self) -> None:
        if self.next() == "]":
            return
        while True:
            self.value()
            if self.next() == "]":
                return
            if self.last != ",":
                raise self.fail("array", "]")
            self.next()


def json_error_message(data: bytes) -> str | None:
    """Nix's message for the first error in `data`, or None if nlohmann would accept it."""
    parser = _Parser(data)
    try:
        parser.next()
        parser.value()
        if parser.next() != "eof":
            raise parser.fail("value", "eof")
    except _Failure as failure:
        return str(failure)
    return None


__all__ = ["json_error_message"]
