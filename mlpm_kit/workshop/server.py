"""`mlpm workshop`: the scorecard notebook served by Voila on this machine, no code visible.

The idea is checked first (an invalid file is an `InputError`, exit 2), and so is the port
(taken: an `InputError`, not a silently different port). A copy of
`notebooks/01_idea_scorecard.ipynb` with `idea_path` and `interactive=True` injected by
papermill goes into a temporary folder, and Voila serves it on 127.0.0.1 only. Voila
strips code cells by default and starts one kernel per browser tab, so two tabs on two
ideas do not interfere. Voila's stock template loads Font Awesome from a CDN; the kit
serves a template without it, so the workshop works offline.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from mlpm_kit.errors import InputError, ToolError
from mlpm_kit.idea.files import load_idea
from mlpm_kit.resources import IMPORT_ROOT, kit_path

NOTEBOOK = kit_path("notebooks", "01_idea_scorecard.ipynb")
EXAMPLE_IDEAS = kit_path("examples", "ideas")
DEFAULT_PORT = 8866
TEMPLATE_NAME = "mlpm-offline"

# The lab template minus its CDN stylesheets (Font Awesome) and mermaid loader; `super.super()` renders
# nbconvert's lab CSS, which is what the lab template itself adds after them.
_INDEX_TEMPLATE = """{%- extends 'voila/templates/lab/index.html.j2' -%}
{%- block notebook_css -%}
  {% if frontend == "voila" %}{{ resources.include_js("static/voila-style.js") }}{% endif %}
  {{ spinner.css() }}
  <style>.jp-mod-noOutputs.jp-mod-noInput { display: none; }</style>
  {{ super.super() }}
{%- endblock notebook_css -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def default_idea() -> Path:
    """The idea opened without an argument: the first example idea."""
    found = sorted(EXAMPLE_IDEAS.glob("*.yaml")) if EXAMPLE_IDEAS.is_dir() else []
    if not found:
        raise InputError("no idea given and no example ideas found; run mlpm workshop IDEA.yaml.")
    preferred = EXAMPLE_IDEAS / "ticket-triage.yaml"
    return preferred if preferred.exists() else found[0]


def check_port(port: int) -> None:
    """Raise `InputError` if 127.0.0.1:port cannot be listened on."""
    if not 0 < port < 65536:
        raise InputError(
            f"--port {port} is not a port number; use 1024-65535, for example --port 8866."
        )
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise InputError(
                f"port {port} on 127.0.0.1 is already in use (another workshop?); "
                f"stop it or choose another one, for example --port {port + 1}."
            ) from None


def prepare(idea_path: Path, folder: Path, draws: int = 2000, seed: int = 0) -> Path:
    """Write the parameterized notebook and the offline template into `folder`; return the notebook."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(NOTEBOOK))  # papermill's reader adds the tags it expects
    params = {"idea_path": str(idea_path), "draws": draws, "seed": seed, "interactive": True}
    nb = parameterize_notebook(nb, params)
    target = folder / "scorecard.ipynb"
    nbformat.write(nb, target)
    template = folder / "share" / "voila" / "templates" / TEMPLATE_NAME
    template.mkdir(parents=True, exist_ok=True)
    (template / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    (template / "index.html.j2").write_text(_INDEX_TEMPLATE, encoding="utf-8")
    return target


def voila_command(notebook: Path, port: int) -> list[str]:
    return [
        sys.executable, "-m", "voila", str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--template={TEMPLATE_NAME}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
    ]  # fmt: skip


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    idea_path: str | os.PathLike | None, port: int = DEFAULT_PORT, draws: int = 2000, seed: int = 0
) -> int:
    """Serve the workshop until Ctrl-C; returns Voila's exit status."""
    path = Path(idea_path) if idea_path is not None else default_idea()
    load_idea(path)  # an invalid file stops here with the schema's message
    check_port(port)
    with tempfile.TemporaryDirectory(prefix="mlpm-workshop-") as tmp:
        folder = Path(tmp)
        notebook = prepare(path.resolve(), folder, draws, seed)
        env = dict(os.environ)
        env["JUPYTER_PATH"] = os.pathsep.join(
            filter(None, [str(folder / "share"), env.get("JUPYTER_PATH")])
        )
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(IMPORT_ROOT), env.get("PYTHONPATH")]))
        print(f"Workshop for {path} at http://127.0.0.1:{port}/  (Ctrl-C to stop)", flush=True)
        try:
            proc = subprocess.Popen(voila_command(notebook, port), env=env, cwd=folder)
        except OSError as exc:
            raise ToolError(
                f"could not start Voila ({exc}); Voila is one of the kit's requirements: reinstall the kit."
            ) from None
        # A `kill` (SIGTERM) stops Voila and its kernel as Ctrl-C does, instead of orphaning them.
        previous = signal.signal(signal.SIGTERM, _stop)
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
        if code != 0:
            raise ToolError(f"Voila stopped with exit status {code}; its messages are above.")
        return 0
