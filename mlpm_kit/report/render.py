"""Leadership reports: an idea file (or a folder of them) to a PDF or HTML memo.

The pipeline has three steps, each failing with a `ToolError` that names the idea and the
step: run the notebook with papermill (the scorecard, notebook 01, or the portfolio
comparison, notebook 03) in a Jupyter kernel that imports this repository's `mlpm_kit`;
export its outputs with the kit's own nbconvert template (`templates/report/`: no code, no
prompts, no JavaScript, nothing from the network, a print stylesheet); render the PDF with
WeasyPrint through `safe_url_fetcher()`, which loads only `data:` URIs and files of the
template folder. A notebook that fails is kept beside the output for debugging; its error
cells never reach a report.

A `ReportKernel` is started once and reused for many notebooks; `render_reports` runs one
per worker process, on every core, so a folder of ideas renders in parallel.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlpm_kit.errors import InputError, MlpmError, ToolError
from mlpm_kit.idea.atomic import atomic_write
from mlpm_kit.idea.files import load_idea
from mlpm_kit.idea.folders import load_ideas
from mlpm_kit.idea.formatting import plain_text
from mlpm_kit.model.decision import DECISION_DRAWS
from mlpm_kit.model.inputs import interview_paths
from mlpm_kit.report.kernel import ReportKernel, skip_slow_optional_imports
from mlpm_kit.resources import kit_path

NOTEBOOKS = kit_path("notebooks")
SCORECARD_NOTEBOOK = NOTEBOOKS / "01_idea_scorecard.ipynb"
PORTFOLIO_NOTEBOOK = NOTEBOOKS / "03_portfolio_comparison.ipynb"
TEMPLATE_DIR = kit_path("templates", "report")
FORMATS = ("pdf", "html")
DEFAULT_DRAWS = DECISION_DRAWS  # the decision memo shows the decision `mlpm score` prints
# A title with Chinese characters makes the page lang "zh", so the CJK font's Chinese glyph forms are used.
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
# WeasyPrint logs what it could not load; the report's own content never asks for it.
logging.getLogger("weasyprint").addHandler(logging.NullHandler())


class BlockedURLError(ValueError):
    """WeasyPrint asked for a URL the report may not load."""


def allowed_url(url: str) -> str:
    """The URL to load if the report may load it: a `data:` URI or a file of the template folder.

    Anything else (other local files, http, ftp, a path without a scheme, ...) raises
    `BlockedURLError`, so an idea file can never make a report read a local file or the network.
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return url
    if scheme == "file" and parts.netloc in ("", "localhost"):
        path = Path(urllib.request.url2pathname(parts.path)).resolve()
        if path.is_relative_to(TEMPLATE_DIR.resolve()) and path.is_file():
            return path.as_uri()
    raise BlockedURLError(
        f"the report may load only data: URIs and its template files, not {url[:200]!r}"
    )


def safe_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that loads only what `allowed_url` allows."""
    from weasyprint.urls import URLFetcher

    class SafeURLFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            return super().fetch(allowed_url(url), headers)

    return SafeURLFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


@dataclass(frozen=True)
class ReportJob:
    """What one report needs, checked before any kernel starts."""

    source: Path
    notebook: Path
    parameters: dict[str, Any]
    title: str
    name: str
    format: str
    output: Path
    markdown: bool = False  # show the notebook's Markdown cells (the portfolio's headings)


def _check_options(format: str, draws: object, seed: object) -> tuple[str, int | None, int]:
    """Checked options; `draws=None` means the notebook's own default."""
    fmt = str(format).lower()
    if fmt not in FORMATS:
        raise InputError(
            f"the report format {format!r} is not supported; use pdf or html.", field="--format"
        )
    for name, value in (("--draws", draws), ("--seed", seed)):
        if value is None and name == "--draws":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(f"{value!r} is not a whole number of 0 or more.", field=name)
    return fmt, None if draws is None else int(draws), int(seed)


