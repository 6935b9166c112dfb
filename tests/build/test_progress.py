"""The progress line on a terminal, the plain lines elsewhere, and build logs."""

from __future__ import annotations

import io

from nixlite.build.progress import LOG_TAIL_LINES, BuildLog, Progress

DRV = "/nix/store/" + "a" * 32 + "-hello.drv"


def test_terminal_progress_line_shows_count_name_and_last_line():
    stream = io.StringIO()
    progress = Progress(stream, total=3, interactive=True)
    progress.started(DRV)
    progress.line(DRV, "compiling\tmain.c")
    progress.done(DRV)
    progress.close()
    text = stream.getvalue()
    assert "\r\x1b[K[1/3] building hello" in text
    assert "\r\x1b[K[1/3] building hello: compiling main.c" in text
    assert text.endswith("\r\x1b[K")  # nothing left on the line


def test_plain_output_is_nix_builds_lines():
    stream = io.StringIO()
    progress = Progress(stream, total=1, interactive=False)
    progress.started(DRV)
    progress.line(DRV, "ignored")
    progress.done(DRV)
    assert stream.getvalue() == f"building '{DRV}'...\n"


def test_check_rebuilds_are_announced_as_checks():
    plain, terminal = io.StringIO(), io.StringIO()
    for stream, interactive in ((plain, False), (terminal, True)):
        progress = Progress(stream, total=1, interactive=interactive)
        progress.started(DRV, checking=True)
        progress.done(DRV)
    assert plain.getvalue() == f"checking outputs of '{DRV}'...\n"  # nix-build --check's line
    assert "\r\x1b[K[1/1] checking hello" in terminal.getvalue()


def test_build_log_keeps_everything_and_the_tail(tmp_path):
    seen = []
    log = BuildLog(str(tmp_path / "d" / "log"), seen.append)
    log.write(b"first li")
    log.write(b"ne\nprogress 10%\rprogress 100%\n")
    for i in range(40):
        log.line(f"line {i}")
    log.write(b"no newline at the end")
    log.close()
    assert seen[:2] == ["first line", "progress 100%"]
    assert len(log.tail) == LOG_TAIL_LINES and log.tail[-1] == "no newline at the end"
    assert (tmp_path / "d" / "log").read_bytes().startswith(b"first line\nprogress 10%\rprogress 100%\nline 0\n")
