"""The one error type of the image-format library.

Anything wrong with an archive, a layer or an image read from outside
(a truncated tar, a hostile base image, a missing manifest) raises
`ImageFormatError`. It is a `NixError`, so the CLI renders it as
`error: …` like every other failure; the builders may wrap it into their
own build-failure type.
"""

from __future__ import annotations

from nixlite.eval.errors import NixError


class ImageFormatError(NixError):
    """A tar, layer or image that nixlite refuses to write or read."""
