"""Nix32, hashes, NAR and store paths checked against Nix 2.8 (nix-hash, nix-store --dump)."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess

import pytest

from nixlite.store import hashes, nix32, paths
from nixlite.store.nar import nar_hash, nar_serialise, restore

from tests.conftest import run_nix


def _nix_hash(*args: str) -> str:
    r = run_nix(["nix-hash", *args])
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@pytest.mark.parametrize("data", [b"", b"a", b"hello world\n", bytes(range(256))])
@pytest.mark.parametrize("algo", ["md5", "sha1", "sha256", "sha512"])
def test_nix32_matches_nix_hash_to_base32(data: bytes, algo: str) -> None:
    digest = hashlib.new(algo, data).digest()
    expected = _nix_hash("--type", algo, "--to-base32", digest.hex())
    assert nix32.encode(digest) == expected
    assert nix32.decode(expected, len(digest)) == digest


def test_nix32_rejects_bad_text() -> None:
    with pytest.raises(ValueError):
        nix32.decode("e" * 52, 32)
    with pytest.raises(ValueError):
        nix32.decode("z" * 52, 32)  # more than 256 bits


def test_hash_forms_round_trip_and_agree_with_nix() -> None:
    h = hashes.Hash.of_bytes("sha256", b"abc")
    for form, want in (("to-base64", h.base64()), ("to-sri", h.sri())):
        r = run_nix(["nix", "--extra-experimental-features", "nix-command", "hash", form, "--type", "sha256",
                     h.base16()])
        assert r.stdout.strip() == want, r.stderr
    for text in (h.base16(), h.nix32(), h.base64(), h.sri(), "sha256:" + h.nix32()):
        assert hashes.parse_any(text, "sha256" if ":" not in text and "-" not in text else None) == h


@pytest.mark.parametrize("text,algo,message", [
    ("abc", None, "hash 'abc' does not include a type, nor is the type otherwise known from context"),
    ("abc", "sha256", "hash 'abc' has wrong length for hash type 'sha256'"),
    ("sha256-AAAA", "sha1", "hash 'sha256-AAAA' should have type 'sha1'"),
    ("foo:abc", None, "unknown hash algorithm 'foo'"),
])
def test_bad_hash_messages(text: str, algo: str | None, message: str) -> None:
    with pytest.raises(hashes.BadHash) as err:
        hashes.parse_any(text, algo)
    assert str(err.value) == message


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text("hello\n")
    (root / "empty").write_bytes(b"")
    (root / "odd").write_bytes(b"x" * 13)
    script = root / "sub" / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    (root / "sub" / "deeper" / "B").write_text("upper sorts first")
    os.symlink("../a.txt", root / "sub" / "link")
    os.symlink("dangling/target", root / "dangle")
    return root


def test_nar_is_byte_identical_to_nix_store_dump(tree) -> None:
    expected = subprocess.run(["nix-store", "--dump", str(tree)], capture_output=True, check=True).stdout
    assert b"".join(nar_serialise(str(tree))) == expected
    single = tree / "a.txt"
    expected = subprocess.run(["nix-store", "--dump", str(single)], capture_output=True, check=True).stdout
    assert b"".join(nar_serialise(str(single))) == expected


def test_nar_hash_matches_nix_hash(tree) -> None:
    digest, size = nar_hash(str(tree))
    assert nix32.encode(digest) == _nix_hash("--type", "sha256", "--base32", str(tree))
    assert size == len(b"".join(nar_serialise(str(tree))))


def test_nar_restore_round_trips(tree, tmp_path) -> None:
    data = b"".join(nar_serialise(str(tree)))
    dest = tmp_path / "restored"
    restore(io.BytesIO(data), str(dest))
    assert b"".join(nar_serialise(str(dest))) == data
    assert os.access(dest / "sub" / "run.sh", os.X_OK)


def test_placeholder_and_fixed_paths_match_nix() -> None:
    r = run_nix(["nix-instantiate", "--eval", "-E", 'builtins.placeholder "dev"'])
    assert r.stdout.strip() == f'"{paths.placeholder("dev")}"'


@pytest.mark.parametrize("name,message", [
    ("", "has an empty name"),
    ("a b", "contains illegal character ' '"),
    ("x" * 212, "has a name longer than 211 characters"),
])
def test_store_path_name_rules(name: str, message: str) -> None:
    with pytest.raises(paths.BadStorePath) as err:
        paths.make_text_path(name, b"")
    assert message in str(err.value)


def test_text_path_matches_to_file() -> None:
    r = run_nix(["nix-instantiate", "--eval", "--read-write-mode", "-E", 'builtins.toFile "t.txt" "some\\ntext"'])
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f'"{paths.make_text_path("t.txt", b"some" + bytes([10]) + b"text")}"'


def test_source_path_matches_nix_add(tree) -> None:
    r = run_nix(["nix-store", "--add", str(tree)])
    assert r.returncode == 0, r.stderr
    digest, _ = nar_hash(str(tree))
    assert r.stdout.strip() == paths.make_source_path("tree", digest)


def test_flat_fixed_path_matches_nix_add_fixed(tree) -> None:
    for flags, recursive, algo in ((["sha256"], False, "sha256"), (["--recursive", "sha1"], True, "sha1"),
                                   (["md5"], False, "md5")):
        r = run_nix(["nix-store", "--add-fixed", *flags, str(tree / "a.txt")])
        assert r.returncode == 0, r.stderr
        h = hashes.Hash.of_bytes(algo, b"hello\n") if not recursive else hashes.Hash(
            algo, nar_hash(str(tree / "a.txt"), algo=algo)[0])
        assert r.stdout.strip() == paths.make_fixed_output_path("a.txt", h, recursive)


def test_regular_file_nar_equals_serialised_file(tmp_path) -> None:
    from nixlite.store.nar import regular_file_nar

    f = tmp_path / "f"
    f.write_bytes(b"abc" * 7)
    assert regular_file_nar(b"abc" * 7) == b"".join(nar_serialise(str(f)))
