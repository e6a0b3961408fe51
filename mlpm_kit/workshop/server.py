"""`mlpm workshop`: the scorecard notebook served by Voila, no code visible; with --share, group estimates.

The idea is checked first (an invalid file is an `InputError`, exit 2), and so is the port
(taken: an `InputError` naming a free one, not a silently different port). A copy of
`notebooks/01_idea_scorecard.ipynb` with `idea_path` and `interactive=True` injected by
papermill goes into a private temporary folder, with the session file (the gate's rules and
tokens, `gate.py`), and `python -m mlpm_kit.workshop.app` serves it:

- fast: the server is started before this process imports pandas and the model (it
  checks the idea meanwhile, at a lower priority); the server starts the first kernel
  before importing Voila, and Voila's preheated pool of one adopts it (`first_kernel`,
  `kernels`) and runs the notebook before anyone asks; the page's scripts load while its
  cells run; the form's results are computed after its cell, while the browser starts
  the page's app (`notebook.after_this_cell`);
- tidy: one kernel per open tab, shut down when the tab closes and culled after
  `CULL_IDLE_SECONDS` without a connection otherwise; Ctrl-C or SIGTERM stops the server,
  every kernel and the temporary folder;
- safe: without --share it listens on 127.0.0.1 and answers only requests addressed to
  localhost; with --share it listens on --host and every request needs the session's token.

Voila's stock template loads Font Awesome from a CDN; the kit serves one without it, so
the workshop works offline.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

from mlpm_kit.errors import InputError, ToolError
from mlpm_kit.resources import IMPORT_ROOT, kit_path
from mlpm_kit.workshop import first_kernel
from mlpm_kit.workshop.gate import JOIN_PREFIX, LOCAL_HOSTS
from mlpm_kit.workshop.look import WORKSHOP_CSS

NOTEBOOK = kit_path("notebooks", "01_idea_scorecard.ipynb")
EXAMPLE_IDEAS = kit_path("examples", "ideas")
DEFAULT_PORT = 8866
LOCAL_IP = "127.0.0.1"
TEMPLATE_NAME = "mlpm-offline"
CULL_IDLE_SECONDS = 30  # a kernel without a tab for this long is shut down
STOP_SECONDS = 15  # how long Voila gets to shut its kernels down before they are killed
NICE_WHILE_CHECKING = 10  # this process's lower priority once the server is started

# The lab template minus its CDN stylesheets (Font Awesome) and mermaid loader; `super.super()` renders
# nbconvert's lab CSS, which is what the lab template itself adds after them. Voila's script
# (4 MB of JupyterLab) comes with the first cell, right after the page's config it reads,
# instead of after the last: the browser loads it while the kernel runs the notebook's cells,
# and the app starts as soon as the page is complete.
_INDEX_TEMPLATE = """{%- extends 'voila/templates/lab/index.html.j2' -%}
{%- block notebook_css -%}
  {% if frontend == "voila" %}{{ resources.include_js("static/voila-style.js") }}{% endif %}
  {{ spinner.css() }}
  <style>.jp-mod-noOutputs.jp-mod-noInput { display: none; }</style>
  {{ super.super() }}
  <style>WORKSHOP_CSS</style>
{%- endblock notebook_css -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block any_cell -%}
  {%- if cellloop.first -%}
  <script src="{{ page_config['fullStaticUrl'] | e }}/{{ main_js }}"></script>
  {%- endif -%}
  {{ super() }}
{%- endblock any_cell -%}
{%- block body_footer -%}
  </div>
</div>
<script type="text/javascript">
  window.voila_finish();
</script>
{{ super.super() }}
{%- endblock body_footer -%}
"""


# What Voila's page needs of MathJax 2 (`@jupyterlab/mathjax2-extension`), doing nothing: the
# workshop shows no LaTeX, and the MathJax 3 that Voila loads otherwise (800 kB of scripts,
# set up while the form is drawn) costs the browser a few tenths of a second. `app.py`
# points the page's `fullMathjaxUrl` at it.
NO_MATHJAX = "no-mathjax.js"
_NO_MATHJAX_JS = """window.MathJax = {
  Hub: {Config() {}, Configured() {}, Queue() {}, Register: {StartupHook() {}}},
  Ajax: {},
  InputJax: {TeX: {resetEquationNumbers() {}}},
};
"""


def default_idea() -> Path:
    """The idea opened without an argument: the first example idea."""
    preferred = EXAMPLE_IDEAS / "ticket-triage.yaml"
    if preferred.exists():
        return preferred
    from mlpm_kit.idea.folders import idea_files  # see _run: pandas, only when needed

    found = idea_files([EXAMPLE_IDEAS]) if EXAMPLE_IDEAS.is_dir() else []
    if not found:
        raise InputError("no idea given and no example ideas found; run mlpm workshop IDEA.yaml.")
    return found[0]


def _can_listen(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado: TIME_WAIT is free
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def check_port(port: int, host: str = LOCAL_IP) -> None:
    """Raise `InputError` if host:port cannot be listened on, naming a port that is free."""
    if not 0 < port < 65536:
        raise InputError(
            f"--port {port} is not a port number; use 1024-65535, for example --port 8866."
        )
    if _can_listen(host, port):
        return
    free = next((p for p in range(port + 1, min(port + 50, 65536)) if _can_listen(host, p)), None)
    hint = f"--port {free}" if free else "another --port"
    raise InputError(
        f"port {port} on {host} is already in use (another workshop?); "
        f"stop it or choose another one: {hint} is free."
    )


def lan_address() -> str:
    """This machine's address on the local network (what phones in the room can reach)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))  # no packet is sent; this picks the route
            return sock.getsockname()[0]
        except OSError:
            return LOCAL_IP


