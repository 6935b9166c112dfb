"""Where Nix's parser runs out of stack: bison's "memory exhausted", simulated.

Nix 2.8 parses with a bison GLR parser whose stack holds at most 10,000
items (YYMAXDEPTH); deeper nesting is rejected with "memory exhausted" at
the last token read. How many items a nesting level costs depends on
Nix's grammar (parser.y), not on nixlite's: its `binds` and `expr_list`
start with an empty rule (one more item per open set, `let` or list), and
after a `{` where both a set and a function's formals may start it splits
its stack (GLR) until the next tokens decide, allocating two items per
reduction made meanwhile (`{}: {}: …` even reduces all the enclosing
functions once more). Rather than approximating this, the driver asks,
when its own stack gets deep, for a replay of the tokens through a model
of bison's parser (`overflow`): Nix 2.8's grammar with its precedence
declarations, LALR(1) tables as bison builds them (precedence, default
reductions, conflicts kept for GLR), and glr.c's item accounting
(yyglrShift: 1 item, a deferred reduction: 2, a merge: 1, the stack
compressed when one stack remains; exhausted when 9,999 items are in use).
The model only counts: values and semantic actions stay nixlite's.
"""

from __future__ import annotations

# Nix 2.8's parser.y, rules in its order (bison numbers rules so; the first
# rule wins a reduce/reduce conflict), written with nixlite's token names.
# The pipe operators are current Nix's (nixlite accepts them).
NIX_GRAMMAR = r"""
%declare ID INT FLOAT STR IND_STR PATH PATH_END SPATH URI IF THEN ELSE ASSERT WITH LET IN REC INHERIT
%declare EQ NEQ AND OR IMPL OR_KW DOLLAR_CURLY IND_OPEN IND_CLOSE ELLIPSIS LT GT LEQ GEQ UPDATE NOT
%declare PLUS MINUS STAR SLASH CONCAT QUESTION COLON LBRACE RBRACE AT SEMI DOT DQUOTE LPAREN RPAREN
%declare LBRACKET RBRACKET ASSIGN COMMA PIPE_FROM PIPE_INTO
start: expr
expr: expr_function
expr_function: ID COLON expr_function
    | LBRACE formals RBRACE COLON expr_function
    | LBRACE formals RBRACE AT ID COLON expr_function
    | ID AT LBRACE formals RBRACE COLON expr_function
    | ASSERT expr SEMI expr_function
    | WITH expr SEMI expr_function
    | LET binds IN expr_function
    | expr_if
expr_if: IF expr THEN expr ELSE expr
    | expr_op
expr_op: NOT expr_op -> prec_not
    | MINUS expr_op -> prec_negate
    | expr_op EQ expr_op | expr_op NEQ expr_op | expr_op LT expr_op | expr_op LEQ expr_op
    | expr_op GT expr_op | expr_op GEQ expr_op | expr_op AND expr_op | expr_op OR expr_op
    | expr_op IMPL expr_op | expr_op UPDATE expr_op | expr_op QUESTION attrpath
    | expr_op PLUS expr_op | expr_op MINUS expr_op | expr_op STAR expr_op | expr_op SLASH expr_op
    | expr_op CONCAT expr_op | expr_op PIPE_INTO expr_op | expr_op PIPE_FROM expr_op
    | expr_app
expr_app: expr_app expr_select
    | expr_select
expr_select: expr_simple DOT attrpath
    | expr_simple DOT attrpath OR_KW expr_select
    | expr_simple OR_KW
    | expr_simple
expr_simple: ID | INT | FLOAT
    | DQUOTE string_parts DQUOTE
    | IND_OPEN ind_string_parts IND_CLOSE
    | path_start PATH_END
    | path_start string_parts_interpolated PATH_END
    | SPATH | URI
    | LPAREN expr RPAREN
    | LET LBRACE binds RBRACE
    | REC LBRACE binds RBRACE
    | LBRACE binds RBRACE
    | LBRACKET expr_list RBRACKET
string_parts: STR
    | string_parts_interpolated
    |
string_parts_interpolated: string_parts_interpolated STR
    | string_parts_interpolated DOLLAR_CURLY expr RBRACE
    | DOLLAR_CURLY expr RBRACE
    | STR DOLLAR_CURLY expr RBRACE
path_start: PATH
ind_string_parts: ind_string_parts IND_STR
    | ind_string_parts DOLLAR_CURLY expr RBRACE
    |
binds: binds attrpath ASSIGN expr SEMI
    | binds INHERIT attrs SEMI
    | binds INHERIT LPAREN expr RPAREN attrs SEMI
    |
attrs: attrs attr
    | attrs string_attr
    |
attrpath: attrpath DOT attr
    | attrpath DOT string_attr
    | attr
    | string_attr
attr: ID | OR_KW
string_attr: DQUOTE string_parts DQUOTE
    | DOLLAR_CURLY expr RBRACE
expr_list: expr_list expr_select
    |
formals: formal COMMA formals
    | formal
    |
    | ELLIPSIS
formal: ID
    | ID QUESTION expr
"""
# bison's precedence declarations, lowest first (the pipes: current Nix).
PRECEDENCE = (
    ("right", ("PIPE_FROM",)), ("left", ("PIPE_INTO",)),
    ("right", ("IMPL",)), ("left", ("OR",)), ("left", ("AND",)), ("nonassoc", ("EQ", "NEQ")),
    ("nonassoc", ("LT", "GT", "LEQ", "GEQ")), ("right", ("UPDATE",)), ("left", ("NOT",)),
    ("left", ("PLUS", "MINUS")), ("left", ("STAR", "SLASH")), ("right", ("CONCAT",)),
    ("nonassoc", ("QUESTION",)), ("nonassoc", ("NEGATE",)),
)
_RULE_PREC = {"prec_not": "NOT", "prec_negate": "NEGATE"}  # %prec
MAX_ITEMS = 9999  # glr.c: exhausted once YYMAXDEPTH - YYHEADROOM (10000 - 2) items are exceeded


