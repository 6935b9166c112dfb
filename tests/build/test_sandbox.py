"""The sandbox refuses escapes: network, writing outside $out, changing the store or the host."""

from __future__ import annotations

import os
import shutil
import socket
import threading

import pytest
from drvs import make_drv, output_path

from nixlite.build.sandbox import StoreView, run_sandboxed

SH = "export PATH=/usr/bin:/bin; "


def _result(store, drv_path: str) -> str:
    with open(store.physical(output_path(store, drv_path))) as f:
        return f.read()


@pytest.fixture
def listener():
    """A TCP server on the host's loopback that counts connections."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    accepted = []

    def serve():
        try:
            while True:
                conn, _ = server.accept()
                accepted.append(conn)
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], accepted
    server.close()


def test_no_network(store, build, listener):
    port, accepted = listener
    probe = (f"/usr/bin/python3 -c 'import socket\ntry:\n socket.create_connection((\"127.0.0.1\",{port}),2)"
             "\n print(\"connected\")\nexcept OSError as e:\n print(\"refused\")' > $out; "
             "ls /sys/class/net >> $out 2>/dev/null || true")
    d = make_drv(store, "net", SH + probe)
    build(d)
    assert _result(store, d).startswith("refused\n")
    assert accepted == []


def test_fixed_output_builds_have_network(store, build, listener):
    port, accepted = listener
    probe = (f"/usr/bin/python3 -c 'import socket; socket.create_connection((\"127.0.0.1\",{port}),2)'"
             " && printf ok > $out")
    d = make_drv(store, "net-fod", SH + probe,
                 fixed=("sha256", "2689367b205c16ce32ed4200942b8b8b1e262dfc70d9bc9fbc77c49699a4f1df", False))
    build(d)
    assert _result(store, d) == "ok"
    assert len(accepted) == 1


def test_cannot_write_outside_out(store, build, tmp_path):
    host_dir = tmp_path / "host"
    host_dir.mkdir()
    a = make_drv(store, "input", "echo input > $out")
    a_out = output_path(store, a)
    attempts = {
        "host-dir": f"echo x > {host_dir}/f",
        "usr": "touch /usr/escape",
        "etc": "echo x >> /etc/passwd",
        "input": f"echo x >> {a_out}",
        "physical-store": f"touch {store.real_store_dir}/escape",
        "new-store-path": "echo x > /nix/store/00000000000000000000000000000000-sneaky && echo created",
    }
    script = SH + "".join(
        f"( {cmd} ) 2>/dev/null && echo {name}: written >> $out || echo {name}: refused >> $out; "
        for name, cmd in attempts.items())
    d = make_drv(store, "escape", script, inputs=[(a, "out")])
    build(d)
    report = dict(line.split(": ") for line in _result(store, d).splitlines())
    # A new name in the sandbox's /nix/store is private to the build and thrown away.
    assert report.pop("new-store-path") == "written"
    assert not os.path.lexists(store.real_store_dir + "/00000000000000000000000000000000-sneaky")
    assert report == {name: "refused" for name in attempts if name != "new-store-path"}
    assert os.listdir(host_dir) == []
    assert not os.path.exists("/usr/escape")
    assert _result(store, a) == "input\n"


def test_run_sandboxed_options(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": "/usr/bin:/bin"}
    status = run_sandboxed(["/bin/sh", "-c", "id -u > uid; pwd > pwd; touch /usr/x 2>/dev/null || echo ro > ro"],
                           cwd=str(work), env=env, writable=[str(work)])
    assert status == 0
    assert (work / "uid").read_text() == "1000\n"
    assert (work / "pwd").read_text() == f"{work}\n"
    assert (work / "ro").read_text() == "ro\n"
    assert run_sandboxed(["/bin/sh", "-c", "exit 7"], cwd="/", env=env) == 7
    assert run_sandboxed(["/bin/sh", "-c", "id -u > /w/uid"], cwd="/", env=env, uid0=True,
                         writable=[(str(work), "/w")]) == 0
    assert (work / "uid").read_text() == "0\n"


def test_run_sandboxed_with_a_root_filesystem(tmp_path, store):
    """dockerTools' runAsRoot: the image root as /, the store bound in, uid 0; mount points cleaned up."""
    root = tmp_path / "rootfs"
    (root / "bin").mkdir(parents=True)
    shutil.copy("/bin/busybox", root / "bin" / "busybox")
    text = store.add_text("greeting", b"hello from the store\n")
    # As an ordinary user the namespace maps one uid: chown to another fails (documented).
    chown = "/bin/busybox chown 1000:1000 /data && " if os.geteuid() == 0 else ""
    status = run_sandboxed(
        ["/bin/busybox", "sh", "-c", f"/bin/busybox mkdir /data && /bin/busybox cat {text} > /data/g && "
                                     f"{chown}/bin/busybox id -u > /data/uid"],
        cwd="/", env={}, root=str(root), uid0=True,
        store=StoreView(store.real_store_dir, paths=[text]))
    assert status == 0
    assert (root / "data" / "g").read_text() == "hello from the store\n"
    assert (root / "data" / "uid").read_text() == "0\n"
    if os.geteuid() == 0:  # real root keeps the file-ownership capabilities
        assert (root / "data").stat().st_uid == 1000
    assert sorted(os.listdir(root)) == ["bin", "data"]  # no /proc, /dev, /nix left behind


def test_no_setuid_files_and_no_xattrs(store, build):
    """Nix's seccomp filter: chmod with S_ISUID/S_ISGID fails with EPERM, setxattr with ENOTSUP."""
    script = SH + ("echo > f; chmod 4755 f 2>/dev/null; echo setuid $? > $out; chmod 2755 f 2>/dev/null; "
                   "echo setgid $? >> $out; chmod 755 f; echo plain $? >> $out; /usr/bin/python3 -c '"
                   "import errno, os\ntry:\n os.setxattr(\"f\", \"user.a\", b\"1\")\nexcept OSError as e:\n"
                   " print(\"xattr\", errno.errorcode[e.errno])' >> $out")
    d = make_drv(store, "seccomp", script)
    build(d)
    assert _result(store, d) == "setuid 1\nsetgid 1\nplain 0\nxattr ENOTSUP\n"
