"""Build logs and the progress line.

Every build's output (stdout and stderr of the builder, or the lines a
Python builder logs) is kept in full in a per-derivation log file, as Nix
keeps `/nix/var/log/nix/drvs/<2 chars>/<rest of the .drv name>`; nixlite's
are under `<store root>/nix/var/log/nixlite/drvs/` and not compressed. The
last lines are kept in memory for the failure message (`last 25 log lines`,
as current Nix prints them).

On a terminal, one progress line on stderr is rewritten in place:
`[2/7] building hello: <last log line>`. Elsewhere (CI logs, pipes),
`building '/nix/store/…drv'...` is printed once per build, as nix-build does.
"""

from __future__ import annotations

import collections
import os
import shutil
import threading
from typing import Callable, TextIO

from nixlite.store.paths import base_name

LOG_TAIL_LINES = 25


def log_path(log_root: str, drv_path: str) -> str:
    """Where the full log of a derivation's build is kept."""
    name = base_name(drv_path)
    return os.path.join(log_root, name[:2], name[2:])


class BuildLog:
    """One build's log: the file, the last lines, and a callback per complete line."""

    def __init__(self, path: str, on_line: Callable[[str], None] | None = None) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.path = path
        self.file = open(path, "wb")
        self.tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)
        self._partial = b""
        self._on_line = on_line
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        """Append raw builder output (any chunking)."""
        with self._lock:
            self.file.write(data)
            self.file.flush()
            lines = (self._partial + data).split(b"\n")
            self._partial = lines.pop()
            for line in lines:
                self._add_line(line)

    def line(self, text: str) -> None:
        """Append one line (a Python builder's `ctx.log`)."""
        self.write(text.rstrip("\n").encode() + b"\n")

    def _add_line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").rstrip("\r")
        # A progress bar's carriage returns: keep what the terminal would show last.
        text = text.rsplit("\r", 1)[-1]
        self.tail.append(text)
        if self._on_line is not None:
            self._on_line(text)

    def close(self) -> None:
        with self._lock:
            if self.file.closed:
                return
            if self._partial:
                self._add_line(self._partial)
                self._partial = b""
            self.file.close()


class Progress:
    """The user-facing report of a set of builds (see the module docstring)."""

    def __init__(self, stream: TextIO, total: int, interactive: bool | None = None) -> None:
        self.stream = stream
        self.total = total
        self.finished = 0
        self.interactive = stream.isatty() if interactive is None else interactive
        self._running: dict[str, str] = {}  # drv path -> last line
        self._checking: set[str] = set()  # the running builds that are --check rebuilds
        self._current: str | None = None
        self._lock = threading.Lock()
        self._shown = False

    def started(self, drv_path: str, checking: bool = False) -> None:
        """A build began (`checking`: a --check rebuild, announced as Nix announces it)."""
        with self._lock:
            self._running[drv_path] = ""
            self._current = drv_path
            if checking:
                self._checking.add(drv_path)
            if self.interactive:
                self._redraw()
            else:
                what = "checking outputs of" if checking else "building"
                self.stream.write(f"{what} '{drv_path}'...\n")
                self.stream.flush()

    def line(self, drv_path: str, text: str) -> None:
        if not self.interactive:
            return
        with self._lock:
            if drv_path in self._running:
                self._running[drv_path] = text
                self._current = drv_path
                self._redraw()

    def done(self, drv_path: str) -> None:
        with self._lock:
            self._running.pop(drv_path, None)
            self._checking.discard(drv_path)
            self.finished += 1
            if self._current == drv_path:
                self._current = next(iter(self._running), None)
            if self.interactive:
                self._redraw()

    def message(self, text: str) -> None:
        """Print a line above the progress line."""
        with self._lock:
            self._clear()
            self.stream.write(text + "\n")
            self.stream.flush()
            if self.interactive:
                self._redraw()

    def close(self) -> None:
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def _redraw(self) -> None:
        if self._current is None:
            self._clear()
            return
        name = base_name(self._current)[33:].removesuffix(".drv")
        verb = "checking" if self._current in self._checking else "building"
        text = f"[{self.finished + 1}/{self.total}] {verb} {name}"
        last = self._running.get(self._current, "")
        if last:
            text += ": " + last.replace("\t", " ")
        width = shutil.get_terminal_size((80, 24)).columns
        self.stream.write("\r\x1b[K" + text[: max(width - 1, 10)])
        self.stream.flush()
        self._shown = True