class Tables:
    """Nix's LALR(1) automaton as bison builds it for a GLR parser."""

    def __init__(self) -> None:
        self.rules: list[tuple[str, int]] = []  # (nonterminal, length)
        self.goto: list[dict] = []
        self.actions: list[dict] = []  # token -> ("s", state) / ("r", rule) / ("e",), and conflict rules
        self.conflicts: list[dict] = []
        self.default: list = []  # the default reduction (rule) or None
        self.defaulted: list[bool] = []  # bison reduces without reading a token
        self.start = 0
        self.final = -1
        self._build()

    def _build(self) -> None:
        from lark.common import ParserConf
        from lark.load_grammar import load_grammar
        from lark.parsers.lalr_analysis import LALR_Analyzer

        grammar, _ = load_grammar(NIX_GRAMMAR, "<nix 2.8>", [], False)
        _terminals, lark_rules, _ = grammar.compile(["start"], set())
        origin_order = {}
        for line in NIX_GRAMMAR.splitlines():
            if line[:1].isalpha() and ":" in line:
                origin_order.setdefault(line.split(":")[0], len(origin_order))
        lark_rules.sort(key=lambda r: (origin_order[r.origin.name], r.order))
        analyzer = LALR_Analyzer(ParserConf(lark_rules, None, ["start"]))
        analyzer.compute_lr0_states()
        analyzer.compute_reads_relations()
        analyzer.compute_includes_lookback()
        analyzer.compute_lookaheads()
        number = {rule: i for i, rule in enumerate(lark_rules)}
        self.rules = [(r.origin.name, len(r.expansion)) for r in lark_rules]
        prec = _token_precedence()
        rule_prec = [_rule_precedence(r, prec) for r in lark_rules]
        itemsets = sorted(analyzer.lr0_itemsets, key=lambda s: sorted(map(str, s.kernel)))
        start_set = analyzer.lr0_start_states["start"]
        itemsets.remove(start_set)
        itemsets.insert(0, start_set)
        index = {s: i for i, s in enumerate(itemsets)}
        for itemset in itemsets:
            shifts = {sym.name: index[t] for sym, t in itemset.transitions.items() if sym.is_term}
            self.goto.append({sym.name: index[t] for sym, t in itemset.transitions.items() if not sym.is_term})
            reductions = {la.name: sorted(number[r] for r in rules) for la, rules in itemset.lookaheads.items()}
            self._row(shifts, reductions, prec, rule_prec)
            if any(rp.is_satisfied and rp.rule.origin.name == "$root_start" for rp in itemset.closure):
                self.final = index[itemset]
        self.final = self.goto[0]["start"]

    def _row(self, shifts: dict, reductions: dict, prec: dict, rule_prec: list) -> None:
        actions: dict = {}
        conflicts: dict = {}
        for token, rules in reductions.items():
            kept = []
            for rule in rules:
                if token in shifts:  # shift/reduce: bison's precedence, else a GLR conflict
                    decision = _resolve(prec.get(token), rule_prec[rule])
                    if decision == "shift":
                        continue
                    if decision == "reduce":
                        shifts.pop(token)
                    elif decision == "error":
                        shifts.pop(token)
                        actions[token] = ("e",)
                        continue
                kept.append(rule)
            if token in shifts:
                actions[token] = ("s", shifts[token])
                if kept:
                    conflicts[token] = kept
            elif kept:
                actions[token] = ("r", kept[0])
                if len(kept) > 1:
                    conflicts[token] = kept[1:]
        for token, target in shifts.items():
            actions.setdefault(token, ("s", target))
        counts: dict = {}
        for token, action in actions.items():
            if action[0] == "r" and token not in conflicts:
                counts[action[1]] = counts.get(action[1], 0) + 1
        default = None
        if counts:
            default = min(counts, key=lambda rule: (-counts[rule], rule))
        # Entries equal to the default are dropped (GLR keeps conflicted ones).
        explicit = {t: a for t, a in actions.items() if not (a == ("r", default) and t not in conflicts)}
        if default is None:
            explicit = {t: a for t, a in explicit.items() if a[0] != "e"}
        self.actions.append(explicit)
        self.conflicts.append(conflicts)
        self.default.append(default)
        self.defaulted.append(not explicit)


