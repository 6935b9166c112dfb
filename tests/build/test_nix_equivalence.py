"""nixlite's builds against Nix 2.8's: same outputs, same NAR hashes, same references.

The derivations of cases/equivalence.nix (builder /bin/sh, nothing outside
the store but the host's /bin and /usr) are built by `nix-build --option
sandbox false`; the very same .drv files are imported into a nixlite store
and realised there. Every output must have the NAR hash and the references
Nix registered. This compares the build layer alone (environment,
passAsFile, structured attributes, exportReferencesGraph, fixed outputs,
reference scanning), independent of nixlite's evaluator;
test_build_command.py does the same end to end through `nixlite build`.

Where Nix 2.8 and current Nix differ: 2.8 writes an empty `.attrs.sh`;
nixlite writes current Nix's `declare` lines (not compared here).
"""

from __future__ import annotations

import io
import os

import pytest
from oracle import import_derivation, nar_hash_of, nix_build, nix_instantiate, references_of

from nixlite.build.realise import BuildSettings
from nixlite.build.scheduler import realise_derivations
from nixlite.store import nix32
from nixlite.store.store import Store

CASES = os.path.join(os.path.dirname(__file__), "cases", "equivalence.nix")


@pytest.fixture(scope="module")
def both_built(tmp_path_factory):
    """(nixlite store, drv paths): the cases built by Nix, and by nixlite from the same .drv files."""
    nix_build(CASES)
    drv_paths = nix_instantiate(CASES)
    store = Store(str(tmp_path_factory.mktemp("equivalence") / "root"))
    for drv_path in drv_paths:
        import_derivation(store, drv_path)
    realise_derivations(store, [(p, None) for p in drv_paths], jobs=2,
                        settings=BuildSettings(cores=os.cpu_count() or 1), stream=io.StringIO())
    return store, drv_paths


def _outputs(store: Store, drv_paths: list[str]) -> list[str]:
    return sorted(out.path for p in drv_paths for out in store.read_derivation(p).outputs.values())


def test_every_output_has_nix_nar_hash_and_references(both_built):
    store, drv_paths = both_built
    outputs = _outputs(store, drv_paths)
    assert len(outputs) == 16
    for path in outputs:
        info = store.query_path_info(path)
        assert info is not None, path
        assert "sha256:" + nix32.encode(info.nar_hash) == nar_hash_of(path), path
        assert info.references == references_of(path), path


def test_environment_is_nix_environment(both_built):
    store, drv_paths = both_built
    [drv_path] = [p for p in drv_paths if p.endswith("-environment.drv")]
    out = store.read_derivation(drv_path).outputs["out"].path
    with open(store.physical(out)) as f:
        ours = f.read()
    with open(out) as f:  # Nix's build of the same derivation
        assert ours == f.read()
    assert "PATH=/usr/bin:/bin\nTERM=xterm-256color\n" in ours
