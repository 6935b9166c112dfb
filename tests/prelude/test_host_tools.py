"""The `builtin:host-tools` builder: host programs that run in an empty root.

The derivation attributes come from the prelude as Nix 2.8 evaluates it;
the builder writes each output at its logical store path inside a temporary
root that holds nothing but /nix/store, and the programs then run there
under bwrap (no host /lib, /usr or /bin).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from nixlite.build.host_tools import build_host_tools
from nixlite.build.python_builders import BuildContext, BuilderFailed, lookup
from tests.prelude.helpers import PRELUDE, eval_json_nix

ATTRS = ("out", "programs", "programPaths", "programHashes", "programLinks", "multiCall")


def host_tool_env(package: str) -> dict[str, str]:
    """The builder environment of a prelude host-tool package, as Nix would pass it."""
    drv = eval_json_nix(f"let p = (import {PRELUDE} {{ }}).{package}; in "
                        f"{{ inherit (p) {' '.join(ATTRS[1:])}; out = p.outPath; }}")
    env = {}
    for name in ATTRS:
        value = drv[name]
        if isinstance(value, list):
            value = " ".join(value)
        elif isinstance(value, bool):
            value = "1" if value else ""
        env[name] = value
    return env


def build_into(root: str, env: dict[str, str]) -> str:
    physical = os.path.join(root, env["out"].lstrip("/"))
    os.makedirs(os.path.dirname(physical), exist_ok=True)
    ctx = BuildContext(drv_path="/nix/store/x.drv", env=env, outputs={"out": physical},
                       physical=lambda p: os.path.join(root, p.lstrip("/")), build_dir=root, log=lambda _: None)
    build_host_tools(ctx)
    return env["out"]


def run_in_root(root: str, argv: list[str]) -> subprocess.CompletedProcess:
    """Run argv with `root` (only /nix/store in it) as /, as uid 0 of a user namespace."""
    return subprocess.run(["bwrap", "--bind", root, "/", "--dev", "/dev", "--proc", "/proc",
                           "--unshare-user", "--uid", "0", "--gid", "0", "--clearenv", *argv],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def tools(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("root"))
    built = {name: build_into(root, host_tool_env(name))
             for name in ("bash", "coreutils", "shadow", "busybox", "gzip")}
    return root, built


def test_builder_is_registered():
    assert lookup("builtin:host-tools") is build_host_tools


def test_bash_runs_without_host_libraries(tools):
    root, built = tools
    assert not os.path.exists(os.path.join(root, "usr")) and not os.path.exists(os.path.join(root, "lib"))
    result = run_in_root(root, [f"{built['bash']}/bin/bash", "-c", "echo hi"])
    assert (result.returncode, result.stdout) == (0, "hi\n"), result.stderr
    result = run_in_root(root, [f"{built['bash']}/bin/sh", "-c", 'echo "$0"'])
    assert result.stdout == f"{built['bash']}/bin/sh\n"


def test_coreutils_and_gzip_run_in_an_empty_root(tools):
    root, built = tools
    script = (f"export PATH={built['coreutils']}/bin:{built['gzip']}/bin; mkdir -p /t; "
              "echo data | gzip -n > /t/x.gz; gzip -dc /t/x.gz; ls /t; sha256sum /t/x.gz | cut -c1-8")
    result = run_in_root(root, [f"{built['bash']}/bin/bash", "-c", script])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["data", "x.gz"]


def test_shadow_setup_then_useradd_works_in_an_empty_root(tools):
    root, built = tools
    setup = eval_json_nix(f"(import {PRELUDE} {{ }}).dockerTools.shadowSetup")
    script = (f"set -e\nexport PATH={built['coreutils']}/bin:/bin\n{setup}\n"
              "groupadd --system nginx\nuseradd --system --gid nginx nginx\ncat /etc/passwd /etc/group")
    result = run_in_root(root, [f"{built['bash']}/bin/bash", "-c", script])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "root:x:0:0::/root:/bin/sh"
    assert any(line.startswith("nginx:x:") for line in lines[1:2])
    assert "root:x:0:" in lines and any(line.startswith("nginx:x:") for line in lines[2:])


def test_busybox_gets_its_applets(tools):
    root, built = tools
    bin_dir = os.path.join(root, built["busybox"].lstrip("/"), "bin")
    assert os.readlink(os.path.join(bin_dir, "sh")) == "busybox"
    result = run_in_root(root, [f"{built['busybox']}/bin/sh", "-c", "echo ok; ls /nix/store | wc -l"])
    assert result.returncode == 0 and result.stdout.splitlines()[0] == "ok", result.stderr


def test_a_changed_host_binary_fails_the_build(tmp_path):
    env = host_tool_env("gzip")
    env["programHashes"] = "0" * 64
    with pytest.raises(BuilderFailed, match="changed since evaluation"):
        build_into(str(tmp_path), env)


@pytest.mark.parametrize("change, message", [
    ({"programs": "bash gzip"}, "equal, non-zero length"),
    ({"programs": "../bash"}, "bad program name"),
    ({"programPaths": "usr/bin/gzip"}, "not absolute"),
    ({"programLinks": "zcat=missing"}, "bad program link"),
])
def test_bad_host_tool_attributes_are_refused(tmp_path, change, message):
    env = {**host_tool_env("gzip"), **change}
    with pytest.raises(BuilderFailed, match=message):
        build_into(str(tmp_path), env)
