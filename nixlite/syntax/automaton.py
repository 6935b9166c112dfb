"""The LALR automaton of grammar/nix.lark, reshaped for a fast driver loop.

The tables (tables.py) say, for an LR state and a lookahead, to shift or to
reduce by a rule. A plain driver then spends most of its time on chains of
one-child reductions: an identifier climbs ~20 levels (`var`, `select`,
`app`, … `expr`) before the next token is shifted, and each level is one
more table lookup. Those chains are only computable ahead of time when the
state *below* the top entry is known too, since a reduction's target state
(its goto) is read from that state. So the driver's stack holds *pairs*
(state below, state) here, numbered as they are met: for a pair and a
lookahead, everything up to the next shift, or up to the next reduction of
two or more symbols (the only step that exposes deeper entries), is
determined, and is computed once and remembered (`Automaton.action`).

Actions, as stored in `rows[pair][terminal]`:
- an int >= 0: shift the token, pushing that pair;
- an int < 0: `plans[~action]`, a tuple whose first item is its kind:
  UNIT_SHIFT (callback or None, new top pair, pair to push): apply the
  one-child rules' actions to the top value, then shift the token;
  UNIT / UNIT_PREV (callback or None, new top pair, -): the same without
  the shift (the next step is a longer reduction or an error); UNIT_PREV
  first sets builder.prev_end (for `binds_one`);
  REDUCE (callback name index, n, origin): a rule of n >= 2 symbols;
  EMPTY (callback, pair to push, -): an empty rule;
  ACCEPT (callback or None, -, -): the start rule on the end of input.
Rows also memoise, under a nonterminal's name, the pair that replaces this
entry when a rule for that nonterminal is reduced starting at it.

Bison's default reductions (a state whose only action is one reduction
reduces whatever the lookahead, before a syntax error is noticed) are part
of the chains, so the order of semantic actions and syntax errors is
bison's.
"""

from __future__ import annotations

from nixlite.syntax import tables as _tables_module

_TABLES = _tables_module.load()
STATES: list = _TABLES["STATES"]
START: int = _TABLES["START"]
END: int = _TABLES["END"]
RULES: list = _TABLES["RULES"]
NON_ASSOC = frozenset(("EQ", "NEQ", "LT", "GT", "LEQ", "GEQ"))

UNIT_SHIFT, REDUCE, UNIT, EMPTY, UNIT_PREV, ACCEPT = range(6)

# Actions that read `builder.prev_end`, the end of the token before the rule
# (for these rules that symbol is always a token).
NEEDS_PREV_END = frozenset(("binds_one", "names_none", "parts_none", "formals_none"))


def default_reduction(row: dict):
    """The reduction bison takes without looking at the next token, if this state has one.

    A state whose only action is one reduction is reduced by bison before it
    reads the lookahead; its semantic action (e.g. a duplicate-attribute
    check) then runs before a syntax error in the next token is noticed.
    """
    actions = set(row[t] for t in row if t.isupper() or t == "$END")
    if len(actions) == 1:
        (action,) = actions
        if action < 0:
            return action
    return None


def lr_action(state: int, ttype: str):
    """The LR action for a lookahead, including bison's default reductions; None for an error."""
    row = STATES[state]
    action = row.get(ttype)
    if action is None and ttype not in NON_ASSOC:  # (%nonassoc operators are an error where they stand)
        action = default_reduction(row)
    return action


class Automaton:
    """Pair states, their memoised actions, and the plans those actions name."""

    def __init__(self) -> None:
        self.pair_ids: dict[tuple[int, int], int] = {}
        self.pair_below: list[int] = []
        self.pair_state: list[int] = []
        self.rows: list[dict] = []
        self.plans: list[tuple] = []
        self.plan_ids: dict[tuple, int] = {}
        self.start_pair = self.pair(-1, START)

    def pair(self, below: int, state: int) -> int:
        key = (below, state)
        found = self.pair_ids.get(key)
        if found is None:
            found = self.pair_ids[key] = len(self.pair_state)
            self.pair_below.append(below)
            self.pair_state.append(state)
            self.rows.append({})
        return found

    def _plan(self, plan: tuple) -> int:
        found = self.plan_ids.get(plan)
        if found is None:
            found = self.plan_ids[plan] = len(self.plans)
            self.plans.append(plan)
        return ~found

    def replacement(self, first: int, origin: str) -> int:
        """The pair that replaces entry `first` when a rule for `origin` is reduced from it."""
        below = self.pair_below[first]
        target = self.pair(below, STATES[below][origin])
        self.rows[first][origin] = target
        return target

    def action(self, pair: int, ttype: str):
        """The memoised action for `pair` and a lookahead (see the module doc); None for a syntax error."""
        state = self.pair_state[pair]
        action = lr_action(state, ttype)
        if action is None:
            return None
        if action >= 0:
            result = self.pair(state, action)
        else:
            result = self._reduction(pair, state, ttype, action)
        self.rows[pair][ttype] = result
        return result

    def _reduction(self, pair: int, state: int, ttype: str, action: int) -> int:
        origin, n, name = RULES[~action]
        if n == 0:
            return self._plan((EMPTY, name, self.pair(state, STATES[state][origin]), None))
        if n > 1:
            return self._plan((REDUCE, name, n, origin))
        # A chain of one-child reductions: each one keeps the entry below.
        below = self.pair_below[pair]
        names: list[str] = []
        while True:
            if name is not None:
                names.append(name)
            state = STATES[below][origin]
            if state == END and ttype == "$END":
                return self._plan((ACCEPT, tuple(names), None, None))
            action = lr_action(state, ttype)
            if action is None or action >= 0 or RULES[~action][1] != 1:
                break
            origin, n, name = RULES[~action]
        top = self.pair(below, state)
        if action is not None and action >= 0 and not NEEDS_PREV_END.intersection(names):
            return self._plan((UNIT_SHIFT, tuple(names), top, self.pair(state, action)))
        kind = UNIT_PREV if NEEDS_PREV_END.intersection(names) else UNIT
        return self._plan((kind, tuple(names), top, None))