def plan_report(
    path: str | os.PathLike,
    format: str = "pdf",
    out_dir: str | os.PathLike = ".",
    portfolio: bool = False,
    draws: int | None = DEFAULT_DRAWS,
    seed: int = 0,
    capacity_weeks: float | None = None,
    budget: float | None = None,
    history: str | os.PathLike | None = None,
) -> ReportJob:
    """Validate the idea (or the portfolio folder) and the options; say what will be written.

    `history`: a folder of launched ideas whose record corrects the estimates (`--calibrated`).
    """
    fmt, draws, seed = _check_options(format, draws, seed)
    if history is not None and not Path(history).is_dir():
        raise InputError(
            "is not a folder of launched ideas; give the folder to calibrate with.",
            file=str(history),
            field="--calibrated",
        )
    source = Path(path)
    if not source.exists():
        raise InputError("the file or folder does not exist; check the path.", file=str(source))
    if portfolio:
        if not source.is_dir():
            raise InputError(
                "--portfolio needs a folder of idea files, not a file.", file=str(source)
            )
        ideas, errors = load_ideas([source])
        if errors:
            raise errors[0]
        notebook, name = PORTFOLIO_NOTEBOOK, "portfolio"
        title = f"Portfolio: {source.resolve().name} ({len(ideas)} ideas)"
        for flag, value in (("--capacity-weeks", capacity_weeks), ("--budget", budget)):
            if value is not None and not (isinstance(value, int | float) and value > 0):
                raise InputError(f"{value!r} is not a positive number.", field=flag)
        parameters = portfolio_parameters(
            notebook, source.resolve(), draws, seed, capacity_weeks, budget, history
        )
    else:
        if source.is_dir():
            raise InputError(
                "is a folder; use render_reports for one report per idea, or portfolio=True.",
                file=str(source),
            )
        idea = load_idea(source)
        interview_paths(idea)  # the notes exist and are notes; the kernel grades them, once
        notebook, name, title = SCORECARD_NOTEBOOK, idea.id, idea.title
        draws = DEFAULT_DRAWS if draws is None else draws
        parameters = {
            "idea_path": str(source.resolve()),
            "draws": draws,
            "seed": seed,
            "interactive": False,
        }
        if history is not None:
            parameters["history_path"] = str(Path(history).resolve())
    if not notebook.is_file():
        raise ToolError(
            f"the report notebook {notebook} is missing from this installation of mlpm-kit."
        )
    out = Path(out_dir)
    return ReportJob(
        source, notebook, parameters, title, name, fmt, out / f"{name}.{fmt}", markdown=portfolio
    )


