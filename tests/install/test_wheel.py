"""The installed kit, not the clone: build the wheel, `pip install` it into a fresh virtualenv
(no system site-packages, no PYTHONPATH to this checkout), and run every command from an
empty folder elsewhere (DESIGN section 12, "Installed, not only cloned").

The runtime requirements come from a local wheelhouse (MLPM_WHEELHOUSE, default
build/wheelhouse), pinned by requirements.lock: the first run fills it from the package
index, later runs install offline.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.workshop.conftest import free_port

pytestmark = pytest.mark.install

LOCK = ROOT / "requirements.lock"
WHEELHOUSE = Path(os.environ.get("MLPM_WHEELHOUSE", ROOT / "build" / "wheelhouse"))
# What the wheel is built from: the package and the kit's own files (one copy, in the repo).
SOURCES = (
    "pyproject.toml",
    "README.md",
    "requirements.txt",
    "mlpm_kit",
    "templates",
    "notebooks",
    "examples",
)
DATA = ("templates", "notebooks", "examples")
# Packages of the extras ([test], [bench], [dev]) that a plain install must not pull in.
NOT_RUNTIME = {"pytest", "hypothesis", "playwright", "ruff", "squigglepy", "uv"}


def run(*args: str | Path, cwd: Path | None = None, env=None, timeout: float = 300):
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout
    )
    assert done.returncode == 0, (
        f"{args} exited with {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel `pip wheel` builds from a copy of the checkout (the checkout stays clean)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, src)
    (found,) = dist.glob("mlpm_kit-*.whl")
    return found


def clean_env(bin_folder: Path) -> dict[str, str]:
    """A user's shell with the virtualenv active: nothing points at this checkout (whose
    folder, on PYTHONPATH, would make pip think the kit is installed already)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(bin_folder), env.get("PATH", "")])
    return env


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel and its runtime requirements installed; its bin folder."""
    root = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", root)
    env = clean_env(root / "bin")
    offline = [root / "bin" / "python", "-m", "pip", "install", "-q", "--no-compile", "--no-index",
               "--find-links", WHEELHOUSE, "-c", LOCK, wheel]  # fmt: skip
    if subprocess.run([str(a) for a in offline], capture_output=True, env=env).returncode != 0:
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        download = [sys.executable, "-m", "pip", "download", "-q", "-d", WHEELHOUSE,
                    "-c", LOCK, wheel]  # fmt: skip
        run(*download, env=env)
        for own in WHEELHOUSE.glob("mlpm_kit-*.whl"):
            own.unlink()  # the wheel under test is always the one just built
        run(*offline, env=env)
    return root / "bin"


@pytest.fixture(scope="module")
def user_env(venv) -> dict[str, str]:
    return clean_env(venv)


@pytest.fixture(scope="module")
def examples(venv, user_env, tmp_path_factory) -> Path:
    """The installed kit's bundled examples, found by the kit itself."""
    code = "import mlpm_kit.resources as r; print(r.example())"
    cwd = tmp_path_factory.mktemp("where")
    found = Path(run(venv / "python", "-c", code, cwd=cwd, env=user_env).stdout.strip())
    assert found.is_dir() and found.is_relative_to(venv.parent), found
    return found


@pytest.fixture
def mlpm(venv, user_env, tmp_path):
    """Runs the installed `mlpm` in an empty folder; returns the finished process."""
    folder = tmp_path / "empty"
    folder.mkdir()

    def call(*args: str | Path, timeout: float = 300):
        return run(venv / "mlpm", *args, cwd=folder, env=user_env, timeout=timeout)

    call.folder = folder
    return call


def test_the_wheel_holds_every_module_and_every_kit_file_once(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "mlpm_kit").rglob("*.py")}
    files = {
        f"mlpm_kit/_data/{p.relative_to(ROOT).as_posix()}"
        for folder in DATA
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and ".ipynb_checkpoints" not in p.parts
    }
    assert modules - names == set() and files - names == set()
    assert not any(n.startswith(("templates/", "notebooks/", "examples/", "tests/")) for n in names)


def test_the_wheel_requires_only_runtime_packages(venv, user_env):
    shown = run(venv / "python", "-m", "pip", "show", "mlpm-kit", env=user_env).stdout
    (requires,) = [line for line in shown.splitlines() if line.startswith("Requires:")]
    required = {name.strip().lower() for name in requires.removeprefix("Requires:").split(",")}
    assert {"pandas", "papermill", "weasyprint", "voila"} <= required
    assert required & NOT_RUNTIME == set()
    listed = run(venv / "python", "-m", "pip", "list", "--format=json", env=user_env).stdout
    assert {p["name"].lower() for p in json.loads(listed)} & NOT_RUNTIME == set()


def test_new_then_score_from_an_empty_folder(mlpm):
    path = mlpm("new", "Auto-triage of tickets").stdout.strip()
    assert (mlpm.folder / path).name == "auto-triage-of-tickets.yaml"
    assert "auto-triage-of-tickets" in mlpm("score", path).stdout
    (row,) = json.loads(mlpm("score", path, "--json").stdout)
    assert row["id"] == "auto-triage-of-tickets"


def test_check_notes_compare_and_ml_check_on_the_bundled_examples(mlpm, examples):
    assert "evidence grade" in mlpm("check-notes", examples / "interviews").stdout
    assert "ticket-triage" in mlpm("compare", examples / "ideas", "--capacity-weeks", "60").stdout
    assert "Metric to optimize" in mlpm("ml-check", examples / "ideas" / "spam-filter.yaml").stdout


def test_report_writes_one_pdf(mlpm, examples):
    mlpm("report", examples / "ideas" / "ticket-triage.yaml", "-o", "reports")
    assert (mlpm.folder / "reports" / "ticket-triage.pdf").read_bytes()[:5] == b"%PDF-"


def test_demo_writes_its_reports_to_out(mlpm, examples):
    mlpm("demo", timeout=600)
    written = {p.name for p in (mlpm.folder / "out").glob("*.pdf")}
    assert written == {"portfolio.pdf"} | {
        p.stem + ".pdf" for p in (examples / "ideas").glob("*.yaml") if p.name != "mlpm.yaml"
    }


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    """Until `url` answers 200; fails with the server's log if it stops or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"mlpm workshop exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(
        f"mlpm workshop did not answer on {url} within {timeout} s:\n{log.read_text()}"
    )


def test_workshop_answers_and_stops(venv, user_env, mlpm):
    port = free_port()
    log = mlpm.folder / "workshop.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(venv / "mlpm"), "workshop", "--port", str(port), "--draws", "200"],
            stdout=out, stderr=subprocess.STDOUT, env=user_env, cwd=mlpm.folder,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", proc, log)
        proc.send_signal(signal.SIGTERM)  # `kill`: mlpm stops Voila and its kernel with it
        assert proc.wait(timeout=30) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # anything of the workshop still running
