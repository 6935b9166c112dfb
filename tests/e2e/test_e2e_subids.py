"""runAsRoot as an ordinary user with subordinate ids: static programs' chowns are kept.

fakeroot cannot see a statically linked busybox, so as `nobody` (no
subordinate ids) its `chown 1000 /data` fails. A user with /etc/subuid and
/etc/subgid entries (Debian's useradd allocates them; newuidmap/newgidmap
come from `uidmap`, which .ci/setup installs) gets the script run in a user
namespace mapping those ids (nixlite.docker.subids), where every chown is
real. The fixture makes such a user for the test and removes it afterwards.
tests/e2e/nix/static-chown.nix mixes busybox-static's chown, coreutils'
chown and a mknod; the image must equal root's byte for byte.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile

import pytest

from nixlite.store.files import remove_tree

from .e2e_helpers import ROOT, layer_members, nixlite_build
from .unprivileged import build_as_user, unprivileged_nixlite

STATIC = "tests/e2e/nix/static-chown.nix"


def _has_subordinate_ids(name: str) -> bool:
    found = []
    for path in ("/etc/subuid", "/etc/subgid"):
        with open(path) as f:
            found.append(any(line.split(":")[0] == name for line in f))
    return all(found)


@pytest.fixture(scope="module")
def subid_user():
    """A new user with subordinate ids (root only: CI runs as root), and nixlite it can run."""
    if os.geteuid() != 0:
        pytest.fail("this test creates a user: run it as root (CI does)")
    name = "nlsub" + secrets.token_hex(4)
    for path in ("/etc/subuid", "/etc/subgid"):  # useradd allocates ranges only when these exist
        if not os.path.exists(path):
            open(path, "a").close()
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    workdir = tempfile.mkdtemp(prefix="nixlite-subids-", dir="/tmp")
    try:
        assert _has_subordinate_ids(name), "useradd allocated no subordinate ids"
        yield unprivileged_nixlite(workdir, name)
    finally:
        remove_tree(workdir)
        subprocess.run(["userdel", name], check=False)


def test_static_chown_with_subordinate_ids_writes_roots_image(subid_user, e2e_store, tmp_path):
    store = subid_user.make_dir("store")
    theirs = build_as_user(subid_user, store, STATIC, "static")
    ours = nixlite_build([os.path.join(ROOT, STATIC), "-A", "image"], e2e_store, str(tmp_path / "static"))
    assert os.path.basename(theirs) == os.path.basename(ours)
    with open(theirs, "rb") as a, open(ours, "rb") as b:
        assert a.read() == b.read(), subid_user.notes
    members = layer_members(theirs)
    owners = {name: (m.uid, m.gid, m.mode) for name, m in members.items() if name.startswith(("data", "srv"))}
    assert owners == {"data": (1000, 1000, 0o750), "data/inner": (65534, 65534, 0o755),
                      "srv": (999, 998, 0o755), "srv/null": (0, 0, 0o666)}
    assert members["srv/null"].ischr() and (members["srv/null"].devmajor, members["srv/null"].devminor) == (1, 3)
    # Nothing of the subordinate range is left behind for the user (or root) to clean up.
    leftovers = subprocess.run(["find", subid_user.workdir, "!", "-uid", str(subid_user.uid), "!", "-uid", "0"],
                               capture_output=True, text=True).stdout
    assert leftovers == ""


def test_owner_outside_the_subordinate_range_fails_and_says_why(subid_user):
    expr = ('let p = import <nixpkgs> { }; in p.dockerTools.buildImage { name = "far-owner"; compressor = "none"; '
            'runAsRoot = "${p.busybox}/bin/mkdir /far\\n${p.busybox}/bin/chown 70000 /far\\n"; }')
    store = subid_user.make_dir("store-far")
    proc = subid_user.run(["build", "-E", expr, "-I", f"nixpkgs={subid_user.prelude}", "--store", store,
                           "-o", os.path.join(subid_user.home, "far")])
    assert proc.returncode != 0
    assert "subordinate ids" in proc.stderr and "outside that range" in proc.stderr, proc.stderr[-2000:]
    leftovers = subprocess.run(["find", store, "!", "-uid", str(subid_user.uid)], capture_output=True, text=True)
    assert leftovers.stdout == ""
