"""The `mlpm` command line: one entry point, one subcommand per job.

Every input error becomes one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from .collection import load_ideas
from .errors import InputError, MlpmError
from .formatting import money, number, share
from .idea import new_idea
from .scoring import SCORE_COLUMNS, records, score

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXIT_INPUT = 2


def _print_errors(errors: Sequence[MlpmError]) -> None:
    for exc in errors:
        print(f"mlpm: error: {exc}", file=sys.stderr)


def score_table_text(table: pd.DataFrame) -> str:
    """The ranked table people read in a terminal."""
    if table.empty:
        return "No ideas to score."
    shown = pd.DataFrame(
        {
            "#": table["rank"],
            "id": table["id"],
            "title": [t if len(t) <= 38 else t[:37] + "…" for t in table["title"]],
            "expected value": table["expected_value"].map(money),
            "npv": table["npv"].map(money),
            "effort wk": table["effort_weeks"].map(number),
            "one-time": table["one_time_cost"].map(money),
            "payback mo": table["payback_months"].map(lambda x: number(round(x)) if x == x else "never"),
            "confidence": table["confidence"].map(share),
            "pain": table["pain_score"].map(number),
            "RICE": table["rice"].map(lambda x: number(round(x, 1))),
        }
    )
    with pd.option_context("display.unicode.east_asian_width", True):  # align Chinese titles
        return shown.to_string(index=False)


def cmd_score(args: argparse.Namespace) -> int:
    ideas, errors = load_ideas(args.paths)
    table = score(ideas)
    if args.json:
        print(json.dumps(records(table[list(SCORE_COLUMNS) + ["confidence_source"]]), indent=2, ensure_ascii=False))
    elif args.csv:
        sys.stdout.write(table.to_csv(index=False))
    else:
        print(score_table_text(table))
        if len(table):
            print("\nRanked by expected value = confidence x (npv - opportunity cost) - (1 - confidence) x failure cost.")
            print("Money is per the idea files' currency; effort in engineer-weeks. `mlpm score --json` has every field.")
    _print_errors(errors)
    return EXIT_INPUT if errors else 0


def cmd_new(args: argparse.Namespace) -> int:
    if not args.title.strip():
        raise InputError('the title is empty; give the idea a name, for example mlpm new "Auto-triage of tickets".')
    path = new_idea(args.title, args.dir)
    print(path)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    ideas_dir = EXAMPLES / "ideas"
    print(f"Scoring the example portfolio in {ideas_dir}\n")
    ideas, errors = load_ideas([ideas_dir])
    print(score_table_text(score(ideas)))
    _print_errors(errors)
    return EXIT_INPUT if errors else 0


def cmd_workshop(args: argparse.Namespace) -> int:
    from .workshop import serve

    return serve(args.idea, port=args.port, draws=args.draws, seed=args.seed)


def cmd_ml_check(args: argparse.Namespace) -> int:
    from .idea import load_idea
    from .ml_readiness import ml_check, ml_check_text

    result = ml_check(load_idea(args.path), seed=args.seed)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(ml_check_text(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlpm",
        description="Decide which ML ideas deserve a team, with numbers leadership can check.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("new", help="create an idea file from templates/idea.yaml")
    p.add_argument("title", help="the idea's title, in quotes")
    p.add_argument("--dir", default=".", help="folder for the new file (default: current folder)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("score", help="score idea files or folders of them, ranked by expected value")
    p.add_argument("paths", nargs="+", metavar="PATH", help="idea files (.yaml) or folders of them")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON list, one object per idea")
    fmt.add_argument("--csv", action="store_true", help="print CSV, one row per idea")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("workshop", help="fill in an idea in a browser form with live scores (Voila, localhost)")
    p.add_argument(
        "idea", nargs="?", metavar="IDEA.yaml", help="the idea file to edit (default: examples/ideas/ticket-triage.yaml)"
    )
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--draws", type=int, default=2000, help="simulation draws per update (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the simulation (default 0)")
    p.set_defaults(func=cmd_workshop)

    p = sub.add_parser("ml-check", help="ML readiness of an idea: metric, labels needed, data cost, open risks")
    p.add_argument("path", metavar="IDEA.yaml", help="an idea file with an ml: section")
    p.add_argument("--json", action="store_true", help="print a JSON object (DESIGN section 6)")
    p.add_argument("--seed", type=int, default=0, help="seed of the labels-needed range (default 0)")
    p.set_defaults(func=cmd_ml_check)

    p = sub.add_parser("demo", help="score, compare and report on the shipped example portfolio")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except MlpmError as exc:
        print(f"mlpm: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("mlpm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