def _token_precedence() -> dict:
    prec = {}
    for level, (assoc, tokens) in enumerate(PRECEDENCE, 1):
        for token in tokens:
            prec[token] = (level, assoc)
    return prec


def _rule_precedence(rule, prec: dict):
    if rule.alias in _RULE_PREC:
        return prec[_RULE_PREC[rule.alias]]
    for symbol in reversed(rule.expansion):
        if symbol.is_term and symbol.name in prec:
            return prec[symbol.name]
    return None


def _resolve(token_prec, rule_prec) -> str | None:
    """bison's decision for a shift/reduce conflict (None: both kept, for GLR)."""
    if token_prec is None or rule_prec is None:
        return None
    if token_prec[0] != rule_prec[0]:
        return "shift" if token_prec[0] > rule_prec[0] else "reduce"
    return {"left": "reduce", "right": "shift", "nonassoc": "error"}[token_prec[1]]


_TABLES: Tables | None = None


def nix_tokens(tokens):
    """Nix 2.8's lexer tokens for nixlite's: (type, offset, index of nixlite's token)."""
    for index, (ttype, _value, start, end) in enumerate(tokens):
        if ttype == "STRING":  # a whole "…": '"' STR '"'
            yield ("DQUOTE", start, index)
            if end - start > 2:
                yield ("STR", start + 1, index)
            yield ("DQUOTE", end - 1, index)
        elif ttype == "PATH":  # PATH then PATH_END, placed where the path starts
            yield ("PATH", start, index)
            yield ("PATH_END", start, index)
        elif ttype == "PATH_START":
            yield ("PATH", start, index)
        else:
            yield (ttype, start, index)


class _Node:
    """One state item of glr.c's stack: the LR state, its predecessor, its token position."""

    __slots__ = ("state", "pred", "posn", "index", "depth")

    def __init__(self, state, pred, posn, index):
        self.state, self.pred, self.posn, self.index = state, pred, posn, index
        self.depth = pred.depth + 1 if pred is not None else 0


class _Exhausted(Exception):
    """Out of items; args[0] says whether the current token had been read (else: the previous one's)."""


class _Syntax(Exception):
    pass


