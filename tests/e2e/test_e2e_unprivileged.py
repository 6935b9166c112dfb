"""`nixlite build` as an ordinary user writes the same image bytes as root.

CI runs as root; these tests run the `nixlite` command as `nobody` (see
unprivileged.py: no capabilities, its own HOME and store directory, a private
copy of nixlite when it cannot run the installed one) and compare the image
with the one root built. With runAsRoot, root's sandbox chowns for real while
the ordinary user's runs under fakeroot, which only records owners: the
layers must still be identical, byte for byte. Examples without runAsRoot
check the plain path (contents, extraCommands, the closure, the image files).
"""

from __future__ import annotations

import json
import os

import pytest

from .e2e_helpers import ROOT, layer_members, nixlite_build
from .unprivileged import build_as_user

OWNERS = "tests/e2e/nix/owners.nix"
# (fromImage as an ordinary user: tests/docker/test_builders_root.py, at the builder level.)
CASES = {"owners (runAsRoot)": OWNERS, "multi (no runAsRoot)": "examples/multi/default.nix"}


@pytest.mark.parametrize("expression", list(CASES.values()), ids=list(CASES))
def test_ordinary_user_writes_the_image_root_writes(expression, user, user_store, e2e_store, tmp_path):
    name = expression.replace("/", "-")
    theirs = build_as_user(user, user_store, expression, name)
    st = os.stat(theirs)
    assert (st.st_uid, st.st_gid) == (user.uid, user.gid), "the ordinary user's build did not make the image"
    ours = nixlite_build([os.path.join(ROOT, expression), "-A", "image"], e2e_store, str(tmp_path / name))
    assert os.path.basename(theirs) == os.path.basename(ours)  # the same store path
    with open(theirs, "rb") as a, open(ours, "rb") as b:
        assert a.read() == b.read(), f"image bytes differ ({user.notes})"


def test_owners_example_layer_has_the_owners_runasroot_set(user, user_store):
    """What the comparison above compares is right: the owners and modes chown/chmod set, not 0:0."""
    image = build_as_user(user, user_store, OWNERS, "owners-check")
    members = layer_members(image)
    owner_mode = {name: (m.uid, m.gid, m.mode) for name, m in members.items()}
    # shadow's defaults with an empty login.defs: system ids count down from 999.
    assert owner_mode["var/lib/app"] == (999, 999, 0o755)
    assert owner_mode["var/lib/app/key"] == (999, 999, 0o640)
    assert owner_mode["srv/shared"] == (1234, 5678, 0o2775)
    assert owner_mode["bin/tool-setuid"] == (0, 0, 0o4755)
    assert "bin/true" not in members and "bin/false" in members
    assert {n for n, (uid, gid, _) in owner_mode.items() if (uid, gid) != (0, 0)} == {
        "var/lib/app", "var/lib/app/key", "srv/shared"}


def test_ordinary_user_layer_was_recorded_with_fakeroot(user, user_store):
    """Guard: the user's runAsRoot really ran without root (fakeroot's log line), or the comparison proves little."""
    build_as_user(user, user_store, OWNERS, "owners-log")
    drv = user.run(["instantiate", os.path.join(user.repo, OWNERS), "-A", "image", "-I", f"nixpkgs={user.prelude}",
                    "--store", user_store])
    assert drv.returncode == 0, drv.stderr
    image_drv = drv.stdout.strip().splitlines()[-1]
    shown = json.loads(user.run(["show-derivation", "--store", user_store, image_drv]).stdout)[image_drv]
    layer_drv = next(d for d in shown["inputDrvs"] if "-docker-layer-" in d)
    log = user.run(["log", "--store", user_store, layer_drv])
    assert log.returncode == 0, log.stderr
    assert "owners recorded with fakeroot" in log.stdout, log.stdout
