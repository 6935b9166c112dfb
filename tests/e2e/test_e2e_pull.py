"""pullImage against a real registry: Debian's docker-registry on 127.0.0.1, image pushed by skopeo.

The fixed-output hash is learnt as a user learns it (a build with a wrong
hash reports the right one); the pulled archive is then checked against what
the registry holds, independently, with skopeo. Token authentication
(`WWW-Authenticate: Bearer …`) is exercised through a small proxy that
demands a token before forwarding to the registry, and an OCI image index
(arm64 listed first) must resolve to its linux/amd64 image.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import threading
import urllib.request

import pytest

from .e2e_helpers import PRELUDE, ROOT, gunzip_to, nixlite, nixlite_build, run
from nixlite.build.python_builders import BuilderFailed
from nixlite.docker.registry_client import pull_image

WRONG_HASH = "0" * 52


@pytest.fixture(scope="module")
def pushed(built, registry, tmp_path_factory):
    """The shell image pushed to the registry as nixlite/shell:v1; (registry, digest, diff_ids)."""
    archive = gunzip_to(built("shell"), str(tmp_path_factory.mktemp("push") / "shell.tar"))
    ref = f"docker://{registry}/nixlite/shell:v1"
    run(["skopeo", "copy", "-q", "--dest-tls-verify=false", f"docker-archive:{archive}", ref])
    digest = json.loads(run(["skopeo", "inspect", "--tls-verify=false", ref]).stdout)["Digest"]
    config = json.loads(run(["skopeo", "inspect", "--config", "--tls-verify=false", ref]).stdout)
    return registry, digest, config["rootfs"]["diff_ids"]


def pull_expr(registry: str, digest: str, sha256: str) -> str:
    return (f'(import <nixpkgs> {{}}).dockerTools.pullImage {{ imageName = "nixlite/shell"; '
            f'imageDigest = "{digest}"; sha256 = "{sha256}"; finalImageTag = "pulled"; registry = "{registry}"; }}')


def test_pull_image_is_a_checked_fixed_output(pushed, e2e_store, tmp_path):
    registry, digest, diff_ids = pushed
    failed = nixlite(["build", "-E", pull_expr(registry, digest, WRONG_HASH), "-I", f"nixpkgs={PRELUDE}",
                      "--store", e2e_store, "--no-out-link"])
    assert failed.returncode != 0 and "hash mismatch" in failed.stderr, failed.stderr[-2000:]
    got = re.search(r"got:\s+(\S+)", failed.stderr).group(1)
    pulled = nixlite_build(["-E", pull_expr(registry, digest, got)], e2e_store, str(tmp_path / "pulled"))
    inspected = json.loads(run(["skopeo", "inspect", f"docker-archive:{pulled}"]).stdout)
    assert inspected["Layers"] == diff_ids
    run(["skopeo", "copy", "-q", f"docker-archive:{pulled}", f"oci:{tmp_path}/oci:pulled"])
    run(["umoci", "unpack", "--image", f"{tmp_path}/oci:pulled", str(tmp_path / "bundle")])
    assert os.path.isfile(tmp_path / "bundle/rootfs/bin/busybox")
    # The pulled image serves as a base: fromImage layering on it.
    derived = nixlite_build(["-E", f'let pkgs = import <nixpkgs> {{}}; in pkgs.dockerTools.buildImage {{ '
                                   f'name = "derived"; fromImage = {pull_expr(registry, digest, got)}; '
                                   f'contents = pkgs.writeTextDir "etc/derived" "yes"; }}'],
                            e2e_store, str(tmp_path / "derived"))
    plain = gunzip_to(derived, str(tmp_path / "derived.tar"))
    layers = json.loads(run(["skopeo", "inspect", f"docker-archive:{plain}"]).stdout)["Layers"]
    assert layers[:-1] == diff_ids and len(layers) == len(diff_ids) + 1


class _TokenProxy(http.server.BaseHTTPRequestHandler):
    """Asks for a Bearer token, hands one out at /token, then forwards to the registry."""

    upstream = ""
    token_requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.startswith("/token"):
            type(self).token_requests.append(self.path)
            self._reply(200, {"Content-Type": "application/json"}, json.dumps({"token": "secret"}).encode())
        elif self.headers.get("Authorization") != "Bearer secret":
            host = self.headers.get("Host")
            challenge = (f'Bearer realm="http://{host}/token",service="test-registry",'
                         f'scope="repository:nixlite/shell:pull"')
            self._reply(401, {"WWW-Authenticate": challenge}, b"")
        else:
            request = urllib.request.Request(self.upstream + self.path, headers={"Accept": self.headers["Accept"] or "*/*"})
            with urllib.request.urlopen(request) as response:
                headers = {k: v for k, v in response.headers.items() if k in ("Content-Type", "Docker-Content-Digest")}
                self._reply(200, headers, response.read())

    def _reply(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def token_proxy(pushed):
    _TokenProxy.upstream = f"http://{pushed[0]}"
    _TokenProxy.token_requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_pull_with_token_authentication(pushed, token_proxy, tmp_path):
    _, digest, diff_ids = pushed
    out = str(tmp_path / "pulled.tar")
    pull_image(registry=token_proxy, image_name="nixlite/shell", reference=digest, tag="t", tls_verify=True,
               out_path=out, work_dir=str(tmp_path), log=lambda line: None)
    assert _TokenProxy.token_requests and "scope=repository%3Anixlite%2Fshell%3Apull" in _TokenProxy.token_requests[0]
    assert json.loads(run(["skopeo", "inspect", f"docker-archive:{out}"]).stdout)["Layers"] == diff_ids


def test_pull_of_a_missing_digest_fails(pushed, tmp_path):
    registry = pushed[0]
    with pytest.raises(BuilderFailed, match="HTTP 404"):
        pull_image(registry=registry, image_name="nixlite/shell", reference="sha256:" + "1" * 64, tag="t",
                   tls_verify=True, out_path=str(tmp_path / "x.tar"), work_dir=str(tmp_path), log=lambda line: None)


def _put_blob(layout: str, data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def test_pull_resolves_an_index_to_linux_amd64(built, registry, e2e_store, tmp_path):
    """An OCI index listing an arm64 image first: pullImage must take the amd64 one."""
    layout = nixlite_build([os.path.join(ROOT, "examples", "shell", "default.nix"), "-A", "image.oci"], e2e_store,
                           str(tmp_path / "oci-result"))
    work = str(tmp_path / "multi")
    shutil.copytree(layout, work)
    os.chmod(work, 0o755)
    run(["chmod", "-R", "u+w", work])
    with open(os.path.join(work, "index.json")) as f:
        amd64 = json.load(f)["manifests"][0]
    with open(os.path.join(work, "blobs", amd64["digest"].replace(":", "/"))) as f:
        manifest = json.load(f)
    with open(os.path.join(work, "blobs", manifest["config"]["digest"].replace(":", "/"))) as f:
        config = json.load(f)
    arm_config = _put_blob(work, json.dumps({**config, "architecture": "arm64"}).encode())
    arm_manifest = _put_blob(work, json.dumps({**manifest, "config": {**manifest["config"], **arm_config}}).encode())
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": manifest["mediaType"], **arm_manifest, "platform": {"architecture": "arm64", "os": "linux"}},
        {"mediaType": manifest["mediaType"], "digest": amd64["digest"], "size": amd64["size"],
         "platform": {"architecture": "amd64", "os": "linux"}}]}
    index_blob = _put_blob(work, json.dumps(index).encode())
    with open(os.path.join(work, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": index["mediaType"], **index_blob,
                                                      "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}, f)
    ref = f"docker://{registry}/nixlite/multiarch:multi"
    run(["skopeo", "copy", "-q", "--all", "--dest-tls-verify=false", f"oci:{work}:multi", ref])
    raw = run(["skopeo", "inspect", "--raw", "--tls-verify=false", ref]).stdout.encode()
    assert json.loads(raw)["manifests"][0]["platform"]["architecture"] == "arm64"
    out = str(tmp_path / "pulled.tar")
    pull_image(registry=registry, image_name="nixlite/multiarch", reference="sha256:" + hashlib.sha256(raw).hexdigest(),
               tag="t", tls_verify=True, out_path=out, work_dir=str(tmp_path), log=lambda line: None)
    inspected = json.loads(run(["skopeo", "inspect", f"docker-archive:{out}"]).stdout)
    assert inspected["Architecture"] == "amd64" and inspected["Layers"] == config["rootfs"]["diff_ids"]