def portfolio_parameters(
    notebook: Path,
    folder: Path,
    draws: int,
    seed: int,
    capacity_weeks: float | None,
    budget: float | None,
    history: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """The portfolio notebook's parameters, by the names its parameters cell declares.

    Capacity and budget are passed only when given: the notebook's defaults apply otherwise.
    """
    skip_slow_optional_imports()
    import papermill

    declared = set(papermill.inspect_notebook(str(notebook)))
    known: dict[str, Any] = {"ideas_path": str(folder), "seed": seed, "interactive": False}
    if draws is not None:
        known["draws"] = draws
    if capacity_weeks is not None:
        known["capacity_weeks"] = float(capacity_weeks)
    if budget is not None:
        known["budget"] = float(budget)
    if history is not None:
        known["history_path"] = str(Path(history).resolve())
    return {k: v for k, v in known.items() if k in declared}


def export_html(nb: Any, title: str, date: str, markdown: bool = False) -> str:
    """The executed notebook's outputs as one self-contained HTML page (the report template)."""
    skip_slow_optional_imports()
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="report",
        extra_template_basedirs=[str(TEMPLATE_DIR.parent)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    resources = {
        "report_title": plain_text(title),  # the template escapes it
        "report_date": date,
        "report_lang": "zh" if _CJK.search(title) else "en",
        "report_markdown": markdown,
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def write_pdf(html: str, output: Path) -> None:
    """Render the report HTML to `output` with WeasyPrint."""
    import weasyprint

    document = weasyprint.HTML(
        string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=safe_url_fetcher()
    )
    atomic_write(output, document.write_pdf())


def _failure(job: ReportJob, step: str, exc: BaseException, kept: Path | None = None) -> ToolError:
    what = "the portfolio" if job.name == "portfolio" else f"the idea '{job.name}'"
    detail = getattr(exc, "evalue", None) or str(exc) or type(exc).__name__
    ename = getattr(exc, "ename", None) or type(exc).__name__
    first_line = str(detail).strip().splitlines()[0][:300] if str(detail).strip() else ename
    message = f"{job.source}: the report for {what} failed while {step} ({ename}: {first_line})."
    if kept is not None:
        message += f" The executed notebook is kept at {kept} for debugging."
    return ToolError(message)


def run_job(job: ReportJob, kernel: ReportKernel) -> Path:
    """Execute, export and render one planned report with a started kernel."""
    job.output.parent.mkdir(parents=True, exist_ok=True)
    executed = job.output.with_name(f"{job.name}.report.ipynb")
    try:
        nb = kernel.execute(job.notebook, job.parameters, executed)
    except Exception as exc:
        kept = executed if executed.exists() else None
        raise _failure(job, f"running the notebook {job.notebook.name}", exc, kept) from None
    try:
        html = export_html(nb, job.title, dt.date.today().isoformat(), markdown=job.markdown)
    except Exception as exc:
        raise _failure(job, "exporting the notebook to HTML", exc, executed) from None
    try:
        if job.format == "html":
            atomic_write(job.output, html)
        else:
            write_pdf(html, job.output)
    except Exception as exc:
        raise _failure(job, f"writing the {job.format.upper()}", exc, executed) from None
    executed.unlink(missing_ok=True)
    return job.output


def render_report(
    path: str | os.PathLike,
    format: str = "pdf",
    out_dir: str | os.PathLike = ".",
    portfolio: bool = False,
    draws: int | None = DEFAULT_DRAWS,
    seed: int = 0,
    *,
    capacity_weeks: float | None = None,
    budget: float | None = None,
    history: str | os.PathLike | None = None,
    kernel: ReportKernel | None = None,
) -> Path:
    """Render one idea's scorecard (or, with `portfolio=True`, a folder's comparison) to a file.

    Returns the path written, `<out_dir>/<idea id>.pdf` (or `.html`, or `portfolio.pdf`).

    >>> render_report("examples/ideas/ticket-triage.yaml", out_dir="out")   # doctest: +SKIP
    PosixPath('out/ticket-triage.pdf')
    """
    job = plan_report(
        path, format, out_dir, portfolio, draws, seed, capacity_weeks, budget, history
    )
    if kernel is not None:
        return run_job(job, kernel)
    own = ReportKernel().start()  # boots while the heavy imports below load
    skip_slow_optional_imports()
    try:
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401

        if job.format == "pdf":
            import weasyprint  # noqa: F401
        return run_job(job, own)
    finally:
        own.close()


# --- many reports in parallel ---------------------------------------------------------------

_WORKER_KERNEL: ReportKernel | None = None


def _worker_start() -> None:
    """Process-pool initializer: one kernel per worker, closed when the worker exits."""
    global _WORKER_KERNEL
    from multiprocessing import util

    _WORKER_KERNEL = ReportKernel().start()
    util.Finalize(None, _WORKER_KERNEL.close, exitpriority=10)
    skip_slow_optional_imports()
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401
    import weasyprint  # noqa: F401


def _worker_render(
    path: str, format: str, out_dir: str, draws: int, seed: int, history: str | None = None
) -> tuple[str, str | None, str | None]:
    """(idea file, output path or None, error message or None): never raises, so one bad idea stops nothing."""
    try:
        kernel = _WORKER_KERNEL or ReportKernel()
        out = render_report(
            path, format, out_dir, draws=draws, seed=seed, history=history, kernel=kernel
        )
        return path, str(out), None
    except MlpmError as exc:
        return path, None, str(exc)
    except Exception as exc:  # a bug must not stop the other reports; it is reported like a failure
        return path, None, f"{path}: the report failed unexpectedly ({type(exc).__name__}: {exc})."


@dataclass(frozen=True)
class ReportResult:
    source: str
    output: str | None
    error: str | None


def render_reports(
    paths: Sequence[str | os.PathLike],
    format: str = "pdf",
    out_dir: str | os.PathLike = ".",
    draws: int | None = DEFAULT_DRAWS,
    seed: int = 0,
    workers: int | None = None,
    progress: bool = True,
    history: str | os.PathLike | None = None,
) -> list[ReportResult]:
    """One report per idea file, in parallel (one process and one kernel per core).

    A failing idea is reported in its `ReportResult.error`; the others still render.
    """
    fmt, draws, seed = _check_options(format, draws, seed)
    files = [str(p) for p in paths]
    if not files:
        return []
    workers = max(1, min(len(files), workers or os.cpu_count() or 1))
    from tqdm import tqdm

    results: dict[str, ReportResult] = {}
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start) as pool:
        hist = None if history is None else str(history)
        futures = [
            pool.submit(_worker_render, f, fmt, str(out_dir), draws, seed, hist) for f in files
        ]
        bar = tqdm(
            total=len(files), desc="reports", unit="idea", disable=not progress, file=sys.stderr
        )
        with bar:
            for future in as_completed(futures):
                source, output, error = future.result()
                results[source] = ReportResult(source, output, error)
                bar.update(1)
    return [results[f] for f in files]
