"""The `mlpm` command line: one entry point, one subcommand per job.

Every input error becomes one line on stderr and exit status 2, never a traceback.
Arguments are parsed before anything heavy is imported, and each command imports only what
it needs (pandas, the model, the Jupyter stack, matplotlib), so `mlpm --help` starts at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlpm_kit.errors import InputError, MlpmError
from mlpm_kit.resources import kit_path

if TYPE_CHECKING:
    import pandas as pd

EXAMPLES = kit_path("examples")
EXIT_INPUT = 2
DEMO_DRAWS = 2000
# Fields `mlpm score --draws` adds to each idea (DESIGN section 6), besides the simulation's
# headline columns and `evpi`.
PERCENTILE_COLUMNS = (
    "expected_value_p10",
    "expected_value_p50",
    "expected_value_p90",
    "evpi_total",
    "validate_next",
)


def _print_errors(errors: Sequence[MlpmError]) -> None:
    for exc in errors:
        print(f"mlpm: error: {exc}", file=sys.stderr)


def score_table_text(table: pd.DataFrame) -> str:
    """The ranked table people read in a terminal."""
    import pandas as pd

    from mlpm_kit.idea.formatting import money, number, share, shorten, terminal_table

    if table.empty:
        return "No ideas to score."
    shown = pd.DataFrame(
        {
            "#": table["rank"],
            "id": table["id"],
            "title": [shorten(t, 38) for t in table["title"]],
            "expected value": table["expected_value"].map(money),
            "npv": table["npv"].map(money),
            "effort wk": table["effort_weeks"].map(number),
            "one-time": table["one_time_cost"].map(money),
            "payback mo": table["payback_months"].map(
                lambda x: number(round(x)) if x == x else "never"
            ),
            "confidence": table["confidence"].map(share),
            "pain": table["pain_score"].map(number),
            "RICE": table["rice"].map(lambda x: number(round(x, 1))),
        }
    )
    return terminal_table(shown)


def _whole_number(text: str | None, name: str) -> int | None:
    if text is None:
        return None
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise InputError(
            f"--{name} must be a whole number, got {text!r}; for example --{name} 10000."
        ) from None


def uncertainty_table_text(table: pd.DataFrame) -> str:
    """The ranked table with the simulation's npv percentiles and P(loss)."""
    import pandas as pd

    from mlpm_kit.idea.formatting import money, number, share, terminal_table

    if table.empty:
        return "No ideas to score."
    shown = pd.DataFrame(
        {
            "#": table["rank"],
            "id": table["id"],
            "expected value": table["expected_value"].map(money),
            "E[exp. value]": table["expected_value_mean"].map(money),
            "npv p10": table["npv_p10"].map(money),
            "npv p50": table["npv_p50"].map(money),
            "npv p90": table["npv_p90"].map(money),
            "P(loss)": table["p_loss"].map(share),
            "EVPI": table["evpi_total"].map(money),
            "effort wk": table["effort_weeks"].map(number),
            "confidence": table["confidence"].map(share),
        }
    )
    return terminal_table(shown)


def validate_next_text(table: pd.DataFrame, evpi: pd.DataFrame, sensitivity: pd.DataFrame) -> str:
    """Per idea, the top 3 inputs to validate with the value of knowing each, and how."""
    from mlpm_kit.idea.formatting import money

    lines = ["Validate next (value of perfectly knowing the input before the go / no-go decision):"]
    for idea_id in table["id"]:
        rows = evpi[(evpi["id"] == idea_id) & (evpi["evppi"] > 0)].head(3)
        if rows.empty:
            swing = sensitivity[sensitivity["id"] == idea_id].head(1)
            total = float(table.loc[table["id"] == idea_id, "evpi_total"].iloc[0])
            reason = (
                f"no single input changes the decision on its own (all of them together: {money(total)})"
                if total > 0
                else "the decision is the same whatever the inputs turn out to be"
            )
            biggest = (
                f"; biggest swing: {swing['label'].iloc[0]} ({money(swing['swing'].iloc[0])})"
                if len(swing)
                else ""
            )
            lines.append(f"  {idea_id}: {reason}{biggest}.")
            continue
        lines.append(f"  {idea_id}:")
        for _, row in rows.iterrows():
            lines.append(
                f"    {row['rank']}. {row['label']} ({row['input']}): {money(row['evppi'])}. {row['suggestion']}"
            )
    return "\n".join(lines)


