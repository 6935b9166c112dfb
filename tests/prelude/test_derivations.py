"""The prelude's derivations: their shape under Nix 2.8, and equal .drv paths under nixlite.

Nix 2.8 instantiates derivations whose builder is `builtin:docker-layer`
and the like (it only cannot build them), so the drvPaths of the trivial
builders, the host tools, dockerTools and the examples come from the oracle.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.prelude.drv_cases import DRV_CASES, example_cases
from tests.prelude.helpers import PRELUDE, eval_json_nix, eval_json_nixlite

ALL_CASES = {**DRV_CASES, **example_cases(ROOT)}


def _drv_paths_expression() -> str:
    body = "".join(f"  {json.dumps(name)} = ({expr}).drvPath;\n" for name, expr in ALL_CASES.items())
    return f"let pkgs = import {PRELUDE} {{ }}; in {{\n{body}}}"


@pytest.fixture(scope="module")
def oracle_drv_paths() -> dict:
    return eval_json_nix(_drv_paths_expression())


def test_every_case_instantiates_under_nix(oracle_drv_paths):
    assert sorted(oracle_drv_paths) == sorted(ALL_CASES)
    for name, path in oracle_drv_paths.items():
        assert path.startswith("/nix/store/") and path.endswith(".drv"), name


def test_drv_paths_equal_between_nixlite_and_nix(oracle_drv_paths):
    assert eval_json_nixlite(_drv_paths_expression()) == oracle_drv_paths


def _drv_attrs(expr: str) -> dict:
    return eval_json_nix(f"let pkgs = import {PRELUDE} {{ }}; d = {expr}; in "
                         "builtins.removeAttrs d.drvAttrs [ \"__ignoreNulls\" ]")


def test_build_image_derivation_follows_the_contract():
    image = "(import %s/examples/redis { inherit pkgs; }).image" % ROOT
    attrs = _drv_attrs(image)
    assert attrs["builder"] == "builtin:docker-image"
    assert attrs["name"] == "docker-image-redis.tar"  # compressor = "none"
    assert attrs["compressor"] == "none"
    assert (attrs["imageName"], attrs["imageTag"]) == ("nixlite/redis", "latest")
    assert attrs["fromImage"].endswith("-docker-image-shell.tar")
    assert attrs["layerClosure"].endswith("-runtime-deps")
    layer = _drv_attrs(f"{image}.layer")
    assert layer["builder"] == "builtin:docker-root-layer"
    assert layer["name"] == "docker-layer-redis"
    assert layer["diskSize"] == 1024 and layer["extraCommands"] == ""
    assert layer["runAsRoot"].endswith("-run-as-root.sh")
    oci = _drv_attrs(f"{image}.oci")
    assert oci["builder"] == "builtin:docker-oci"
    assert oci["image"] == eval_json_nix(f"let pkgs = import {PRELUDE} {{ }}; in {image}.outPath")


def test_base_json_is_the_seed_config():
    text = eval_json_nix(f"let pkgs = import {PRELUDE} {{ }}; in "
                         f"(import {ROOT}/examples/shell {{ inherit pkgs; }}).image.layer.baseJson.drvAttrs.text")
    config = json.loads(text)
    assert config["created"] == "1970-01-01T00:00:01Z"
    assert (config["architecture"], config["os"]) == ("amd64", "linux")
    assert config["config"]["Cmd"] == ["/bin/sh", "-c", "echo Hello from a nixlite image"]


def test_run_as_root_script_is_the_seed_shell_script():
    text = eval_json_nix(f"let pkgs = import {PRELUDE} {{ }}; in "
                         f"(import {ROOT}/examples/nginx {{ inherit pkgs; }}).image.layer.runAsRoot.drvAttrs.text")
    bash = eval_json_nix(f"(import {PRELUDE} {{ }}).bash.outPath")
    coreutils = eval_json_nix(f"(import {PRELUDE} {{ }}).coreutils.outPath")
    lines = text.splitlines()
    assert lines[:3] == [f"#!{bash}/bin/bash", "set -e", f"export PATH={coreutils}/bin:/bin"]
    assert "groupadd --system nginx" in lines and "useradd --system --gid nginx nginx" in lines
    assert any(line.startswith("export PATH=/nix/store/") and line.endswith("-host-shadow/bin:$PATH") for line in lines)


PACKAGE_SET_FACTS = f"""
let
  pkgs = import {PRELUDE} {{
    overlays = [
      (final: prev: {{ greeting = prev.writeText "greeting" "hi"; twice = final.greeting; }})
      (final: prev: {{ greeting = prev.writeText "greeting2" "hello"; }})
    ];
  }};
  called = pkgs.callPackage ({{ writeText, lib, suffix ? "!" }}: writeText "called" (lib.toUpper "x" + suffix)) {{ }};
