"""Text paths (.drv files, toFile) are registered in batches, yet always look valid.

The store writes a text path's file at once and registers it together with
the others before its database is next used, when a command finishes, or at
exit; these tests check that no query, in this process or another, can see
a text path half-way: valid in one place and not in another.
"""

from __future__ import annotations

import subprocess
import sys

from nixlite.store.store import Store


def test_pending_text_paths_are_valid_to_every_query(tmp_path) -> None:
    store = Store(str(tmp_path / "root"))
    dep = store.add_text("dep", b"x")
    path = store.add_text("t", dep.encode(), [dep])
    assert store.is_valid(path) and store.is_valid(dep)
    other = Store(store.root)  # another process's view: the database alone
    assert not other.is_valid(path)
    info = store.query_path_info(path)  # any database query registers what is pending first
    assert info is not None and info.references == {dep}
    assert other.is_valid(path) and other.references(path) == {dep}


def test_a_derivation_is_registered_with_its_outputs(tmp_path) -> None:
    from nixlite.store.derivation import Derivation, DerivationOutput, instantiate

    store = Store(str(tmp_path / "root"))
    drv = Derivation({"out": DerivationOutput("")}, {}, set(), "x86_64-linux", "/bin/sh", [], {"name": "d"}, "d")
    aterm, _ = instantiate(drv, store.hash_modulo)
    path = store.write_derivation(drv, aterm=aterm)
    store.flush_registrations()
    assert Store(store.root).derivation_outputs(path) == {"out": drv.outputs["out"].path}


def test_pending_registrations_are_made_at_exit(tmp_path) -> None:
    root = str(tmp_path / "root")
    code = "import sys\nfrom nixlite.store.store import Store\nprint(Store(sys.argv[1]).add_text('late', b'y'))"
    path = subprocess.run([sys.executable, "-c", code, root], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert Store(root).is_valid(path)
    assert open(Store(root).physical(path), "rb").read() == b"y"


def test_instantiate_registers_what_it_prints(tmp_path) -> None:
    """The .drv nixlite instantiate prints is valid in the database, with its references."""
    root = str(tmp_path / "root")
    expr = 'derivation { name = "p"; system = "x"; builder = "/bin/sh"; args = [ (builtins.toFile "f" "z") ]; }'
    out = subprocess.run([sys.executable, "-m", "nixlite.cli", "instantiate", "-E", expr, "--store", root],
                         capture_output=True, text=True, check=True).stdout.strip()
    fresh = Store(root)
    assert fresh.is_valid(out)
    assert len(fresh.references(out)) == 1
