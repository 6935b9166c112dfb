"""Coloured error messages on a terminal, byte for byte against nix-instantiate 2.8.

On a terminal Nix's `hintfmt` wraps every `%N%` argument of a message in
ANSI_WARNING (magenta bold), and a position argument shows its file name bold
inside that. nixlite builds such messages with `nixlite.eval.errors.hintfmt`;
these tests run both programs under a pseudo-terminal and compare:

- the `error: …` text up to the first blank line (the source snippet after it
  differs on purpose: nixlite highlights it with pygments, Nix 2.8 does not);
- with `--show-trace`, every `error:` line and every `… while …` frame line
  (Nix 2.8 leaves the `…` plain and colours the frame's arguments);
- with NO_COLOR set, the same text without any escape sequence.

Piped output (no terminal) is what the rest of the suite compares with Nix.
The oracle runs at test time; all runs of a kind start together in a thread
pool, so the module takes a few seconds.
"""

from __future__ import annotations

import os
import pickle
import pty
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from nixlite.diagnostics import render
from nixlite.eval.errors import EvalError, HintText, compose, hintfmt, position_text

# Parse errors Nix 2.8 raises with arguments, and some without (which stay plain).
PARSE_CASES = [
    "{ a = 1; a = 2; }",
    "{ a.b = 1; a.b = 2; }",
    "{ a.b = 1; a = 2; }",
    "rec { a = 1; a = 2; }",
    "let a = 1; a = 2; in a",
    '{ ${"a"} = 1; ${"a"} = 2; }',
    "{ inherit ({}) a; a = 1; }",
    "{a,a}: 1",
    "a@{a}: 1",
    "({a}@a: 1)",
    "{ a, b, a ? 1 }: a",
    "x",
    "let y = 1; in x",
    "rec { a = b; }",
    'let inherit ${"x"}; in 1',
    "99999999999999999999",
    "1.5e99999",
    "[ 1 99999999999999999999 ]",
    "1 +",
    "/foo/",
    'let ${"a"} = 1; in a',
]

# Evaluation errors: type errors, missing attributes and arguments, coercions,
# assertions, abort/throw, builtins' argument errors, files, derivations.
EVAL_CASES = [
    "let a = 1; in a.b",
    "if 1 then 1 else 2",
    "!1",
    "{ a = 1; } // 1",
    "builtins.length 1",
    "[1] ++ 1",
    "builtins.head.x",
    "(builtins.add 1).x",
    "builtins.hashString \"sha256\" {}",
    "builtins.compareVersions 1 2",
    "builtins.map 1 [1]",
    "builtins.attrNames 1",
    "let inherit (1) a; in a",
    "{b=1;}.a",
    "{ab=1;ac=2;}.a",
    "builtins.foo",
    "builtins.getAttr \"x\" {}",
    "builtins.listToAttrs [{}]",
    "builtins.genericClosure { startSet = [{key=1;}]; }",
    '"a" + 1',
    "[] + 1",
    "1 + \"a\"",
    "1 + builtins.head",
    '"${{}}"',
    "builtins.toString {}",
    "1 < \"a\"",
    '"a" < 1',
    "(x: x) 1 2",
    "({x}: x) {}",
    "({x}: x) {x=1;y=2;}",
    "let f = {x}: x; in f {}",
    "let f = {x, ...}: x; in f { y = 1; }",
    "assert 1 == 2; 1",
    'assert builtins.isInt "a"; 1',
    'throw "boom"',
    'abort "boom"',
    "let x = x; in x",
    "builtins.head []",
    "builtins.elemAt [1] 3",
    "builtins.genList (x: x) (-1)",
    "builtins.tail []",
    "builtins.toPath \"a\"",
    'builtins.getAttr "${builtins.toFile "x" "y"}" {}',
    "builtins.match \"(\" \"a\"",
    "builtins.filterSource 1 ./.",
    "builtins.toJSON (x: x)",
    "builtins.fromTOML \"a=1979-05-27\"",
    "import ./nonexist.nix",
    "builtins.readFile ./nonexist",
    "builtins.readDir ./nonexist",
    "<nope>",
    'let n = "a"; in { a = 1; ${n} = 2; }',
    "builtins.path { path = ./.; foo = 1; }",
    'builtins.storePath "/"',
    'builtins.appendContext "a" {"/x" = {};}',
    'builtins.toFile "a" "${(derivation {name="x";builder="x";system="x";})}"',
    "builtins.derivation {}",
    'derivation {name="x.drv";builder="x";system="x";}',
    'derivation {name="x";builder="x";system="x";outputs=["a" "a"];}',
    'derivation {name="x";builder="x";system="x";outputHashMode="foo";}',
    'derivation {name="x";system="x";}',
]

TRACE_CASES = [
    "import ./lambda.nix",
    "(x: x.a) 1",
    "{a = { b = 1;}.c; }.a",
    "builtins.getAttr \"x\" {}",
    'derivation { name = 1; builder="x"; system="x"; }',
    'derivation { name = "a"; builder = {}; system = "x"; }',
    'builtins.addErrorContext "ctx" (throw "x")',
    "builtins.toJSON { a = x: x; }",
    "builtins.path { path = ./nonexist; }",
]

# `-A` selection errors (no position, so a `Did you mean` hint is in the first block).
SELECT_CASES = ["b", "x.y.z", "a.b", "0", '"a', "a..b", "abc"]
SELECT_EXPR = "{ a = 1; ab = 2; }"

NO_COLOR_CASES = ["{ a = 1; a = 2; }", "let a = 1; in a.b", "({x}: x) {}", 'abort "boom"']

