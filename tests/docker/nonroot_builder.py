"""Run one dockerTools Python builder as an ordinary user (a child process of the runAsRoot tests).

    python3 nonroot_builder.py '{"root": STORE_ROOT, "builder": NAME, "env": {...}, "name": OUT_NAME,
                                 "uid": 65534, "gid": 65534, "no_fakeroot": false}'

CI runs the tests as root, but runAsRoot must record owners without real
root. This process imports everything it needs while it is still root and
only then drops to `uid`/`gid` (no supplementary groups, no capabilities):
the interpreter may live where that user cannot read it (e.g. under root's
0700 home, as pyenv installs do), so `setpriv … python3` would not start.
When not started as root it just runs as the user it is. With "no_fakeroot"
the build behaves as on a machine without fakeroot installed. It prints one JSON
line: {"out": logical out path} or {"error": message}, and the build log.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import encodings.idna  # noqa: E402,F401  (lazily imported by the standard library otherwise)
import nixlite.build.seccomp  # noqa: E402,F401
import nixlite.build.sandbox  # noqa: E402,F401
import nixlite.docker.builders  # noqa: E402,F401  (registers builtin:docker-*)
import nixlite.docker.rootfs  # noqa: E402
from nixlite.build.python_builders import BuilderFailed  # noqa: E402
from test_builders_harness import FakeStore, run_builder  # noqa: E402


def drop_privileges(uid: int, gid: int) -> None:
    """Become `uid`:`gid` for good (real, effective and saved ids; capabilities go with uid 0)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    assert os.geteuid() == uid and os.getuid() == uid


def main() -> int:
    spec = json.loads(sys.argv[1])
    if os.geteuid() == 0:
        drop_privileges(spec["uid"], spec["gid"])
    os.environ["TMPDIR"] = "/tmp"
    if spec.get("no_fakeroot"):
        nixlite.docker.rootfs.find_fakeroot = lambda: None
    store = FakeStore(spec["root"])
    log: list[str] = []
    try:
        out = run_builder(store, spec["builder"], spec["env"], spec["name"], log)
        result = {"out": out, "log": log}
    except BuilderFailed as e:
        result = {"error": str(e), "log": log}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
