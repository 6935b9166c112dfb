"""The prelude's shell builders, built by nixlite from derivations Nix 2.8 instantiated.

Checks what nixpkgs' builders of the same names produce: file contents and
modes, symlink trees, the runtime-closure list, stdenv phases and hooks.
"""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from nixlite.store.store import Store
from tests.prelude.oracle_build import build


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return Store(str(tmp_path_factory.mktemp("store")))


def logical(store: Store, physical: str) -> str:
    return store.store_dir + physical[len(store.real_store_dir):]


def test_write_text(store):
    out = build(store, 'pkgs.writeText "hello.txt" "Hello\\n"')
    assert open(out).read() == "Hello\n"
    assert not os.stat(out).st_mode & stat.S_IXUSR


def test_write_text_dir_and_script_bin(store):
    out = build(store, 'pkgs.writeTextDir "share/doc/readme" "read me"')
    assert open(os.path.join(out, "share/doc/readme")).read() == "read me"
    out = build(store, 'pkgs.writeScriptBin "hi" "#!/bin/sh\\necho hi"')
    assert os.stat(os.path.join(out, "bin/hi")).st_mode & stat.S_IXUSR


def test_write_shell_script_bin_uses_the_store_bash(store):
    out = build(store, 'pkgs.writeShellScriptBin "hi" "echo hi"')
    text = open(os.path.join(out, "bin/hi")).read()
    assert text.startswith("#!/nix/store/") and text.split("\n")[0].endswith("-host-bash/bin/bash")
    assert text.split("\n")[1] == "echo hi"


def test_run_command_sees_attributes_and_tools(store):
    out = build(store, 'pkgs.runCommand "rc" { FOO = "bar"; buildInputs = [ pkgs.rsync ]; } '
                       "''echo $FOO > $out; command -v rsync >> $out; command -v sed >> $out''")
    foo, rsync, sed = open(out).read().split("\n")[:3]
    assert foo == "bar"
    assert rsync.endswith("-host-rsync/bin/rsync") and sed.endswith("-host-gnused/bin/sed")


def test_symlink_join_merges_trees_first_wins(store):
    out = build(store, 'pkgs.symlinkJoin { name = "joined"; paths = [ (pkgs.writeTextDir "a/x" "1") '
                       '(pkgs.writeTextDir "a/x" "2") (pkgs.writeTextDir "a/y" "3") ]; }')
    assert os.path.isdir(os.path.join(out, "a")) and not os.path.islink(os.path.join(out, "a"))
    assert os.path.islink(os.path.join(out, "a/x"))
    assert sorted(os.listdir(os.path.join(out, "a"))) == ["x", "y"]
    assert os.readlink(os.path.join(out, "a/x")).startswith("/nix/store/")


def test_write_references_to_file_lists_the_closure(store):
    out = build(store, 'pkgs.writeReferencesToFile (pkgs.writeShellScript "s" "echo hi")')
    lines = open(out).read().split()
    assert lines == sorted(lines) and len(lines) == 2
    assert any(line.endswith("-s") for line in lines) and any(line.endswith("-host-bash") for line in lines)


def test_mk_derivation_runs_phases_and_hooks(store):
    out = build(store, 'pkgs.stdenv.mkDerivation { pname = "demo"; version = "1.0"; '
                       'src = pkgs.writeTextDir "src/Makefile" "all:\\n\\techo built > result\\n"; '
                       "preBuild = ''cd src''; "
                       "installPhase = ''mkdir -p $out; cp result $out/; echo $name > $out/name''; }")
    assert open(os.path.join(out, "result")).read() == "built\n"
    assert open(os.path.join(out, "name")).read() == "demo-1.0\n"


def test_shell_script_for_run_as_root(store):
    out = build(store, 'pkgs.dockerTools.shellScript "s.sh" "ls /"')
    lines = open(out).read().split("\n")
    assert lines[0].startswith("#!/nix/store/") and lines[0].endswith("-host-bash/bin/bash")
    assert lines[1] == "set -e"
    assert lines[2].startswith("export PATH=/nix/store/") and lines[2].endswith("-host-coreutils/bin:/bin")
    assert lines[4] == "ls /"
    assert os.stat(out).st_mode & stat.S_IXUSR


def test_fetchurl_downloads_and_checks_the_hash(store, tmp_path):
    source = tmp_path / "data.txt"
    source.write_text("fetched\n")
    digest = hashlib.sha256(b"fetched\n").hexdigest()
    out = build(store, f'pkgs.fetchurl {{ url = "file://{source}"; sha256 = "{digest}"; }}')
    assert open(out).read() == "fetched\n"