FILES = {
    "dup.nix": "{ a = 1; a = 2; }\n",
    "lambda.nix": "let f = {x}: x.a; in { b = f { x = 1; }; }\n",
}


def run_on_terminal(argv: list[str], cwd: str, no_color: bool = False) -> str:
    """Everything `argv` writes to a pseudo-terminal, with CR LF turned back into LF."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["NIX_PATH"] = ""
    if no_color:
        env["NO_COLOR"] = "1"
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, cwd=cwd, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait()
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def first_block(text: str) -> str:
    """The `error: …` message: the text before the first blank line."""
    return text.split("\n\n")[0].rstrip("\n")


def frame_lines(text: str) -> list[str]:
    """The `error:` lines and the `… while …` frame lines of a --show-trace report."""
    return [line for line in text.split("\n") if "error:" in line or "…" in line]


def _commands(kind: str, case: str) -> tuple[list[str], list[str]]:
    if kind == "parse":
        return ["nix-instantiate", "--parse", "-E", case], ["nixlite", "parse", "-E", case]
    if kind == "select":
        return (["nix-instantiate", "--eval", "-E", SELECT_EXPR, "-A", case],
                ["nixlite", "eval", "-E", SELECT_EXPR, "-A", case])
    flags = ["--show-trace"] if kind == "trace" else []
    return (["nix-instantiate", "--eval", "--strict", *flags, "-E", case],
            ["nixlite", "eval", "--strict", *flags, "-E", case])


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """(kind, case, no_color) -> (Nix's output, nixlite's output), all run at once."""
    cwd = tmp_path_factory.mktemp("colour")
    for name, text in FILES.items():
        (cwd / name).write_text(text)
    jobs = [(kind, case, False) for kind, cases in (("parse", PARSE_CASES), ("eval", EVAL_CASES),
                                                    ("trace", TRACE_CASES), ("select", SELECT_CASES))
            for case in cases]
    jobs += [("eval", case, True) for case in NO_COLOR_CASES]
    jobs += [("file", "dup.nix", False), ("file", "missing.nix", False)]

    def run(job):
        kind, case, no_color = job
        if kind == "file":
            commands = (["nix-instantiate", "--parse", case], ["nixlite", "parse", case])
        else:
            commands = _commands(kind, case)
        return tuple(run_on_terminal(argv, str(cwd), no_color) for argv in commands)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(jobs, pool.map(run, jobs)))


@pytest.mark.parametrize("case", PARSE_CASES)
def test_parse_error_colour(outputs, case):
    nix, nixlite = outputs[("parse", case, False)]
    assert first_block(nixlite) == first_block(nix)


@pytest.mark.parametrize("name", ["dup.nix", "missing.nix"])
def test_parse_file_error_colour(outputs, name):
    nix, nixlite = outputs[("file", name, False)]
    assert "\x1b[35;1m" in nix
    assert first_block(nixlite) == first_block(nix)


@pytest.mark.parametrize("case", EVAL_CASES)
def test_eval_error_colour(outputs, case):
    nix, nixlite = outputs[("eval", case, False)]
    assert first_block(nix).startswith("\x1b[31;1merror:")
    assert first_block(nixlite) == first_block(nix)


@pytest.mark.parametrize("case", SELECT_CASES)
def test_selection_error_colour(outputs, case):
    nix, nixlite = outputs[("select", case, False)]
    assert "\x1b[35;1m" in nix
    assert first_block(nixlite) == first_block(nix)


@pytest.mark.parametrize("case", TRACE_CASES)
def test_trace_frame_colour(outputs, case):
    nix, nixlite = outputs[("trace", case, False)]
    assert any("…" in line for line in frame_lines(nix))
    assert frame_lines(nixlite) == frame_lines(nix)


@pytest.mark.parametrize("case", NO_COLOR_CASES)
def test_no_color_on_a_terminal_is_plain(outputs, case):
    nix, nixlite = outputs[("eval", case, True)]
    assert "\x1b" not in nixlite
    assert first_block(nixlite) == first_block(nix)


def test_hint_text_is_its_plain_text():
    pos = position_text("(string)", 1, 3)
    text = hintfmt("attribute '{}' already defined at {}", "a", pos)
    assert text == "attribute 'a' already defined at (string):1:3"
    assert isinstance(text, str) and hash(text) == hash(str(text))
    assert f"{text}" == str(text) and type(f"{text}") is str
    assert text.coloured == ("attribute '\x1b[35;1ma\x1b[0m' already defined at "
                             "\x1b[35;1m\x1b[1m(string)\x1b[0m:1:3\x1b[0m")
    copy = pickle.loads(pickle.dumps(text))
    assert copy == text and copy.coloured == text.coloured


def test_composed_argument_keeps_inner_colour_only():
    name = compose("'{}' at {}", "f", position_text("/x.nix", 1, 9))
    assert name.coloured == "'f' at \x1b[1m/x.nix\x1b[0m:1:9"
    message = hintfmt("{} called without required argument '{}'", name, "x")
    assert message.coloured.startswith("\x1b[35;1m'f' at \x1b[1m/x.nix\x1b[0m:1:9\x1b[0m called")


def test_render_without_colour_is_plain():
    err = EvalError(hintfmt("attribute '{}' missing", "a"))
    err.add_trace(None, hintfmt("while evaluating the attribute '{}'", "b"))
    assert render(err, show_trace=True) == "error: attribute 'a' missing\n\n       … while evaluating the attribute 'b'"
    coloured = render(err, show_trace=True, colour=True)
    assert "'\x1b[35;1ma\x1b[0m' missing" in coloured and "… while evaluating the attribute '\x1b[35;1mb\x1b[0m'" in coloured
    assert HintText("x", "y") == "x"
