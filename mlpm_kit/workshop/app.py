"""The workshop's server process: Voila behind the gate, plus the group-estimate pages with --share.

`server.serve` starts it as `python -m mlpm_kit.workshop.app NOTEBOOK --WorkshopVoila.session_file=F`;
the session file (in the workshop's private temporary folder, never on the command line
where `ps` would show the tokens) holds the gate's rules and, with --share, the idea
whose estimates are collected. Everything else is Voila's: one kernel per tab, preheated,
culled when its tab is gone (the options are set by `server.voila_command`).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import sys
from pathlib import Path

from mlpm_kit.workshop import first_kernel


def _remove_if_orphaned(launcher: int, folder: Path) -> None:
    if os.getppid() != launcher and folder.name.startswith("mlpm-workshop-"):
        shutil.rmtree(folder, ignore_errors=True)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)


if __name__ == "__main__":  # the server
    # If `mlpm workshop` is killed outright (SIGKILL: it cannot clean up), this process gets
    # SIGTERM (`server._stop_with_parent`) and removes the session's folder (its working
    # directory) itself. Until Voila handles SIGTERM (once it runs), SIGTERM exits through
    # `atexit` too, which also stops a first kernel not yet adopted.
    atexit.register(_remove_if_orphaned, os.getppid(), Path.cwd())
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    # The first kernel starts now, not after the imports below.
    first_kernel.start_from_environment(sys.argv[1])

import asyncio  # noqa: E402
import json  # noqa: E402
import tempfile  # noqa: E402
from typing import Any  # noqa: E402

# jsonschema (imported by Voila through jupyter_events) imports rfc3987_syntax when it is
# installed, which builds a parser at import time: 1-7 s, for IRI checks the workshop never
# makes. Without it jsonschema simply skips that format.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import tornado.web  # noqa: E402
from jinja2 import FileSystemBytecodeCache  # noqa: E402
from jupyter_server.utils import url_path_join  # noqa: E402
from traitlets import Unicode  # noqa: E402
from voila.app import Voila  # noqa: E402
from voila.exporter import VoilaExporter  # noqa: E402
from voila.tornado.handler import TornadoVoilaHandler  # noqa: E402

from mlpm_kit.workshop.gate import Decision, Gate  # noqa: E402
from mlpm_kit.workshop.server import NO_MATHJAX  # noqa: E402

# Voila compiles its page's 14 Jinja templates for every page it renders (half a CPU second,
# before the first page too); compiled once, they are kept in Jinja's per-user cache folder
# (private to the user, checked for ownership), where a template that changed is compiled again.
TEMPLATE_CACHE = FileSystemBytecodeCache(pattern="__mlpm_workshop_%s.cache")
_voila_environment = VoilaExporter._create_environment


def _cached_environment(self: VoilaExporter) -> Any:
    environment = _voila_environment(self)
    environment.bytecode_cache = TEMPLATE_CACHE
    return environment


VoilaExporter._create_environment = _cached_environment  # type: ignore[method-assign]


class Refused(tornado.web.RequestHandler):
    """The answer to a request the gate refused: its status and one sentence, nothing else."""

    def initialize(self, decision: Decision) -> None:
        self.decision = decision

    def prepare(self) -> None:
        self.set_status(self.decision.status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(self.decision.message + "\n")


class TokenToCookie(tornado.web.RequestHandler):
    """Move the link's token into a cookie and redirect to the same page without it."""

    def initialize(self, decision: Decision) -> None:
        self.decision = decision

    def prepare(self) -> None:
        d = self.decision
        self.set_cookie(d.cookie_name, d.cookie_value, httponly=True, samesite="Strict", path="/")
        self.redirect(d.location or "/")


class GatedApplication(tornado.web.Application):
    """A tornado application whose every request (HTTP or websocket) passes the gate first."""

    gate: Gate

    def find_handler(self, request: Any, **kwargs: Any) -> Any:
        cookies = {name: morsel.value for name, morsel in request.cookies.items()}
        decision = self.gate.decide(
            request.headers.get("Host", ""), request.path, request.query, cookies
        )
        if decision.action == "refuse":
            return self.get_handler_delegate(request, Refused, {"decision": decision})
        if decision.action == "cookie":
            return self.get_handler_delegate(request, TokenToCookie, {"decision": decision})
        return super().find_handler(request, **kwargs)


class PreheatedPage(TornadoVoilaHandler):
    """Voila's page, waiting for the preheated kernel instead of starting a second one.

    Voila serves a request that arrives before its pool kernel is ready (the first seconds
    after start) with a fresh kernel, and both then compete for the same cores.
    """

    async def get(self, path: str | None = None) -> None:
        pools = getattr(self.kernel_manager, "_pools", {})  # Voila's pool of preheated kernels
        pending = pools.get(getattr(self.kernel_manager, "notebook_path", None), [])[:1]
        if pending:
            await asyncio.wait(pending)
        await super().get(path)


def without_mathjax(page_config: dict, base_url: str, voila_configuration: Any, **_: Any) -> dict:
    """Voila's page config, with MathJax replaced by the template's stub (`server.NO_MATHJAX`)."""
    template = voila_configuration.template
    stub = url_path_join(base_url, "voila/templates", template, "static", NO_MATHJAX)
    return {**page_config, "fullMathjaxUrl": stub, "mathjaxConfig": "none"}


class WorkshopVoila(Voila):
    """Voila with the gate in front and, when the session is shared, the group-estimate pages."""

    name = "mlpm-workshop"
    session_file = Unicode("", config=True, help="The workshop session (JSON) written by mlpm.")

    def _session(self) -> dict:
        return json.loads(Path(self.session_file).read_text(encoding="utf-8"))

    def initialize(self, argv: Any = None) -> None:
        super().initialize(argv)
        self.voila_configuration.page_config_hook = without_mathjax

    def init_handlers(self) -> list:
        handlers = [
            (route, PreheatedPage, *rest)
            if handler is TornadoVoilaHandler
            else (route, handler, *rest)
            for route, handler, *rest in super().init_handlers()
        ]
        session = self._session()
        if session.get("share"):
            # Imported only with --share: the group pages need the economic model (pandas,
            # scipy: 1-3 s of imports on a busy machine) that a local workshop's server never uses.
            from mlpm_kit.workshop.group import GroupSession
            from mlpm_kit.workshop.share import share_handlers

            group = GroupSession(Path(session["idea_path"]), draws=int(session.get("draws", 2000)))
            handlers = (
                share_handlers(group, base=self.server_url) + handlers
            )  # before Voila's "/(.*)"
        return handlers

    def start(self) -> None:
        # Voila.start, with `GatedApplication` instead of `tornado.web.Application`.
        session = self._session()
        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        settings = self.init_settings()
        self.app = GatedApplication(**settings)
        self.app.gate = Gate(
            port=self.port,
            allowed_hosts=frozenset(session["allowed_hosts"]),
            admin_token=session.get("admin_token"),
            join_token=session.get("join_token"),
        )
        self.app.settings.update(self.tornado_settings)
        self.app.add_handlers(".*$", self.init_handlers())
        self.listen()


main = WorkshopVoila.launch_instance

if __name__ == "__main__":
    main()
