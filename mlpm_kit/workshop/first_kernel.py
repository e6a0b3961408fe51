"""The workshop's first kernel: started by the server's first lines, adopted by Voila's pool.

Voila starts its preheated kernel only once it has imported itself and jupyter_server (a
second or more on a busy machine), and that kernel then needs about as long to import
ipykernel and the kit's form before it runs the notebook. Started before those imports
(`app.py`), the kernel does its own alongside them, and it imports the form's module in a
background thread, so it answers Voila at once and the notebook's cell finds the module
(nearly) loaded. `kernels.AdoptingKernelManager` hands it to Voila's pool instead of
launching one; every later kernel (one per tab) is Voila's own.

It is started as `jupyter_client.launcher.launch_kernel` starts one on POSIX (its own
session, `JPY_PARENT_PID`, stdin closed), from the standard library only: importing
jupyter_client first would delay it by the imports it is meant to overlap.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# The connection file to write, set by `server._run` for the server process.
ENV = "MLPM_WORKSHOP_FIRST_KERNEL"
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
KERNEL_NAME = "python3"  # the notebook's kernel; its spec runs this Python's ipykernel_launcher
PRELOAD = (
    '__import__("threading").Thread(target=__import__, '
    'args=("mlpm_kit.workshop.notebook",), daemon=True).start()'
)


@dataclass(frozen=True)
class FirstKernel:
    process: subprocess.Popen
    connection_file: Path


_waiting: list[FirstKernel] = []


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def connection_info() -> dict:
    """What jupyter_client writes for a local kernel: five free ports and a signing key."""
    info: dict = dict(zip(PORTS, _free_ports(len(PORTS)), strict=True))
    info.update(
        ip="127.0.0.1",
        transport="tcp",
        key=secrets.token_hex(16),
        signature_scheme="hmac-sha256",
        kernel_name=KERNEL_NAME,
    )
    return info


def start(connection_file: Path, cwd: Path) -> FirstKernel:
    """Start the kernel (it is adopted by `take`, or killed when this process exits)."""
    descriptor = os.open(connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(connection_info(), out)
    env = {name: value for name, value in os.environ.items() if name != ENV}
    env.update(JPY_PARENT_PID=str(os.getpid()), VOILA_PREHEAT="True")
    command = [
        sys.executable, "-m", "ipykernel_launcher", "-f", str(connection_file),
        f"--IPKernelApp.exec_lines={PRELOAD}",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, cwd=cwd, env=env, start_new_session=True
    )
    process.stdin.close()
    first = FirstKernel(process, connection_file)
    _waiting.append(first)
    atexit.register(_stop_unadopted)
    return first


def start_from_environment(notebook: str) -> None:
    """In the server process: start the first kernel if `server._run` asked for one.

    POSIX only (how it is started, above); elsewhere Voila starts its own, a second later.
    """
    connection_file = os.environ.get(ENV)
    if connection_file and os.name == "posix":
        start(Path(connection_file), cwd=Path(notebook).resolve().parent)


def take() -> FirstKernel | None:
    """The first kernel, once, if it is still running; None otherwise."""
    while _waiting:
        first = _waiting.pop()
        if first.process.poll() is None:
            return first
    return None


def _stop_unadopted() -> None:
    while _waiting:
        process = _waiting.pop().process
        process.kill()
        process.wait()
