"""A minimal Registry HTTP API v2 client for `dockerTools.pullImage`.

What pullImage needs and nothing more: fetch a manifest by digest or tag
(Docker schema 2 or OCI; a manifest list / OCI index is resolved to its
linux/amd64 entry), then the config and layer blobs, each verified against
its digest while it streams to disk. Authentication is the registry token
flow: a `401` with `WWW-Authenticate: Bearer realm=…,service=…,scope=…` is
answered by fetching a token from the realm (anonymously) and retrying.

`pull_image` then writes what skopeo's `docker-archive:` writes for
pullImage: an uncompressed docker-archive (manifest.json, config,
`<id>/layer.tar` with each layer's diff_id checked against the config).
The config is written in canonical form by the image writer, so the image
id may differ from the registry's; layers are byte-identical.

Plain http is used for registries on the loopback interface (127.0.0.1,
localhost, [::1]) and when tlsVerify is false, as skopeo's
`--src-tls-verify=false` does for a registry without a certificate.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

from nixlite.build.python_builders import BuilderFailed
from nixlite.docker.image import DEFAULT_CREATED, Image, Layer, write_docker_archive
from nixlite.docker.jshon import jshon_dumps

DOCKER_MANIFEST: Final = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST: Final = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST: Final = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX: Final = "application/vnd.oci.image.index.v1+json"
MANIFEST_TYPES: Final = (DOCKER_MANIFEST, OCI_MANIFEST, DOCKER_LIST, OCI_INDEX)
INDEX_TYPES: Final = (DOCKER_LIST, OCI_INDEX)
DOCKER_HUB_HOSTS: Final = ("registry-1.docker.io", "docker.io", "index.docker.io")
LOOPBACK_HOSTS: Final = ("127.0.0.1", "localhost", "[::1]")
MAX_MANIFEST_SIZE: Final = 4 << 20
TIMEOUT_SECONDS: Final = 60


@dataclass(frozen=True)
class ImageRef:
    """Where an image is: registry host[:port], repository name, tag or digest."""

    registry: str
    repository: str
    reference: str
    tls_verify: bool = True

    @property
    def base_url(self) -> str:
        host = self.registry.rsplit(":", 1)[0] if not self.registry.startswith("[") else self.registry.split("]")[0] + "]"
        scheme = "http" if (host in LOOPBACK_HOSTS or not self.tls_verify) else "https"
        registry = "registry-1.docker.io" if self.registry in DOCKER_HUB_HOSTS else self.registry
        return f"{scheme}://{registry}/v2/{self.repository}"


def image_ref(registry: str, image_name: str, reference: str, tls_verify: bool) -> ImageRef:
    """The reference pullImage's arguments name (Docker Hub's `library/` prefix added)."""
    repository = image_name
    if registry in DOCKER_HUB_HOSTS and "/" not in repository:
        repository = "library/" + repository
    return ImageRef(registry, repository, reference, tls_verify)


def _parse_challenge(header: str) -> dict[str, str]:
    """The parameters of a `Bearer k="v",…` challenge."""
    if not header.lower().startswith("bearer "):
        raise BuilderFailed(f"pullImage: unsupported registry authentication {header.split(' ')[0]!r}")
    return {k.lower(): v for k, v in re.findall(r'(\w+)="([^"]*)"', header)}


class RegistryClient:
    """Fetches manifests and blobs of one repository, handling token auth."""

    def __init__(self, ref: ImageRef) -> None:
        self.ref = ref
        self._token: str | None = None
        self._context = None if ref.tls_verify else ssl._create_unverified_context()

    def _open(self, url: str, accept: tuple[str, ...] = ()) -> Any:
        for attempt in range(2):
            request = urllib.request.Request(url)
            if accept:
                request.add_header("Accept", ", ".join(accept))
            if self._token:
                # Not forwarded on redirects: blob storage (S3, CDNs) refuses a second credential.
                request.add_unredirected_header("Authorization", f"Bearer {self._token}")
            try:
                return urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS, context=self._context)
            except urllib.error.HTTPError as exc:
                challenge = exc.headers.get("WWW-Authenticate", "")
                if exc.code == 401 and attempt == 0 and challenge:
                    self._token = self._fetch_token(_parse_challenge(challenge))
                    continue
                raise BuilderFailed(f"pullImage: {url}: HTTP {exc.code} {exc.reason}") from None
            except (urllib.error.URLError, OSError) as exc:
                raise BuilderFailed(f"pullImage: {url}: {exc}") from None
        raise BuilderFailed(f"pullImage: {url}: authentication refused")

    def _fetch_token(self, challenge: dict[str, str]) -> str:
        realm = challenge.get("realm")
        if not realm:
            raise BuilderFailed("pullImage: registry asked for a token without naming a realm")
        query = {k: v for k, v in challenge.items() if k in ("service", "scope")}
        query.setdefault("scope", f"repository:{self.ref.repository}:pull")
        url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(query)
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS, context=self._context) as response:
                answer = json.loads(response.read(MAX_MANIFEST_SIZE))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise BuilderFailed(f"pullImage: token request to {realm} failed: {exc}") from None
        token = answer.get("token") or answer.get("access_token")
        if not isinstance(token, str):
            raise BuilderFailed(f"pullImage: token response from {realm} has no token")
        return token

    def manifest(self, reference: str) -> tuple[str, bytes, dict]:
        """(media type, raw bytes, parsed) of a manifest; checked when `reference` is a digest."""
        with self._open(f"{self.ref.base_url}/manifests/{reference}", MANIFEST_TYPES) as response:
            raw = response.read(MAX_MANIFEST_SIZE + 1)
            header_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if len(raw) > MAX_MANIFEST_SIZE:
            raise BuilderFailed("pullImage: manifest too large")
        if reference.startswith("sha256:") and "sha256:" + hashlib.sha256(raw).hexdigest() != reference:
            raise BuilderFailed(f"pullImage: manifest does not match its digest {reference}")
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise BuilderFailed("pullImage: the registry sent a manifest that is not JSON") from None
        media_type = parsed.get("mediaType") or header_type
        if media_type not in MANIFEST_TYPES:
            raise BuilderFailed(f"pullImage: unsupported manifest type {media_type!r}")
        return media_type, raw, parsed

    def image_manifest(self) -> dict:
        """The image manifest for linux/amd64 that the reference names."""
        media_type, _, parsed = self.manifest(self.ref.reference)
        if media_type in INDEX_TYPES:
            chosen = [m for m in parsed.get("manifests", [])
                      if m.get("platform", {}).get("os") == "linux"
                      and m.get("platform", {}).get("architecture") == "amd64"]
            if not chosen:
                raise BuilderFailed("pullImage: the image index has no linux/amd64 image")
            media_type, _, parsed = self.manifest(chosen[0]["digest"])
            if media_type in INDEX_TYPES:
                raise BuilderFailed("pullImage: an image index points to another index")
        return parsed

    def blob_to(self, digest: str, out: BinaryIO) -> None:
        """Stream a blob into `out`, refusing it unless its sha256 is `digest`."""
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            raise BuilderFailed(f"pullImage: unsupported blob digest {digest!r}")
        h = hashlib.sha256()
        with self._open(f"{self.ref.base_url}/blobs/{digest}") as response:
            while chunk := response.read(1 << 20):
                h.update(chunk)
                out.write(chunk)
        if "sha256:" + h.hexdigest() != digest:
            raise BuilderFailed(f"pullImage: blob {digest} does not match its digest")


MAX_CONFIG_SIZE: Final = 16 << 20
GZIP_MAGIC: Final = b"\x1f\x8b"


def _decompressed_layer(blob: str, dest: str) -> str:
    """Write the uncompressed layer tar of `blob` to `dest`; its diff_id (`sha256:…`)."""
    with open(blob, "rb") as f:
        magic = f.read(4)
    if magic[:2] != GZIP_MAGIC and magic == b"\x28\xb5\x2f\xfd":
        raise BuilderFailed("pullImage: zstd-compressed layers are not supported")
    h = hashlib.sha256()
    opener = gzip.open if magic[:2] == GZIP_MAGIC else open
    try:
        with opener(blob, "rb") as src, open(dest, "wb") as out:
            while chunk := src.read(1 << 20):
                h.update(chunk)
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise BuilderFailed(f"pullImage: cannot decompress a layer: {exc}") from None
    return "sha256:" + h.hexdigest()


def _legacy_layer_json(diff_id: str, parent: str | None, created: str) -> tuple[str, bytes]:
    """A v1 layer id and json for the docker-archive's `<id>/` directory (the registry has none)."""
    body: dict[str, Any] = {"created": created}
    if parent:
        body["parent"] = parent
    layer_id = hashlib.sha256(jshon_dumps({**body, "diff_id": diff_id}).encode()).hexdigest()
    return layer_id, jshon_dumps({"id": layer_id, **body}).encode()