def with_uncertainty(
    table: pd.DataFrame, ideas: list, draws: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The score table joined with the simulation's summary; plus the EVPPI and tornado tables."""
    from mlpm_kit.model.simulate import simulate

    sim = simulate(ideas, draws=draws, seed=seed)
    summary = sim.summary()
    summary["evpi_total"] = sim.evpi_total().to_numpy()
    evpi = sim.evpi()
    top = evpi[(evpi["rank"] <= 3) & (evpi["evppi"] > 0)].groupby("id")["input"].agg(";".join)
    summary["validate_next"] = summary["id"].map(top).fillna("")
    summary["seed"], summary["draws"] = seed, draws
    return table.merge(summary, on="id", how="left", validate="one_to_one"), evpi, sim.sensitivity()


def cmd_score(args: argparse.Namespace) -> int:
    from mlpm_kit.idea.folders import load_ideas
    from mlpm_kit.model.scoring import SCORE_COLUMNS, records, score
    from mlpm_kit.model.simulate import HEADLINE_COLUMNS, check_draws

    draws, seed = _whole_number(args.draws, "draws"), _whole_number(args.seed, "seed")
    if draws is None and seed is not None:
        raise InputError("--seed needs --draws: add --draws 10000 to simulate.")
    if draws is not None:
        check_draws(draws)
    ideas, errors = load_ideas(args.paths)
    table = score(ideas)
    columns = list(SCORE_COLUMNS) + ["confidence_source"]
    evpi = sensitivity = None
    if draws is not None and len(table):
        seed = 0 if seed is None else seed
        table, evpi, sensitivity = with_uncertainty(table, ideas, draws, seed)
        columns += [*HEADLINE_COLUMNS, *PERCENTILE_COLUMNS, "seed", "draws"]
    if args.json:
        rows = records(table[columns])
        if evpi is not None:
            for row in rows:
                mine = evpi[evpi["id"] == row["id"]]
                row["evpi"] = {
                    path: float(v) for path, v in zip(mine["input"], mine["evppi"], strict=True)
                }
                row.pop("validate_next", None)
                row["validate_next"] = records(
                    mine[(mine["rank"] <= 3) & (mine["evppi"] > 0)][
                        ["input", "label", "evppi", "suggestion"]
                    ]
                )
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif args.csv:
        sys.stdout.write(table.to_csv(index=False))
    elif evpi is not None:
        print(uncertainty_table_text(table))
        print(
            f"\n{draws:,} draws, seed {seed}. npv p10 / p50 / p90: 80% of outcomes fall between p10 and p90."
        )
        print(
            "P(loss) = chance that npv < 0. EVPI = what perfectly knowing every input is worth.\n"
        )
        print(validate_next_text(table, evpi, sensitivity))
    else:
        print(score_table_text(table))
        if len(table):
            print(
                "\nRanked by expected value = confidence x (npv - opportunity cost) - (1 - confidence) x failure cost."
            )
            print(
                "Money is per the idea files' currency; effort in engineer-weeks. `mlpm score --json` has every field."
            )
    _print_errors(errors)
    return EXIT_INPUT if errors else 0


def cmd_new(args: argparse.Namespace) -> int:
    from mlpm_kit.idea.files import new_idea

    if not args.title.strip():
        raise InputError(
            'the title is empty; give the idea a name, for example mlpm new "Auto-triage of tickets".'
        )
    path = new_idea(args.title, args.dir)
    print(path)
    return 0


def report_folder(folder: Path, fmt: str, out_dir: Path, draws: int | None, seed: int) -> int:
    """One report per idea of `folder`, in parallel; print the files written and what failed."""
    from mlpm_kit.idea.folders import idea_files
    from mlpm_kit.report.render import render_reports

    files = idea_files([folder])
    results = render_reports(files, fmt, out_dir, draws=draws, seed=seed)
    for result in results:
        if result.output:
            print(result.output)
    failed = [r for r in results if r.error]
    written = len(results) - len(failed)
    print(f"{written} of {len(results)} reports written to {out_dir}.", file=sys.stderr)
    if failed:
        print(f"{len(failed)} failed:", file=sys.stderr)
        _print_errors([MlpmError(r.error) for r in failed])
    return EXIT_INPUT if failed else 0


def cmd_report(args: argparse.Namespace) -> int:
    from mlpm_kit.report.render import render_report

    path, out_dir = Path(args.path), Path(args.out)
    if path.is_dir() and not args.portfolio:
        return report_folder(path, args.format, out_dir, args.draws, args.seed)
    print(
        render_report(
            path,
            args.format,
            out_dir,
            portfolio=args.portfolio,
            draws=args.draws,
            seed=args.seed,
            capacity_weeks=args.capacity_weeks,
            budget=args.budget,
        )
    )
    return 0


def _requires(pairs: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for pair in pairs:
        needer, sep, needed = pair.partition(":")
        if not sep or not needer.strip() or not needed.strip():
            raise InputError(
                f"--requires {pair!r}: write B:A for 'B needs A', for example --requires search-ranking:ticket-triage."
            )
        out.setdefault(needer.strip(), []).append(needed.strip())
    return out


def cmd_compare(args: argparse.Namespace) -> int:
    from mlpm_kit.idea.folders import load_portfolio
    from mlpm_kit.idea.sheets import save_portfolio
    from mlpm_kit.portfolio.selection import best_portfolio
    from mlpm_kit.report.portfolio_table import selection_text

    ideas = load_portfolio(args.path)
    selection = best_portfolio(
        ideas,
        args.capacity_weeks,
        budget=args.budget,
        draws=args.draws,
        seed=args.seed,
        must_include=args.include,
        must_exclude=args.exclude,
        requires=_requires(args.requires),
    )
    if args.out:
        save_portfolio(ideas, args.out, selection.table)
    if args.json:
        print(json.dumps(selection.to_json(), indent=2, ensure_ascii=False))
    else:
        print(selection_text(selection))
        if args.out:
            print(f"\nWrote the portfolio with the results to {args.out}")
    return 0


def cmd_check_notes(args: argparse.Namespace) -> int:
    from mlpm_kit.interviews.notes import check_notes
    from mlpm_kit.report.notes_view import notes_report_text

    report = check_notes(args.paths, rules_dir=args.rules, model=args.model)
    print(report.to_json() if args.json else notes_report_text(report))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from mlpm_kit.idea.folders import load_ideas
    from mlpm_kit.model.scoring import score
    from mlpm_kit.portfolio.selection import best_portfolio
    from mlpm_kit.report.portfolio_table import selection_text
    from mlpm_kit.report.render import render_report

    ideas_dir = EXAMPLES / "ideas"
    print(f"Scoring the example portfolio in {ideas_dir}\n")
    ideas, errors = load_ideas([ideas_dir])
    print(score_table_text(score(ideas)))
    _print_errors(errors)
    if errors:
        return EXIT_INPUT
    capacity = 60
    print(
        f"\nComparing: the best set for {capacity} engineer-weeks (mlpm compare {ideas_dir} --capacity-weeks {capacity})\n"
    )
    print(selection_text(best_portfolio(ideas, capacity)))
    out_dir = Path("out")
    print(f"\nWriting one PDF report per example idea, and the portfolio's, to {out_dir}/")
    status = report_folder(ideas_dir, "pdf", out_dir, DEMO_DRAWS, 0)
    print(render_report(ideas_dir, "pdf", out_dir, portfolio=True, capacity_weeks=capacity))
    return EXIT_INPUT if status else 0


def cmd_workshop(args: argparse.Namespace) -> int:
    from mlpm_kit.workshop.server import serve

    return serve(args.idea, port=args.port, draws=args.draws, seed=args.seed)


def cmd_ml_check(args: argparse.Namespace) -> int:
    from mlpm_kit.idea.files import load_idea
    from mlpm_kit.ml.readiness import ml_check, ml_check_text

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
    p.set_defaults(func=cmd_score)

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
        help="simulation draws (default: 10000 per idea; the portfolio notebook's own)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument(
        "--capacity-weeks",
        type=float,
        metavar="W",
        help="with --portfolio: engineer-weeks available",
    )
    p.add_argument("--budget", type=float, metavar="B", help="with --portfolio: one-time budget")
    p.set_defaults(func=cmd_report)

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
    p.set_defaults(func=cmd_workshop)

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
    p.set_defaults(func=cmd_compare)

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
    p.set_defaults(func=cmd_check_notes)

    p = sub.add_parser(
        "ml-check", help="ML readiness of an idea: metric, labels needed, data cost, open risks"
    )
    p.add_argument("path", metavar="IDEA.yaml", help="an idea file with an ml: section")
    p.add_argument("--json", action="store_true", help="print a JSON object (DESIGN section 6)")
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the labels-needed range (default 0)"
    )
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