@dataclass(frozen=True)
class Session:
    """One run of `mlpm workshop`: where it listens, who may connect, what it serves."""

    idea_path: Path
    port: int
    bind_host: str = LOCAL_IP
    link_host: str = LOCAL_IP
    admin_token: str | None = None
    join_token: str | None = None
    draws: int = 2000

    @classmethod
    def create(
        cls, idea_path: Path, port: int, share: bool, host: str | None, draws: int
    ) -> Session:
        if not share:
            if host not in (None, LOCAL_IP, "localhost"):
                raise InputError(
                    f"--host {host} needs --share: without it the workshop listens on "
                    "127.0.0.1 only; add --share to let others in the room connect."
                )
            return cls(idea_path, port, draws=draws)
        bind = host or "0.0.0.0"
        link = lan_address() if bind in ("0.0.0.0", "") else bind
        return cls(
            idea_path, port, bind, link, secrets.token_urlsafe(24), secrets.token_urlsafe(16), draws
        )

    @property
    def share(self) -> bool:
        return self.admin_token is not None

    @property
    def allowed_hosts(self) -> list[str]:
        return sorted(LOCAL_HOSTS | {self.link_host, self.bind_host} - {"0.0.0.0", ""})

    def url(self, path: str = "/", host: str | None = None, token: str | None = None) -> str:
        query = f"?token={token}" if token else ""
        return f"http://{host or self.link_host}:{self.port}{path}{query}"

    def write(self, path: Path) -> None:
        data = {
            "idea_path": str(self.idea_path),
            "share": self.share,
            "allowed_hosts": self.allowed_hosts,
            "admin_token": self.admin_token,
            "join_token": self.join_token,
            "draws": self.draws,
        }
        path.write_text(json.dumps(data), encoding="utf-8")
        path.chmod(0o600)


def parameterized(notebook: dict, params: dict) -> dict:
    """The notebook with a cell setting `params` after its `parameters` cell, as papermill does.

    Written here rather than with papermill or nbformat: importing those (jsonschema) takes
    seconds on a busy machine, and the workshop must be ready in a few.
    """
    cells = notebook["cells"]
    where = next(
        (i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])),
        -1,
    )
    source = "# Parameters injected by mlpm workshop\n" + "".join(
        f"{name} = {value!r}\n" for name, value in params.items()
    )
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": "injected-parameters",
        "metadata": {"tags": ["injected-parameters"]},
        "outputs": [],
        "source": source,
    }
    return {**notebook, "cells": [*cells[: where + 1], cell, *cells[where + 1 :]]}


