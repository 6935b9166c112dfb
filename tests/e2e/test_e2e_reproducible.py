"""The same expression gives the same image bytes on any day, in any time zone.

One build is the session's (today, the machine's TZ); the other runs in
another process, in a fresh store, under `faketime` (a date years away) and
TZ=Pacific/Kiritimati (UTC+14). The seed's recipe fails this (GNU tar's
`--mtime=0` is *today* 00:00 local time; useradd stamps the day into
/etc/shadow); nixlite must give byte-identical tarballs. (The runAsRoot
sandbox gets a fresh environment, so faketime does not reach useradd there;
that its day comes from SOURCE_DATE_EPOCH is checked in test_e2e_examples.)
"""

from __future__ import annotations

import os

import pytest

from .e2e_helpers import ROOT, nixlite_build

FAKE_DATE = "2031-02-03 04:05:06"
# Built first without faketime: the host-tools builder asks ldd which libraries a program loads,
# and under faketime ldd also reports faketime's own LD_PRELOAD library (`/usr/$LIB/…`). Host
# tools are copies of host binaries, dated nowhere; everything dockerTools builds runs faked.
HOST_TOOLS = ("with import <nixpkgs> {}; builtins.filter (p: p != null) "
              "[ busybox bash coreutils shadow gnused gnugrep gnutar gzip bzip2 xz findutils diffutils gawk mawk ]")


@pytest.mark.parametrize("example", ["shell", "nginx"])
def test_image_bytes_do_not_depend_on_date_or_time_zone(example, built, tmp_path_factory):
    today = built(example)
    work = tmp_path_factory.mktemp(f"faketime-{example}")
    nixlite_build(["-E", HOST_TOOLS], str(work / "store"), str(work / "host-tools"))
    other = nixlite_build([os.path.join(ROOT, "examples", example, "default.nix"), "-A", "image"],
                          str(work / "store"), str(work / "result"),
                          env={"TZ": "Pacific/Kiritimati"}, wrapper=["faketime", FAKE_DATE])
    assert os.path.basename(other) == os.path.basename(today)  # same store path
    with open(today, "rb") as a, open(other, "rb") as b:
        assert a.read() == b.read()


def test_faketime_really_changes_the_date():
    """Guard: the wrapper must affect the build process's clock, or the test above proves nothing."""
    import subprocess
    import sys

    year = subprocess.run(["faketime", FAKE_DATE, sys.executable, "-c", "import time; print(time.gmtime().tm_year)"],
                          capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}).stdout.strip()
    assert year == "2031"
