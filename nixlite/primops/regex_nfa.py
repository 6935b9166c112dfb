"""libstdc++'s regex search, re-enacted for patterns Python would match differently.

`builtins.split` searches with `std::regex_iterator` over a
`std::regex::extended` pattern. libstdc++ runs such a search as a depth-first
walk of an NFA built the way its compiler builds it, with POSIX rules only
half applied: at an alternation both branches are explored and the longer
match wins, but a repetition that already found a match in its greedy branch
never tries the shorter one. The result differs from both Python (first
alternative wins) and true POSIX (leftmost-longest overall), e.g.
`split "a|[a-c]|a?(ab.|a*b|a+)" "abbbbb"` first matches "ab" with group "b".

This module builds that NFA (alternation nested to the left, `?`, `*`, `+`
and `{m,n}` as libstdc++'s repeat states, groups as begin/end states) and
runs libstdc++'s executor on it: `_M_dfs` with `_M_has_sol`, the per-repeat
loop guard `_M_rep_count`, capture save/restore, and the solution kept only
when strictly longer. `search` is `regex_search`; `iterate` is
`regex_iterator`'s walk with its empty-match rule. Only `regex.py` calls it,
for patterns that have both alternation and repetition, on short subjects.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

# State kinds.
_MATCH, _ALT, _REPEAT, _SUB_BEGIN, _SUB_END, _BOL, _EOL, _DUMMY, _ACCEPT = range(9)
_INF = -1


class _Nfa:
    def __init__(self) -> None:
        self.kind: list[int] = []
        self.next: list[int] = []
        self.alt: list[int] = []
        self.arg: list[Any] = []  # byte set for _MATCH, group index for _SUB_*

    def add(self, kind: int, arg: Any = None, next_: int = -1, alt: int = -1) -> int:
        self.kind.append(kind)
        self.next.append(next_)
        self.alt.append(alt)
        self.arg.append(arg)
        return len(self.kind) - 1


class _Builder:
    """Pattern text -> NFA fragments (start, end); `end` is a dummy whose `next` is patched."""

    def __init__(self, pattern: str, bracket_set: Any) -> None:
        self.p = pattern
        self.i = 0
        self.nfa = _Nfa()
        self.groups = 0
        self.bracket_set = bracket_set

    def frag(self, kind: int, arg: Any = None) -> tuple[int, int]:
        end = self.nfa.add(_DUMMY)
        return self.nfa.add(kind, arg, end), end

    def link(self, a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        self.nfa.next[a[1]] = b[0]
        return a[0], b[1]

    def disjunction(self) -> Any:
        """A list of alternatives, each a list of (atom builder, quantifier) pieces."""
        branches = [self.alternative()]
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            branches.append(self.alternative())
        return branches

    def alternative(self) -> list[Any]:
        pieces: list[Any] = []
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            atom = self.atom()
            if atom[0] == "bytes" and len(atom[1]) > 1:
                # Nix matches bytes: a quantifier applies to the last byte of a character.
                pieces.extend((("bytes", atom[1][k:k + 1]), []) for k in range(len(atom[1]) - 1))
                atom = ("bytes", atom[1][-1:])
            quants = []
            while self.i < len(self.p) and self.p[self.i] in "*+?{":
                quants.append(self.quantifier())
            pieces.append((atom, quants))
        return pieces

    def atom(self) -> Any:
        c = self.p[self.i]
        if c == "(":
            self.i += 1
            self.groups += 1
            index = self.groups
            inner = self.disjunction()
            self.i += 1  # ')'
            return ("group", index, inner)
        if c == "[":
            end = _bracket_end(self.p, self.i)
            text = self.p[self.i:end]
            self.i = end
            return ("set", self.bracket_set(text))
        self.i += 1
        if c == "\\":
            c = self.p[self.i]
            self.i += 1
            return ("set", frozenset(c.encode("utf-8", "surrogateescape")[:1]))
        if c == ".":
            return ("set", frozenset(range(1, 256)))
        if c in "^$":
            return ("anchor", c)
        data = c.encode("utf-8", "surrogateescape")
        return ("bytes", data)

    def quantifier(self) -> tuple[int, int]:
        c = self.p[self.i]
        self.i += 1
        if c == "*":
            return 0, _INF
        if c == "+":
            return 1, _INF
        if c == "?":
            return 0, 1
        m = re.compile(r"(\d+)(,(\d*))?\}").match(self.p, self.i)
        assert m is not None  # validated by the translation to Python first
        self.i = m.end()
        low = int(m.group(1))
        high = low if m.group(2) is None else (_INF if m.group(3) == "" else int(m.group(3)))
        return low, high

    # --- emitting states -----------------------------------------------------------

    def emit_disjunction(self, branches: list[Any]) -> tuple[int, int]:
        result = self.emit_alternative(branches[0])
        for branch in branches[1:]:
            right = self.emit_alternative(branch)
            end = self.nfa.add(_DUMMY)
            self.nfa.next[result[1]] = end
            self.nfa.next[right[1]] = end
            # libstdc++: _M_alt is the left alternative, _M_next the right one.
            result = (self.nfa.add(_ALT, None, right[0], result[0]), end)
        return result

    def emit_alternative(self, pieces: list[Any]) -> tuple[int, int]:
        result = self.frag(_DUMMY)
        for atom, quants in pieces:
            result = self.link(result, self.emit_quantified(atom, quants))
        return result

    def emit_atom(self, atom: Any) -> tuple[int, int]:
        kind = atom[0]
        if kind == "group":
            begin = self.frag(_SUB_BEGIN, atom[1])
            inner = self.emit_disjunction(atom[2])
            return self.link(self.link(begin, inner), self.frag(_SUB_END, atom[1]))
        if kind == "set":
            return self.frag(_MATCH, atom[1])
        if kind == "anchor":
            return self.frag(_BOL if atom[1] == "^" else _EOL)
        result = self.frag(_MATCH, frozenset(atom[1][:1]))
        for byte in atom[1][1:]:  # a multi-byte character is a sequence of bytes
            result = self.link(result, self.frag(_MATCH, frozenset((byte,))))
        return result

    def emit_quantified(self, atom: Any, quants: list[tuple[int, int]]) -> tuple[int, int]:
        if not quants:
            return self.emit_atom(atom)
        low, high = quants[-1]
        inner = (lambda: self.emit_quantified(atom, quants[:-1]))
        return self.emit_repeat(inner, low, high)

    def emit_repeat(self, body: Any, low: int, high: int) -> tuple[int, int]:
        result = self.frag(_DUMMY)
        for _ in range(low):
            result = self.link(result, body())
        if high == _INF:
            loop_body = body()
            end = self.nfa.add(_DUMMY)
            rep = self.nfa.add(_REPEAT, None, end, loop_body[0])
            self.nfa.next[loop_body[1]] = rep
            return self.link(result, (rep, end))
        end = self.nfa.add(_DUMMY)
        for _ in range(high - low):
            optional = body()
            rep = self.nfa.add(_REPEAT, None, end, optional[0])  # alt: match more; next: skip the rest
            self.nfa.next[result[1]] = rep
            result = (result[0], optional[1])
        self.nfa.next[result[1]] = end
        return result[0], end


def _bracket_end(p: str, i: int) -> int:
    j = i + 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":
        j += 1
    while p[j] != "]":
        if p[j] == "[" and p[j + 1] in ":.=":
            j = p.index(p[j + 1] + "]", j + 2) + 2
        else:
            j += 1
    return j + 1


class Program:
    """A compiled pattern: the NFA and its number of groups."""

    def __init__(self, pattern: str, bracket_set: Any) -> None:
        b = _Builder(pattern, bracket_set)
        tree = b.disjunction()
        body = b.emit_disjunction(tree)
        accept = b.nfa.add(_ACCEPT)
        b.nfa.next[body[1]] = accept
        self.nfa = b.nfa
        self.start = body[0]
        self.groups = b.groups


class _Executor:
    """One regex_search attempt from one start position (libstdc++'s _Executor, DFS mode)."""

    def __init__(self, prog: Program, data: bytes, begin: int, not_null: bool, prev_avail: bool) -> None:
        self.nfa = prog.nfa
        self.data = data
        self.begin = begin
        self.cur = begin
        self.not_null = not_null
        self.prev_avail = prev_avail
        self.has_sol = False
        self.sol_pos = -1
        self.cur_results: list[list[Any]] = [[-1, -1, False] for _ in range(prog.groups + 1)]
        self.results: list[list[Any]] | None = None
        self.rep_count: dict[int, list[int]] = {}

    def dfs(self, i: int) -> None:
        nfa = self.nfa
        kind = nfa.kind[i]
        if kind == _MATCH:
            if self.cur < len(self.data) and self.data[self.cur] in nfa.arg[i]:
                self.cur += 1
                self.dfs(nfa.next[i])
                self.cur -= 1
        elif kind == _DUMMY:
            self.dfs(nfa.next[i])
        elif kind == _ALT:
            self.dfs(nfa.alt[i])
            found = self.has_sol
            self.has_sol = False
            self.dfs(nfa.next[i])
            self.has_sol |= found
        elif kind == _REPEAT:
            self.repeat_once_more(i)
            if not self.has_sol:  # a greedy repeat that matched never tries fewer
                self.dfs(nfa.next[i])
        elif kind == _SUB_BEGIN:
            res = self.cur_results[nfa.arg[i]]
            back = res[0]
            res[0] = self.cur
            self.dfs(nfa.next[i])
            res[0] = back
        elif kind == _SUB_END:
            res = self.cur_results[nfa.arg[i]]
            back = res[:]
            res[1], res[2] = self.cur, True
            self.dfs(nfa.next[i])
            res[:] = back
        elif kind == _BOL:
            if self.cur == 0 and not self.prev_avail:
                self.dfs(nfa.next[i])
        elif kind == _EOL:
            if self.cur == len(self.data):
                self.dfs(nfa.next[i])
        else:
            self.accept()

    def repeat_once_more(self, i: int) -> None:
        count = self.rep_count.get(i)
        if count is None or count[1] == 0 or count[0] != self.cur:
            back = None if count is None else count[:]
            self.rep_count[i] = [self.cur, 1]
            self.dfs(self.nfa.alt[i])
            if back is None:
                del self.rep_count[i]
            else:
                self.rep_count[i] = back
        elif count[1] < 2:  # an empty iteration may repeat once at the same place
            count[1] += 1
            self.dfs(self.nfa.alt[i])
            count[1] -= 1

    def accept(self) -> None:
        if self.cur == self.begin and self.not_null:
            return
        self.has_sol = True
        if self.sol_pos < 0 or self.cur > self.sol_pos:
            self.sol_pos = self.cur
            self.results = [r[:] for r in self.cur_results]


def search(prog: Program, data: bytes, start: int, *, not_null: bool = False, continuous: bool = False,
           prev_avail: bool = False) -> tuple[int, int, list[Any]] | None:
    """regex_search from `start`: (match start, match end, groups as (first, last) or None)."""
    begin = start
    while True:
        ex = _Executor(prog, data, begin, not_null, prev_avail)
        ex.dfs(prog.start)
        if ex.has_sol and ex.results is not None:
            groups = [(r[0], r[1]) if r[2] else None for r in ex.results[1:]]
            return begin, ex.sol_pos, groups
        if continuous or begin >= len(data):
            return None
        prev_avail = True
        begin += 1


def iterate(prog: Program, data: bytes) -> Iterator[tuple[int, int, list[Any]]]:
    """The matches std::regex_iterator visits."""
    m = search(prog, data, 0)
    prev_avail = False
    while m is not None:
        yield m
        start = m[1]
        if m[0] == m[1]:
            if start == len(data):
                return
            again = search(prog, data, start, not_null=True, continuous=True, prev_avail=prev_avail)
            if again is not None:
                m = again
                continue
            start += 1
        prev_avail = True
        m = search(prog, data, start, prev_avail=True)


__all__ = ["Program", "search", "iterate"]
