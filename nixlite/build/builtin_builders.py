"""Nix's own builtin builders, in Python: `builtin:fetchurl`.

`builtin:fetchurl` is what `import <nix/fetchurl.nix>` uses (Nix's
builtins/fetchurl.cc): it downloads `url` into `$out`. Attributes:

    url         file://, http:// or https:// (TLS is not verified: the
                fixed-output hash checks the result anyway, as in Nix)
    unpack      "1": the download is a NAR (xz-compressed if the URL ends in
                .xz) restored as the output tree
    executable  "1": make the downloaded file executable

The derivation is normally fixed-output; the hash is checked by the build
machinery after the builder returns, like any fixed output.
"""

from __future__ import annotations

import lzma
import os
import shutil
import ssl
import urllib.error
import urllib.request
from typing import BinaryIO

from nixlite.build.python_builders import BuildContext, BuilderFailed, python_builder
from nixlite.store.nar import NarError, restore

_TIMEOUT_SECONDS = 300


def _attribute(ctx: BuildContext, name: str) -> str:
    if name not in ctx.env:
        raise BuilderFailed(f"attribute '{name}' missing")
    return ctx.env[name]


def _open_url(url: str) -> BinaryIO:
    if not url.startswith(("file://", "http://", "https://")):
        raise BuilderFailed(f"unable to download '{url}': unsupported URL scheme")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        return urllib.request.urlopen(url, timeout=_TIMEOUT_SECONDS, context=context)  # type: ignore[no-any-return]
    except urllib.error.HTTPError as exc:
        raise BuilderFailed(f"unable to download '{url}': HTTP error {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
        raise BuilderFailed(f"unable to download '{url}': {reason}") from None


class _FullReads:
    """A stream whose read(n) returns n bytes unless the end is reached (network reads may be short)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def read(self, n: int) -> bytes:
        parts = []
        while n > 0:
            data = self.stream.read(n)
            if not data:
                break
            parts.append(data)
            n -= len(data)
        return b"".join(parts)


@python_builder("fetchurl")
def fetchurl(ctx: BuildContext) -> None:
    """Download `url` into $out (see the module docstring)."""
    url = _attribute(ctx, "url")
    out = ctx.outputs["out"]
    unpack = ctx.env.get("unpack") == "1"
    ctx.log(f"downloading '{url}'...")
    with _open_url(url) as response:
        if unpack:
            stream: BinaryIO = response
            if url.endswith(".xz"):
                stream = lzma.LZMAFile(response)  # type: ignore[assignment]
            try:
                restore(_FullReads(stream), out)  # type: ignore[arg-type]
            except NarError as exc:
                raise BuilderFailed(f"cannot unpack '{url}': {exc}") from None
        else:
            with open(out, "wb") as f:
                shutil.copyfileobj(response, f, 1 << 20)
    if ctx.env.get("executable") == "1":
        os.chmod(out, 0o755)
