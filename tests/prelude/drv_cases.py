"""Derivations of the prelude whose .drv paths nixlite must compute exactly as Nix 2.8.

Each case is a Nix expression (with `pkgs` the prelude) giving a derivation.
The paths depend on this host's binaries (host tools record their sha256),
which is fine: both evaluators run on the same host.
"""

DRV_CASES: dict[str, str] = {
    "writeText": 'pkgs.writeText "hello.txt" "Hello\\n"',
    "writeTextFile-destination": 'pkgs.writeTextFile { name = "conf"; text = "x=1"; destination = "/etc/app.conf"; }',
    "writeTextDir": 'pkgs.writeTextDir "share/doc/readme" "read me"',
    "writeScript": 'pkgs.writeScript "s.sh" "#!/bin/sh\\necho hi"',
    "writeScriptBin": 'pkgs.writeScriptBin "hi" "#!/bin/sh\\necho hi"',
    "writeShellScript": 'pkgs.writeShellScript "s" "echo hi"',
    "writeShellScriptBin": 'pkgs.writeShellScriptBin "hi" "echo hi"',
    "runCommand": 'pkgs.runCommand "rc" { FOO = "bar"; } "echo $FOO > $out"',
    "runCommandLocal": 'pkgs.runCommandLocal "rcl" { } "touch $out"',
    "runCommandNoCC": 'pkgs.runCommandNoCC "rcn" { buildInputs = [ pkgs.rsync ]; } "touch $out"',
    "symlinkJoin": 'pkgs.symlinkJoin { name = "joined"; paths = [ pkgs.bash pkgs.gzip ]; }',
    "buildEnv": 'pkgs.buildEnv { name = "env"; paths = [ pkgs.bash pkgs.gnused ]; pathsToLink = [ "/bin" ]; }',
    "linkFarm": 'pkgs.linkFarm "farm" [ { name = "a/b"; path = pkgs.bash; } ]',
    "writeReferencesToFile": 'pkgs.writeReferencesToFile (pkgs.writeText "x" "y")',
    "mkDerivation": 'pkgs.stdenv.mkDerivation { pname = "demo"; version = "1.0"; src = pkgs.path + "/lib"; installPhase = "cp -r . $out"; }',
    "emptyFile": "pkgs.emptyFile",
    "host-bash": "pkgs.bash",
    "host-coreutils": "pkgs.coreutils",
    "host-shadow": "pkgs.shadow",
    "host-gzip": "pkgs.gzip",
    "docker-tarsum": "pkgs.dockerTools.tarsum",
    "docker-pure-layer": 'pkgs.dockerTools.mkPureLayer { name = "l"; baseJson = pkgs.writeText "c.json" "{}"; contents = [ pkgs.bash ]; extraCommands = "mkdir tmp"; }',
    "docker-root-layer": 'pkgs.dockerTools.mkRootLayer { name = "r"; baseJson = pkgs.writeText "c.json" "{}"; runAsRoot = "mkdir -p /data"; }',
    "docker-pull": 'pkgs.dockerTools.pullImage { imageName = "library/busybox"; imageDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"; sha256 = "0ip26j2h11n1kgkz36rl4akv694yz65hr72q4kv4b3lxcbi65b3p"; registry = "127.0.0.1:5000"; tlsVerify = false; }',
    "docker-merge": "pkgs.dockerTools.mergeDrvs { derivations = [ pkgs.bash pkgs.gzip ]; }",
    "docker-shellScript": 'pkgs.dockerTools.shellScript "s.sh" "echo hi"',
}

# The examples' images and the derivations they are made of.
EXAMPLES = ("shell", "redis", "nginx", "multi")


def example_cases(root: str) -> dict[str, str]:
    cases: dict[str, str] = {}
    for example in EXAMPLES:
        image = f"(import {root}/examples/{example} {{ inherit pkgs; }}).image"
        cases[f"example-{example}"] = image
        cases[f"example-{example}-layer"] = f"{image}.layer"
        cases[f"example-{example}-oci"] = f"{image}.oci"
        cases[f"example-{example}-config"] = f"{image}.layer.baseJson"
    return cases