def pull_image(*, registry: str, image_name: str, reference: str, tag: str, tls_verify: bool,
               out_path: str, work_dir: str, log: Any) -> None:
    """Fetch `image_name@reference` and write it to `out_path` as an uncompressed docker-archive."""
    client = RegistryClient(image_ref(registry, image_name, reference, tls_verify))
    manifest = client.image_manifest()
    config_digest = (manifest.get("config") or {}).get("digest", "")
    config_path = os.path.join(work_dir, "config.json")
    with open(config_path, "wb") as f:
        client.blob_to(config_digest, f)
    if os.path.getsize(config_path) > MAX_CONFIG_SIZE:
        raise BuilderFailed("pullImage: image config too large")
    with open(config_path, "rb") as f:
        config = json.loads(f.read())
    diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
    descriptors = manifest.get("layers") or []
    if len(diff_ids) != len(descriptors):
        raise BuilderFailed("pullImage: the manifest and the config disagree on the number of layers")
    created = config.get("created", DEFAULT_CREATED)
    layers: list[Layer] = []
    for i, (descriptor, diff_id) in enumerate(zip(descriptors, diff_ids)):
        blob = os.path.join(work_dir, f"blob-{i}")
        with open(blob, "wb") as f:
            client.blob_to(descriptor.get("digest", ""), f)
        tar_path = os.path.join(work_dir, f"layer-{i}.tar")
        if _decompressed_layer(blob, tar_path) != diff_id:
            raise BuilderFailed(f"pullImage: layer {descriptor.get('digest')} does not match diff_id {diff_id}")
        os.unlink(blob)
        layer_id, legacy_json = _legacy_layer_json(diff_id, layers[-1].legacy_id if layers else None, created)
        layers.append(Layer(tar_path, diff_id, os.path.getsize(tar_path), layer_id, legacy_json))
        log(f"pull: layer {i + 1}/{len(descriptors)} {diff_id}")
    image = Image(layers=tuple(layers), config=config.get("config"), architecture=config.get("architecture", "amd64"),
                  os=config.get("os", "linux"), created=created, history=tuple(config.get("history") or ()))
    with open(out_path, "wb") as out:
        write_docker_archive(image, out, image_name, tag, compress=False)