def prepare(idea_path: Path, folder: Path, draws: int = 2000, seed: int = 0) -> Path:
    """Write the parameterized notebook and the offline template into `folder`; return the notebook."""
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    params = {"idea_path": str(idea_path), "draws": draws, "seed": seed, "interactive": True}
    (folder / "notebook").mkdir(exist_ok=True)
    target = folder / "notebook" / "scorecard.ipynb"
    target.write_text(json.dumps(parameterized(notebook, params), indent=1), encoding="utf-8")
    template = folder / "share" / "voila" / "templates" / TEMPLATE_NAME
    template.mkdir(parents=True, exist_ok=True)
    (template / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    (template / "index.html.j2").write_text(
        _INDEX_TEMPLATE.replace("WORKSHOP_CSS", WORKSHOP_CSS), encoding="utf-8"
    )
    (template / "static").mkdir(exist_ok=True)
    (template / "static" / NO_MATHJAX).write_text(_NO_MATHJAX_JS, encoding="utf-8")
    return target


def voila_command(notebook: Path, session: Session, session_file: Path, folder: Path) -> list[str]:
    return [
        sys.executable, "-m", "mlpm_kit.workshop.app", str(notebook),
        "--no-browser",
        f"--port={session.port}",
        f"--Voila.ip={session.bind_host}",
        "--Voila.port_retries=0",
        f"--Voila.connection_dir_root={folder}",
        f"--WorkshopVoila.session_file={session_file}",
        f"--template={TEMPLATE_NAME}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
        # One kernel started and the notebook run before the first tab asks for it.
        "--preheat_kernel=True",
        "--pool_size=1",
        "--VoilaKernelManager.fill_delay=15",  # the next tab's kernel starts after this one is drawn
        # ... and that first kernel is the one the server started before importing Voila.
        "--AsyncMappingKernelManager.kernel_manager_class="
        "mlpm_kit.workshop.kernels.AdoptingKernelManager",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        "--MappingKernelManager.cull_interval=10",
        "--MappingKernelManager.cull_connected=False",
    ]  # fmt: skip


def announce(session: Session) -> None:
    """Print where the workshop is; with --share, the participants' link and its QR code."""
    idea = session.idea_path.name
    if not session.share:
        print(f"Workshop for {idea} at {session.url()}  (Ctrl-C to stop)", flush=True)
        return
    join = session.url(JOIN_PREFIX, token=session.join_token)
    print(f"Workshop for {idea}, shared on {session.bind_host}:{session.port}  (Ctrl-C to stop)")
    print("  You (the form and the group view; keep this link to yourself):")
    print(f"    {session.url('/', host=LOCAL_IP, token=session.admin_token)}")
    print(f"    {session.url('/group', host=LOCAL_IP, token=session.admin_token)}")
    print("  Participants (anyone with this link can submit estimates, nothing else):")
    print(f"    {join}", flush=True)
    print_qr(join)


def print_qr(url: str) -> None:
    try:
        import qrcode  # optional: the link alone is enough
    except ImportError:
        return
    qr = qrcode.QRCode(border=1)
    qr.add_data(url)
    qr.print_ascii(out=sys.stdout, invert=True)
    sys.stdout.flush()


def _stop_with_parent() -> None:
    """In the server's process before it starts (Linux): SIGTERM when `mlpm workshop` dies,
    even by SIGKILL, so no server or kernel outlives it (`app.py` then removes the folder)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: SIGINT / SIGTERM still stop everything
        pass


def stop_tree(proc: subprocess.Popen) -> None:
    """Stop the server and everything it started (kernels run in their own sessions)."""
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    if proc.poll() is None:
        proc.terminate()  # Voila shuts its kernels down and removes its connection files
        try:
            proc.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    left = [p for p in family if p.is_running()]
    for p in left:
        p.terminate()
    _, alive = psutil.wait_procs(left, timeout=5)
    for p in alive:
        p.kill()


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # the same clean stop as Ctrl-C


def cmd_workshop(args: argparse.Namespace) -> int:
    """`mlpm workshop`, called by `cli.main` without importing `commands` (see `_run`)."""
    return serve(args.idea, args.port, args.draws, args.seed, args.share, args.host)


def serve(
    idea_path: str | os.PathLike | None,
    port: int = DEFAULT_PORT,
    draws: int = 2000,
    seed: int = 0,
    share: bool = False,
    host: str | None = None,
) -> int:
    """Serve the workshop until Ctrl-C or SIGTERM; returns 0 after a clean stop."""
    path = Path(idea_path) if idea_path is not None else default_idea()
    session = Session.create(path.resolve(), port, share, host, draws)
    check_port(port, session.bind_host)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with tempfile.TemporaryDirectory(prefix="mlpm-workshop-") as tmp:
            return _run(session, Path(tmp), seed)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(session: Session, folder: Path, seed: int) -> int:
    notebook = prepare(session.idea_path, folder, session.draws, seed)
    session_file = folder / "session.json"
    session.write(session_file)
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(folder / "share"), env.get("JUPYTER_PATH")])
    )
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(IMPORT_ROOT), env.get("PYTHONPATH")]))
    env[first_kernel.ENV] = str(folder / "first-kernel.json")
    try:
        proc = subprocess.Popen(
            voila_command(notebook, session, session_file, folder),
            env=env,
            cwd=folder,
            start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
            preexec_fn=_stop_with_parent,
        )
    except OSError as exc:
        raise ToolError(
            f"could not start Voila ({exc}); reinstall with pip install -r requirements.txt."
        ) from None
    try:
        # Checked while the server starts: the idea's schema pulls in pandas and the kit's
        # idea layer (a second of imports), which is why this module and `cli` import
        # neither before the server is on its way, and why this process gives way to the
        # server and its kernel when they want both cores (it only waits from here on).
        # An invalid file stops both here with the schema's message.
        os.nice(NICE_WHILE_CHECKING)
        from mlpm_kit.idea.files import load_idea

        load_idea(session.idea_path)
        announce(session)
        code = proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop_tree(proc)
    if code != 0:
        raise ToolError(
            f"the workshop server stopped with exit status {code}; its messages are above."
        )
    return 0