class _Glr:
    """glr.c's item accounting over Nix's tables (values and actions left out)."""

    def __init__(self, tables: Tables) -> None:
        self.t = tables
        self.used = 1
        self.tops = [_Node(tables.start, None, 0, 0)]
        self.split = None
        self.posn = 0
        self.read = True  # whether this round has read its token yet (bison reads lazily)
        self.paths: dict = {}

    def _allocate(self, n: int) -> None:
        self.used += n
        if self.used >= MAX_ITEMS:
            raise _Exhausted(self.read)

    def _lr_actions(self, state: int, token: str):
        t = self.t
        action = t.actions[state].get(token)
        if action is None:
            default = t.default[state]
            return (("r", default) if default is not None else ("e",)), ()
        return action, t.conflicts[state].get(token, ())

    def _shift(self, k: int, state: int) -> None:
        self._allocate(1)
        self.tops[k] = _Node(state, self.tops[k], self.posn, self.used - 1)

    def _reduce(self, k: int, rule: int) -> None:
        origin, n = self.t.rules[rule]
        top = self.tops[k]
        below = top
        for _ in range(n):
            below = below.pred
        target = self.t.goto[below.state][origin]
        if self.split is None:  # deterministic: pop n, push the result
            self.used -= n
            self.tops[k] = below
            self._shift(k, target)
            return
        if self.split.index > below.index:
            self.split = below
        # glr.c walks each other stack down from its top looking for the
        # same state above `below`; along a stack the token positions only
        # grow, so the walk reaches the one candidate, at depth(below) + 1.
        for i, other in enumerate(self.tops):
            if i == k or other is None or other.depth <= below.depth:
                continue
            candidate = self._path(other)[below.depth + 1]
            if candidate.state == target and candidate.pred is below:  # merged: a deferred action only
                self._allocate(1)
                self.tops[k] = None
                return
        self._allocate(2)  # the new state and its deferred action
        self.tops[k] = _Node(target, below, self.posn, self.used - 2)

    def _path(self, top: _Node) -> list:
        """The nodes of the stack ending at `top`, by depth (memoised for the round)."""
        path = self.paths.get(top)
        if path is None:
            path = [None] * (top.depth + 1)
            node = top
            while node is not None:
                path[node.depth] = node
                node = node.pred
            self.paths[top] = path
        return path

    def _process(self, k: int, token: str) -> None:
        t = self.t
        while self.tops[k] is not None:
            state = self.tops[k].state
            if t.defaulted[state]:
                rule = t.default[state]
                if rule is None:
                    self.tops[k] = None
                    return
                self._reduce(k, rule)
                continue
            self.read = True
            action, conflicts = self._lr_actions(state, token)
            for rule in conflicts:
                self.tops.append(self.tops[k])
                if self.split is None:
                    self.split = self.tops[k]
                new = len(self.tops) - 1
                self._reduce(new, rule)
                self._process(new, token)
            if action[0] == "s":
                return
            if action[0] == "e":
                self.tops[k] = None
                return
            self._reduce(k, action[1])

    def feed(self, token: str) -> None:
        """Process one lookahead token: reductions, then its shift (raises _Exhausted or _Syntax)."""
        t = self.t
        self.read = self.split is None  # (a round with split stacks may reduce before reading)
        if self.split is None:
            while True:
                state = self.tops[0].state
                if state == t.final:
                    return
                if t.defaulted[state]:
                    rule = t.default[state]
                    if rule is None:
                        raise _Syntax
                    self._reduce(0, rule)
                    continue
                action, conflicts = self._lr_actions(state, token)
                if conflicts:
                    break
                if action[0] == "s":
                    self.posn += 1
                    self._shift(0, action[1])
                    return self._after_shift()
                if action[0] == "e":
                    raise _Syntax
                self._reduce(0, action[1])
        self.paths = {}
        k = 0
        while k < len(self.tops):
            self._process(k, token)
            k += 1
        self.tops = [top for top in self.tops if top is not None]
        if not self.tops:
            raise _Syntax
        self.posn += 1
        for k, top in enumerate(self.tops):
            self._shift(k, self._lr_actions(top.state, token)[0][1])
        if len(self.tops) == 1:
            self._compress()

    def _after_shift(self) -> None:
        # Defaulted states reduce before the next token is read: their pushes
        # (an empty list or set) count against the token just shifted.
        t = self.t
        while self.split is None:
            state = self.tops[0].state
            if state == t.final or not t.defaulted[state] or t.default[state] is None:
                return
            self._reduce(0, t.default[state])

    def _compress(self) -> None:
        """yycompressStack: the surviving stack's states follow the split point again."""
        above = []
        node = self.tops[0]
        while node is not self.split:
            above.append(node)
            node = node.pred
        index = self.split.index
        for node in reversed(above):
            index += 1
            node.index = index
        self.used = index + 1
        self.split = None
        self._after_shift()


def overflow(tokens: list):
    """(index of nixlite's token, offset) where Nix's parser runs out of stack, or None."""
    global _TABLES
    if _TABLES is None:
        _TABLES = Tables()
    glr = _Glr(_TABLES)
    previous = None
    for ttype, offset, index in nix_tokens(tokens):
        try:
            glr.feed(ttype)
        except _Exhausted as exhausted:
            return (index, offset) if exhausted.args[0] or previous is None else previous
        except (_Syntax, KeyError):  # a syntax error first (or a token Nix 2.8 lacks)
            return None
        previous = (index, offset)
    return None