in {{
  overlayName = pkgs.greeting.name;
  overlaySeesFinal = pkgs.twice.name;
  called = called.name;
  calledText = called.drvAttrs.text;
  overridden = (called.override {{ suffix = "?"; }}).drvAttrs.text;
  shell = pkgs.stdenv.shell == "${{pkgs.bash}}/bin/bash";
  runtimeShell = pkgs.runtimeShell == pkgs.stdenv.shell;
  hostToolNames = map (p: p.name) [ pkgs.bash pkgs.coreutils pkgs.shadow pkgs.gnutar ];
  attrsOfMkDerivation = builtins.attrNames (builtins.removeAttrs (pkgs.stdenv.mkDerivation {{
    name = "x"; passthru.extra = 1; meta.description = "d"; buildCommand = "touch $out";
  }}).drvAttrs [ "__ignoreNulls" ]);
  overrideAttrs = (pkgs.stdenv.mkDerivation {{ name = "x"; buildCommand = ""; }}).overrideAttrs (old: {{ name = old.name + "y"; }});
}}
"""


def test_package_set_facts_under_nix():
    facts = eval_json_nix(PACKAGE_SET_FACTS)
    assert facts["overlayName"] == "greeting2" and facts["overlaySeesFinal"] == "greeting2"
    assert (facts["called"], facts["calledText"], facts["overridden"]) == ("called", "X!", "X?")
    assert facts["shell"] and facts["runtimeShell"]
    assert facts["hostToolNames"] == ["host-bash", "host-coreutils", "host-shadow", "host-gnutar"]
    assert "passthru" not in facts["attrsOfMkDerivation"] and "meta" not in facts["attrsOfMkDerivation"]
    assert facts["overrideAttrs"].endswith("-xy")


def test_package_set_facts_equal_between_nixlite_and_nix():
    assert eval_json_nixlite(PACKAGE_SET_FACTS) == eval_json_nix(PACKAGE_SET_FACTS)


FETCHURL_ARGS = [
    'url = "http://example.org/y.tar"; sha256 = "0ip26j2h11n1kgkz36rl4akv694yz65hr72q4kv4b3lxcbi65b3p";',
    'url = "http://example.org/y.tar"; hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";',
    'url = "http://example.org/y"; sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"; executable = true; name = "z";',
    'url = "http://example.org/y.tgz"; sha256 = "0ip26j2h11n1kgkz36rl4akv694yz65hr72q4kv4b3lxcbi65b3p"; unpack = true;',
]


def test_fetchurl_is_nix_own_fetchurl_derivation():
    pairs = " ".join(f"[ (import <nix/fetchurl.nix> {{ {a} }}).drvPath (pkgs.fetchurl {{ {a} }}).drvPath ]"
                     for a in FETCHURL_ARGS)
    result = eval_json_nix(f"let pkgs = import {PRELUDE} {{ }}; in [ {pairs} ]")
    assert all(nix_own == ours for nix_own, ours in result)
    ours = " ".join(f"(pkgs.fetchurl {{ {a} }}).drvPath" for a in FETCHURL_ARGS)
    assert eval_json_nixlite(f"let pkgs = import {PRELUDE} {{ }}; in [ {ours} ]") == [p for _, p in result]


def test_build_image_defaults_to_the_seeds_gzipped_tarball():
    attrs = _drv_attrs('pkgs.dockerTools.buildImage { name = "repo/x"; }')
    assert attrs["name"] == "docker-image-x.tar.gz"
    assert attrs["compressor"] == "gz"


@pytest.mark.parametrize("tool", [["nix-instantiate"], [sys.executable, "-m", "nixlite.cli", "eval"]])
def test_build_image_refuses_an_unknown_compressor(tool):
    expr = f'(import {PRELUDE} {{ }}).dockerTools.buildImage {{ name = "x"; compressor = "lz"; }}'
    result = subprocess.run([*tool, *(["--eval"] if tool == ["nix-instantiate"] else []), "--strict", "-E", expr],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "error: in docker image x: compressor must be one of: [gz none]" in result.stderr
