"""A running `mlpm workshop` for the server and browser tests: start it, wait for it, stop it."""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Running:
    proc: subprocess.Popen
    port: int
    idea: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def line_with(self, text: str, timeout: float = 60) -> str:
        """The first line of the server's output containing `text` (waits for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.output().splitlines():
                if text in line:
                    return line.strip()
            time.sleep(0.2)
        raise AssertionError(f"no line with {text!r} in:\n{self.output()}")

    def wait_for_http(self, url: str | None = None, timeout: float = 120) -> None:
        """Wait until `url` answers 200 (following the token's redirect, with its cookie)."""
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"mlpm workshop exited with {self.proc.returncode}:\n{self.output()}"
                )
            try:
                with opener.open(url or self.url, timeout=60) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as exc:
                raise AssertionError(f"{url}: {exc.code}\n{self.output()}") from None
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"mlpm workshop did not answer within {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def copy_example(folder: Path) -> Path:
    """A copy of the ticket-triage idea with its interview notes, laid out as in examples/."""
    if not (folder / "interviews").exists():
        shutil.copytree(EXAMPLES / "interviews", folder / "interviews")
    (folder / "ideas").mkdir(exist_ok=True)
    shutil.copy(EXAMPLES / "ideas" / "mlpm.yaml", folder / "ideas")  # the folder's defaults
    idea = folder / "ideas" / "ticket-triage.yaml"
    shutil.copy(EXAMPLES / "ideas" / "ticket-triage.yaml", idea)
    return idea


def start_workshop(
    folder: Path, *args: str, idea: Path | None = None, port: int | None = None
) -> Running:
    idea = idea or copy_example(folder)
    port = port or free_port()
    log = folder / f"workshop-{port}.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mlpm_kit", "workshop", str(idea), "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=folder, start_new_session=True,
        )  # fmt: skip
    return Running(proc, port, idea, log)


@pytest.fixture
def workshop(tmp_path):
    """A running local `mlpm workshop` (500 draws) on a copy of an example idea."""
    running = start_workshop(tmp_path, "--draws", "500")
    try:
        running.wait_for_http()
        yield running
    finally:
        running.stop()
