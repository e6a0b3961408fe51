"""`mlpm workshop` as a server: who it answers, how its kernels come and go, how it stops."""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest
import websocket

from tests.workshop.conftest import Running, start_workshop

pytestmark = pytest.mark.kernel


def kernels(running: Running) -> list[psutil.Process]:
    """The server's live kernels (a kernel just shut down may linger as a zombie)."""
    found = []
    for p in psutil.Process(running.proc.pid).children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE and "ipykernel_launcher" in " ".join(p.cmdline()):
                found.append(p)
        except psutil.Error:
            pass
    return found


def page_kernel_id(running: Running) -> str:
    with urllib.request.urlopen(running.url, timeout=120) as response:
        page = response.read().decode()
    return re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)


def get(url: str, host: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def open_channel(running: Running, kernel_id: str, host: str) -> websocket.WebSocket:
    url = f"ws://127.0.0.1:{running.port}/api/kernels/{kernel_id}/channels"
    return websocket.create_connection(url, host=host, origin=f"http://{host}", timeout=30)


def test_only_requests_addressed_to_localhost_are_answered(workshop):
    kernel_id = page_kernel_id(workshop)
    own = f"127.0.0.1:{workshop.port}"
    # A page on evil.example whose DNS was rebound to 127.0.0.1: matching Host and Origin.
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        open_channel(workshop, kernel_id, f"evil.example:{workshop.port}")
    assert refused.value.status_code == 403
    assert get(workshop.url, f"evil.example:{workshop.port}")[0] == 403
    assert get(workshop.url + f"api/kernels/{kernel_id}", "evil.example")[0] == 403
    # The same websocket addressed to this machine is accepted.
    channel = open_channel(workshop, kernel_id, own)
    assert channel.connected
    channel.close()
    listening = {c.laddr.ip for c in psutil.net_connections("tcp") if c.laddr.port == workshop.port
                 and c.status == psutil.CONN_LISTEN}  # fmt: skip
    assert listening == {"127.0.0.1"}


def test_one_kernel_per_tab_culled_when_the_tab_is_gone_and_sigterm_stops_everything(workshop):
    tmp_folder = Path(re.search(r"(/\S+/mlpm-workshop-[^/\s]+)/", " ".join(
        psutil.Process(workshop.proc.pid).children()[0].cmdline())).group(1))  # fmt: skip
    assert tmp_folder.is_dir()
    # The page the fixture loaded got the kernel the server started before importing Voila,
    # adopted by Voila's pool (`first_kernel`, `kernels`): no second one was started for it.
    (first,) = kernels(workshop)
    assert "first-kernel.json" in " ".join(first.cmdline())
    page_kernel_id(workshop)
    page_kernel_id(workshop)  # two tabs opened and closed at once (no websocket stays open)
    deadline = time.monotonic() + 40
    while len(kernels(workshop)) < 3 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(kernels(workshop)) == 3  # two tabs' kernels and the preheated one for the next tab
    # Tabs that are gone lose their kernels after CULL_IDLE_SECONDS (30 s) + the 10 s interval.
    deadline = time.monotonic() + 90
    while len(kernels(workshop)) > 1 and time.monotonic() < deadline:
        time.sleep(1)
    assert len(kernels(workshop)) == 1
    family = psutil.Process(workshop.proc.pid).children(recursive=True)
    os.kill(workshop.proc.pid, signal.SIGTERM)  # the mlpm process alone, as `kill` would
    assert workshop.proc.wait(timeout=30) == 0
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert alive == [] and len(gone) >= 2  # the server and its kernel
    assert not tmp_folder.exists()


def kill_mlpm_outright(running: Running, family: list[psutil.Process], tmp_folder: Path) -> None:
    """SIGKILL `mlpm workshop`; every process it started ends and its temporary folder goes."""
    os.kill(running.proc.pid, signal.SIGKILL)
    _, alive = psutil.wait_procs(family, timeout=30)
    assert alive == []
    assert not tmp_folder.exists()


def test_killing_mlpm_outright_stops_the_server_and_its_kernels(tmp_path):
    # SIGKILL cannot be caught: the server learns of it from the kernel (PR_SET_PDEATHSIG),
    # stops its kernels and removes the session's temporary folder itself.
    running = start_workshop(tmp_path, "--draws", "500")
    try:
        running.wait_for_http()
        server = psutil.Process(running.proc.pid).children()[0]
        tmp_folder = Path(re.search(r"(/\S+/mlpm-workshop-[^/\s]+)/", " ".join(
            server.cmdline())).group(1))  # fmt: skip
        family = psutil.Process(running.proc.pid).children(recursive=True)
        assert len(family) >= 2  # the server and its preheated kernel
        kill_mlpm_outright(running, family, tmp_folder)
    finally:
        running.stop()


def test_killing_mlpm_outright_while_the_server_starts_leaves_nothing(tmp_path):
    # The server starts its first kernel before importing Voila (a second or more); killed
    # then, before Voila handles SIGTERM, it still stops that kernel and removes the folder.
    running = start_workshop(tmp_path, "--draws", "500")
    try:
        deadline = time.monotonic() + 30
        while not kernels(running) and time.monotonic() < deadline:
            time.sleep(0.02)
        family = psutil.Process(running.proc.pid).children(recursive=True)
        server = next(p for p in family if "workshop.app" in " ".join(p.cmdline()))
        tmp_folder = Path(server.cwd())
        assert tmp_folder.name.startswith("mlpm-workshop-") and len(family) == 2
        kill_mlpm_outright(running, family, tmp_folder)
    finally:
        running.stop()
