"""Fixed-output checks, reference scanning and the builder environment, piece by piece."""

from __future__ import annotations

import pytest
from drvs import make_drv, output_path

from nixlite.build.environment import pass_as_file_name, structured_attrs_shell, validity_registration
from nixlite.build.environment import ExportedPath
from nixlite.build.outputs import scan_output
from nixlite.build.scheduler import BuildFailure
from nixlite.store import nix32
from nixlite.store.hashes import Hash

HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


def test_flat_fixed_output_must_be_a_plain_file(store, build):
    d = make_drv(store, "exe", "printf hello > $out; /bin/chmod +x $out", fixed=("sha256", HELLO_SHA256, False))
    with pytest.raises(BuildFailure) as info:
        build(d)
    assert info.value.errors[0].message == (
        f"output path '{output_path(store, d)}' should be a non-executable regular file since recursive "
        "hashing is not enabled (outputHashMode=flat)")


def test_fixed_output_may_not_refer_to_store_paths(store, build):
    dep = make_drv(store, "dep", "echo > $out")
    dep_out = output_path(store, dep)
    content = dep_out.encode()
    d = make_drv(store, "refers", f"printf {dep_out} > $out", inputs=[(dep, "out")],
                 fixed=("sha256", Hash.of_bytes("sha256", content).base16(), False))
    with pytest.raises(BuildFailure) as info:
        build(d)
    assert info.value.errors[0].message == (
        f"fixed-output derivations must not reference store paths: '{d}' references 1 distinct paths, "
        f"e.g. '{dep_out}'")


@pytest.mark.parametrize("algo", ["md5", "sha1", "sha512"])
def test_fixed_output_other_algorithms(store, build, algo):
    digest = Hash.of_bytes(algo, b"hello")
    d = make_drv(store, f"hello-{algo}", "printf hello > $out", fixed=(algo, digest.base16(), False))
    build(d)
    info = store.query_path_info(output_path(store, d))
    assert info is not None and info.ca == f"fixed:{algo}:{digest.nix32()}"


def test_reference_scan_finds_hashes_anywhere(tmp_path):
    a = "/nix/store/" + "a" * 32 + "-a"
    b = "/nix/store/" + "b" * 32 + "-b"
    c = "/nix/store/" + "c" * 32 + "-c"
    d = "/nix/store/" + "d" * 32 + "-d"
    tree = tmp_path / "out"
    tree.mkdir()
    (tree / ("name-" + "a" * 32)).write_text("")  # in a file name
    (tree / "link").symlink_to(b + "/bin")  # in a symlink target
    big = bytearray(b"x" * (3 << 20))
    big[(1 << 20) - 10:(1 << 20) + 22] = b"c" * 32  # across the 1 MiB scanning blocks
    (tree / "big").write_bytes(bytes(big))
    (tree / "run").write_text("zz" + "d" * 40)  # inside a longer run of Nix32 characters
    scanned = scan_output(str(tree), [a, b, c, d, "/nix/store/" + "f" * 32 + "-f"])
    assert scanned.references == {a, b, c, d}


def test_pass_as_file_name_is_nix32_of_sha256():
    assert pass_as_file_name("text") == ".attr-1lf969yddshzhld7sr1vbagr07bnygg99lgl6gk5kxcnp4z9wbcq"  # Nix 2.8


def test_structured_attrs_shell_as_current_nix():
    attrs = {"str": "it's", "int": 3, "whole": 2.0, "flt": 1.5, "b": True, "f": False, "n": None,
             "list": [1, "a", True], "mixed": [1, [2]], "nested": {"x": 1, "y": "z"}, "deep": {"a": [1]},
             "bad-name": 1, "outputs": {"out": "/nix/store/x-out"}}
    assert structured_attrs_shell(attrs) == (
        "declare b=1\n"
        "declare f=\n"
        "declare int=3\n"
        "declare -a list=(1 'a' 1 )\n"
        "declare n=''\n"
        "declare -A nested=(['x']=1 ['y']='z' )\n"
        "declare -A outputs=(['out']='/nix/store/x-out' )\n"
        "declare str='it'\\''s'\n"
        "declare whole=2\n")


def test_validity_registration_format():
    records = [ExportedPath("/nix/store/b-x", ["/nix/store/c-y", "/nix/store/a-z"]), ExportedPath("/nix/store/c-y", [])]
    assert validity_registration(records) == "/nix/store/b-x\n\n2\n/nix/store/a-z\n/nix/store/c-y\n/nix/store/c-y\n\n0\n"


def test_verify_reports_a_changed_output(store, build):
    d = make_drv(store, "victim", "echo original > $out")
    build(d)
    out = output_path(store, d)
    physical = store.physical(out)
    import os
    os.chmod(physical, 0o644)
    with open(physical, "w") as f:
        f.write("tampered\n")
    [problem] = store.verify()
    assert problem.startswith(f"path '{out}' was modified! expected hash 'sha256:")
    assert nix32.is_valid(problem.rsplit("sha256:", 1)[1][:52])


def test_structured_output_checks(store, build):
    import json

    dep = make_drv(store, "dep", "echo > $out")
    dep_out = output_path(store, dep)
    attrs = {"outputChecks": {"out": {"allowedReferences": [], "maxSize": 10_000}}}
    script = (f"out=$(/usr/bin/sed -n 's/.*\"out\":\"\\([^\"]*\\)\".*/\\1/p' $NIX_ATTRS_JSON_FILE); "
              f"echo {dep_out} > $out")
    d = make_drv(store, "checked", script, inputs=[(dep, "out")], env={"__json": json.dumps(attrs)})
    with pytest.raises(BuildFailure) as info:
        build(d)
    assert info.value.errors[0].message == (
        f"output '{output_path(store, d)}' is not allowed to refer to the following paths:\n         {dep_out}")
    attrs = {"outputChecks": {"out": {"maxSize": 10}}}
    big = make_drv(store, "big", script, inputs=[(dep, "out")], env={"__json": json.dumps(attrs)})
    with pytest.raises(BuildFailure) as info:
        build(big)
    assert info.value.errors[0].message.startswith(f"path '{output_path(store, big)}' is too large at ")
