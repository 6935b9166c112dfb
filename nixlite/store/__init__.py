"""The Nix store: Nix32, store paths, NAR, ATerm derivations, the database of valid paths.

    nix32        Nix's base-32 encoding
    hashes       hash algorithms and text forms (base16, Nix32, base64, SRI)
    nar          NAR serialisation (streaming), hashing, restoring
    paths        store path computation and name validation
    derivation   ATerm .drv read/write, hashDerivationModulo, output paths
    store        Store: physical root, SQLite validity database, locks, registration
    maintenance  garbage collection and verification

The store knows nothing of the evaluator.
"""

from nixlite.store.store import PathInfo, Store, StoreError

__all__ = ["Store", "PathInfo", "StoreError"]
