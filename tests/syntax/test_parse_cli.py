"""`nixlite parse` as a command: inputs, output, exit status, and no tracebacks whatever the input."""

from __future__ import annotations

import random

import pytest


def test_expression(nixlite):
    r = nixlite(["parse", "-E", "x: { b = x; a = 1; }"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "(x: { a = 1; b = x; })\n", "")


def test_stdin(nixlite, tmp_path):
    r = nixlite(["parse", "-"], stdin="./a", cwd=str(tmp_path))
    assert r.stdout == f"{tmp_path}/a\n"


def test_file_resolves_paths_beside_it(nixlite, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.nix").write_text("[ ./x ../y ]\n")
    r = nixlite(["parse", str(tmp_path / "sub" / "f.nix")])
    assert r.stdout == f"[ ({tmp_path}/sub/x) ({tmp_path}/y) ]\n"


def test_error_shape(nixlite):
    r = nixlite(["parse", "-E", "{ a = 1 }"])
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == (
        "error: syntax error, unexpected '}', expecting ';'\n\n"
        "       at «string»:1:9:\n\n"
        "            1| { a = 1 }\n"
        "             |         ^\n"
    )


def test_stdin_error_names_stdin(nixlite):
    r = nixlite(["parse", "-"], stdin="x: y")
    assert "error: undefined variable 'y'" in r.stderr and "at «stdin»:1:4:" in r.stderr


@pytest.mark.parametrize("data", [
    b"", b"\x00\xff\xfe garbage \x80", random.Random(2).randbytes(2000), random.Random(3).randbytes(20000), b'"unterminated', b"''unterminated", b"/* open",
    b"[" * 10000 + b"]" * 10000, b"{" * 10000, b"(" * 20000, b"x: " * 5000 + b"x", b"-" * 5000 + b"1",
    b"!" * 5000 + b"true", b"${", b"}", b"\r\n\r", b"a." * 3000 + b"b",
])
def test_never_a_traceback(nixlite, tmp_path, data):
    path = tmp_path / "input.nix"
    path.write_bytes(data)
    r = nixlite(["parse", str(path)])
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert r.returncode in (0, 1)
    if r.returncode:
        assert r.stderr.startswith("error: ")


def test_deeply_nested_prints(nixlite):
    r = nixlite(["parse", "-E", "[" * 4000 + "]" * 4000])
    assert r.returncode == 0 and r.stdout.startswith("[ ([ ([ ")


def test_symlinked_file_resolves_paths_beside_its_target(nixlite, tmp_path):
    # As Nix's resolveExprPath: the link is followed before paths are resolved.
    (tmp_path / "real").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "real" / "f.nix").write_text("./x\n")
    (tmp_path / "other" / "link.nix").symlink_to("../real/f.nix")
    r = nixlite(["parse", str(tmp_path / "other" / "link.nix")])
    assert r.stdout == f"{tmp_path}/real/x\n"


def test_missing_files_worded_as_nix(nixlite, tmp_path):
    r = nixlite(["parse", str(tmp_path / "nope.nix")])
    assert r.stderr == f"error: getting status of '{tmp_path}/nope.nix': No such file or directory\n"
    r = nixlite(["parse", str(tmp_path)])
    assert r.stderr == f"error: opening file '{tmp_path}/default.nix': No such file or directory\n"
