"""Python builders (`builtin:NAME`): same inputs, outputs, reference scanning and atomicity."""

from __future__ import annotations

import functools
import http.server
import os
import threading

import pytest
from drvs import make_drv, output_path

from nixlite.build.python_builders import BuildContext, BuilderFailed, python_builder
from nixlite.build.scheduler import BuildFailure
from nixlite.store.hashes import Hash
from nixlite.store.nar import dump_to, nar_hash

SEEN: dict[str, BuildContext] = {}


@python_builder("test-copy-input")
def copy_input(ctx: BuildContext) -> None:
    """Copy the file named by `input` into $out/copy and record where it came from."""
    SEEN["copy"] = ctx
    source = ctx.env["input"]
    os.mkdir(ctx.outputs["out"])
    with open(ctx.physical(source)) as f, open(os.path.join(ctx.outputs["out"], "copy"), "w") as g:
        g.write(f.read())
    with open(ctx.physical(ctx.env["out"]) + "/origin", "w") as g:
        g.write(source + "\n")
    with open(os.path.join(ctx.build_dir, "graph")) as f:
        with open(os.path.join(ctx.outputs["out"], "graph"), "w") as g:
            g.write(f.read())
    ctx.log("copied")


@python_builder("test-refuses")
def refuses(ctx: BuildContext) -> None:
    with open(ctx.outputs["out"], "w") as f:
        f.write("half")
    raise BuilderFailed("the input is not acceptable")


@python_builder("test-crashes")
def crashes(ctx: BuildContext) -> None:
    raise KeyError("oops")


@python_builder("test-shell-in-output")
def shell_in_output(ctx: BuildContext) -> None:
    """Run a shell command in the output directory, as docker-layer's extraCommands."""
    out = ctx.outputs["out"]
    os.mkdir(out)
    assert ctx.run_sandboxed is not None
    status = ctx.run_sandboxed(["/bin/sh", "-c", "echo made by $0 > made; echo to the log; cat " + ctx.env["input"]],
                               cwd=out, env={"PATH": "/usr/bin:/bin"}, writable=[out])
    if status != 0:
        raise BuilderFailed(f"command failed with {status}")


def _builtin(store, name: str, builder: str, **kwargs) -> str:
    return make_drv(store, name, builder="builtin:" + builder, args=[], **kwargs)


def test_python_builder_outputs_references_and_graph(store, build):
    dep = make_drv(store, "dep", "echo dependency > $out")
    dep_out = output_path(store, dep)
    d = _builtin(store, "copied", "test-copy-input", inputs=[(dep, "out")],
                 env={"input": dep_out, "exportReferencesGraph": f"graph {dep_out}"})
    build(d)
    out = output_path(store, d)
    ctx = SEEN["copy"]
    assert ctx.env["out"] == out and ctx.env["NIX_BUILD_TOP"] == "/build" and ctx.env["PATH"] == "/path-not-set"
    assert ctx.drv_path == d
    with open(store.physical(out) + "/copy") as f:
        assert f.read() == "dependency\n"
    with open(store.physical(out) + "/graph") as f:
        assert f.read() == f"{dep_out}\n\n0\n"
    info = store.query_path_info(out)
    assert info is not None and info.references == {dep_out} and info.deriver == d
    assert (info.nar_hash, info.nar_size) == nar_hash(store.physical(out))
    with open(_log_of(store, d)) as f:
        assert f.read() == "copied\n"


def _log_of(store, drv_path: str) -> str:
    from nixlite.build.progress import log_path
    from nixlite.build.realise import log_root

    return log_path(log_root(store), drv_path)


def test_refusal_registers_nothing(store, build):
    d = _builtin(store, "refused", "test-refuses")
    with pytest.raises(BuildFailure) as info:
        build(d)
    message = info.value.errors[0].message
    assert message.startswith(f"builder for '{d}' failed;\n       last 1 log lines:\n"
                              "       > error: the input is not acceptable\n")
    out = output_path(store, d)
    assert not store.is_valid(out) and not os.path.lexists(store.physical(out))


def test_crash_is_a_build_failure(store, build):
    d = _builtin(store, "crashed", "test-crashes")
    with pytest.raises(BuildFailure) as info:
        build(d)
    assert "> error: internal error in Python builder: KeyError: 'oops'" in info.value.errors[0].message


def test_unknown_builtin(store, build):
    d = _builtin(store, "unknown", "no-such-builder")
    with pytest.raises(BuildFailure) as info:
        build(d)
    assert info.value.errors[0].message == "unsupported builtin builder 'no-such-builder'"


def test_run_sandboxed_from_a_python_builder(store, build):
    text = store.add_text("note", b"from the store\n")
    d = _builtin(store, "shell", "test-shell-in-output", srcs=[text], env={"input": text})
    build(d)
    out = output_path(store, d)
    with open(store.physical(out) + "/made") as f:
        assert f.read() == "made by /bin/sh\n"
    with open(_log_of(store, d)) as f:
        assert f.read() == "to the log\nfrom the store\n"


@pytest.fixture
def http_dir(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_fetchurl_file_and_http(store, build, http_dir):
    served, base = http_dir
    (served / "hello.txt").write_bytes(b"hello")
    sha256 = Hash.of_bytes("sha256", b"hello")
    for name, url in (("via-http", f"{base}/hello.txt"), ("via-file", f"file://{served}/hello.txt")):
        d = _builtin(store, name, "fetchurl", env={"url": url}, fixed=("sha256", sha256.sri(), False))
        build(d)
        info = store.query_path_info(output_path(store, d))
        assert info is not None and info.ca == f"fixed:sha256:{sha256.nix32()}"
        with open(store.physical(output_path(store, d)), "rb") as f:
            assert f.read() == b"hello"


def test_fetchurl_unpacks_a_nar(store, build, http_dir, tmp_path):
    served, base = http_dir
    tree = tmp_path / "tree"
    (tree / "bin").mkdir(parents=True)
    (tree / "bin" / "tool").write_text("#!/bin/sh\n")
    os.chmod(tree / "bin" / "tool", 0o755)
    with open(served / "tree.nar", "wb") as f:
        dump_to(str(tree), f)
    digest, _ = nar_hash(str(tree))
    d = _builtin(store, "unpacked", "fetchurl", env={"url": f"{base}/tree.nar", "unpack": "1"},
                 fixed=("sha256", Hash("sha256", digest).sri(), True))
    build(d)
    assert os.access(store.physical(output_path(store, d)) + "/bin/tool", os.X_OK)


def test_fetchurl_hash_mismatch_and_missing_url(store, build, http_dir):
    served, base = http_dir
    (served / "hello.txt").write_bytes(b"hello")
    wrong = Hash.of_bytes("sha256", b"other")
    d = _builtin(store, "mismatch", "fetchurl", env={"url": f"{base}/hello.txt"}, fixed=("sha256", wrong.sri(), False))
    with pytest.raises(BuildFailure) as info:
        build(d)
    got = Hash.of_bytes("sha256", b"hello")
    assert info.value.errors[0].message == (
        f"hash mismatch in fixed-output derivation '{d}':\n"
        f"         specified: {wrong.sri()}\n            got:    {got.sri()}")
    assert not store.is_valid(output_path(store, d))
    gone = _builtin(store, "gone", "fetchurl", env={"url": f"{base}/missing"}, fixed=("sha256", wrong.sri(), False))
    with pytest.raises(BuildFailure) as info:
        build(gone)
    assert f"> error: unable to download '{base}/missing': HTTP error 404" in info.value.errors[0].message
