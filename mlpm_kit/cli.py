"""The `mlpm` command line: the arguments of every command (DESIGN section 6), then one call
into `mlpm_kit.commands`, imported after the arguments are parsed so that `mlpm --help`
starts at once. Bad input exits 2 with one line per problem; never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import warnings
from collections.abc import Sequence

from mlpm_kit.errors import EXIT_INPUT, MlpmError

# A young-generation garbage collection every this many allocations (Python's default: 700).
GC_YOUNG_OBJECTS = 10_000


def add_calibrated_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--calibrated",
        nargs="?",
        const="",
        metavar="DIR",
        help="correct the estimates by the record of launched ideas in DIR (section 11; default: "
        "a history/ folder beside the ideas); put it after the paths",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlpm",
        description="Decide which ML ideas deserve a team, with numbers leadership can check.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("new", help="create an idea file from templates/idea.yaml")
    p.add_argument("title", help="the idea's title, in quotes")
    p.add_argument("--dir", default=".", help="folder for the new file (default: current folder)")
    p.set_defaults(func="cmd_new")

    p = sub.add_parser(
        "score", help="score idea files or folders of them, ranked by expected value"
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="idea files (.yaml) or folders of them")
    p.add_argument(
        "--draws",
        metavar="N",
        help="simulate each idea N times (100 to 1,000,000; 10000 is plenty): adds npv percentiles, "
        "P(loss) and the inputs most worth validating",
    )
    p.add_argument(
        "--seed",
        metavar="S",
        help="random seed of the simulation (default 0); the same seed gives the same numbers",
    )
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON list, one object per idea")
    fmt.add_argument("--csv", action="store_true", help="print CSV, one row per idea")
    add_calibrated_option(p)
    p.set_defaults(func="cmd_score")

    p = sub.add_parser(
        "report", help="a PDF (or HTML) decision memo per idea, or one for a portfolio"
    )
    p.add_argument(
        "path", metavar="PATH", help="an idea file, or a folder: one report per idea (in parallel)"
    )
    p.add_argument(
        "--portfolio", action="store_true", help="with a folder: one portfolio comparison report"
    )
    p.add_argument(
        "--format", choices=("pdf", "html"), default="pdf", help="output format (default: pdf)"
    )
    p.add_argument(
        "-o",
        "--out",
        default=".",
        metavar="DIR",
        help="folder for the reports (default: current folder)",
    )
    p.add_argument(
        "--draws",
        type=int,
        help="simulation draws (default: 2000 per idea, as `mlpm score` decides; the portfolio notebook's own)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument(
        "--capacity-weeks",
        type=float,
        metavar="W",
        help="with --portfolio: engineer-weeks available",
    )
    p.add_argument("--budget", type=float, metavar="B", help="with --portfolio: one-time budget")
    add_calibrated_option(p)
    p.set_defaults(func="cmd_report")

    p = sub.add_parser(
        "workshop", help="fill in an idea in a browser form with live scores (Voila, localhost)"
    )
    p.add_argument(
        "idea",
        nargs="?",
        metavar="IDEA.yaml",
        help="the idea file to edit (default: examples/ideas/ticket-triage.yaml)",
    )
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument(
        "--draws", type=int, default=2000, help="simulation draws per update (default 2000)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the simulation (default 0)")
    p.add_argument(
        "--share",
        action="store_true",
        help="let the people in the room estimate from their phones: prints a link with a token",
    )
    p.add_argument(
        "--host",
        metavar="H",
        help="with --share, the address to listen on (default: all, 0.0.0.0)",
    )
    p.set_defaults(func="cmd_workshop")

    p = sub.add_parser(
        "compare",
        help="the best set of ideas for a capacity, each idea's opportunity cost, and greedy by RICE",
    )
    p.add_argument(
        "path",
        metavar="DIR|FILE.csv|FILE.xlsx",
        help="a folder of idea files, a .csv or an .xlsx (one row per idea)",
    )
    p.add_argument(
        "--capacity-weeks",
        type=float,
        required=True,
        metavar="W",
        help="engineer-weeks available (above 0)",
    )
    p.add_argument(
        "--budget", type=float, metavar="B", help="one-time budget (money); default: no limit"
    )
    p.add_argument(
        "--draws",
        type=int,
        default=0,
        metavar="N",
        help="simulate N draws; P(in best set) from up to 200 of them",
    )
    p.add_argument(
        "--seed", type=int, default=0, metavar="S", help="random seed for --draws (default 0)"
    )
    p.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="ID",
        help="an idea that must be in the set (repeatable)",
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="ID",
        help="an idea that must stay out (repeatable)",
    )
    p.add_argument(
        "--requires",
        action="append",
        default=[],
        metavar="B:A",
        help="idea B needs idea A (repeatable)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON object (DESIGN section 6)")
    p.add_argument(
        "--out",
        metavar="FILE.csv|FILE.xlsx",
        help="write the portfolio with the result columns to a spreadsheet",
    )
    add_calibrated_option(p)
    p.set_defaults(func="cmd_compare")

    p = sub.add_parser(
        "calibrate", help="how well launched ideas' 90% ranges held up: hit rate, spread, bias"
    )
    p.add_argument("path", metavar="DIR", help="a folder of launched ideas with outcome.actual")
    p.add_argument("--json", action="store_true", help="print a JSON object (DESIGN section 11)")
    p.set_defaults(func="cmd_calibrate")

    p = sub.add_parser("check-notes", help="confirmation-bias check of interview notes (Markdown)")
    p.add_argument(
        "paths", nargs="+", metavar="NOTES.md", help="interview notes, or folders of them"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--rules", metavar="DIR", help="a folder with your own en.yaml and zh.yaml bias rules"
    )
    p.add_argument(
        "--model",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also flag what the classifier trained on the labeled corpus finds "
        "(experimental, off by default; --no-model: rules only)",
    )
    p.set_defaults(func="cmd_check_notes")

    p = sub.add_parser(
        "ml-check", help="ML readiness of an idea: metric, labels needed, data cost, open risks"
    )
    p.add_argument("path", metavar="IDEA.yaml", help="an idea file with an ml: section")
    p.add_argument("--json", action="store_true", help="print a JSON object (DESIGN section 6)")
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the labels-needed range (default 0)"
    )
    p.set_defaults(func="cmd_ml_check")

    p = sub.add_parser("demo", help="score, compare and report on the shipped example portfolio")
    p.set_defaults(func="cmd_demo")
    return parser


@contextlib.contextmanager
def fewer_collections():
    """While a command runs, the garbage collector leaves alone what exists before it (the
    imported modules: never garbage) and collects young objects every `GC_YOUNG_OBJECTS`
    allocations: reading thousands of files makes many small objects (on 2,000 ideas,
    0.2-0.4 s less collecting). Undone after the command (tests run many in one process)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_OBJECTS, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        import numpy as np

        if args.func == "cmd_workshop":
            # Not through `commands`, whose imports (pandas, the model: a second or more)
            # would hold back the workshop's server; it has 5 s to show the form (issue 19).
            from mlpm_kit.workshop.server import cmd_workshop as func
        else:
            from mlpm_kit import commands

            func = getattr(commands, args.func)
    except ImportError as exc:  # a broken installation: say which package is missing
        print(f"mlpm: error: {exc}; reinstall the kit (pip install mlpm-kit).", file=sys.stderr)
        return 2
    try:
        # Numbers at the edge (a zero denominator, an overflow) give n/a or "never" in the
        # output; numpy's and pandas' warnings about them are noise on stderr.
        with np.errstate(all="ignore"), warnings.catch_warnings(), fewer_collections():
            warnings.simplefilter("ignore", RuntimeWarning)
            return func(args)
    except MlpmError as exc:
        from mlpm_kit.output import print_errors

        print_errors([exc])
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("mlpm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a disk full, a permission changed while writing
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"mlpm: error: {where}{exc.strerror or exc}; check the path.", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # a bug: one line (MLPM_DEBUG=1 shows the traceback), still exit 2
        if os.environ.get("MLPM_DEBUG"):
            raise
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        print(
            f"mlpm: internal error: {type(exc).__name__}: {detail} (please report it; "
            "MLPM_DEBUG=1 shows the details).",
            file=sys.stderr,
        )
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
