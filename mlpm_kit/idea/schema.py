"""The idea schema: every section and field of an idea file, its type, bounds, unit and help.

This is the one source of truth for the idea format (DESIGN section 3). Validation, the
workshop form, the CLI help and the report's field labels all read it: a field's `title`
is its label, `description` its help text, and `json_schema_extra["unit"]` its unit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, PlainValidator, PrivateAttr

from mlpm_kit.idea.fields import (
    WEEKS_PER_YEAR,
    Amount,
    Currency,
    Flag,
    Money,
    PainScore,
    Section,
    Share,
    Text,
    WholeNumber,
    _text,
    estimate_type,
    field,
)
from mlpm_kit.idea.ml_section import MlSection


class Problem(Section):
    what: Text = field("", "What", help="The customer problem, in the customer's words.")
    why: Text = field(
        "", "Why it matters", help="What it costs them: time, money, risk, satisfaction."
    )
    who: Text = field("", "Who", help="The people who have the problem; be specific.")


class Pain(Section):
    frequency: PainScore = field(
        ...,
        "Frequency",
        "1-5",
        "How often it hurts: 1 yearly, 2 monthly, 3 weekly, 4 daily, 5 many times a day.",
    )
    severity: PainScore = field(
        ...,
        "Severity",
        "1-5",
        "How much it hurts: 1 minor annoyance ... 5 blocks the job or costs real money.",
    )
    actively_seeking: Flag = field(
        False, "Actively seeking a fix", help="Have they already tried to solve it themselves?"
    )


class Alternative(Section):
    name: Text = field(..., "Name", help="What customers do today instead.")
    kind: Literal["manual", "competitor", "in-house", "do-nothing"] = field(
        "manual", "Kind", help="manual, competitor, in-house or do-nothing."
    )
    captures: Share = field(
        0.0,
        "Benefit already captured",
        "share 0-1",
        "Share of the benefit that customers already get from this alternative.",
    )
    cost_per_year: Money = field(
        0.0, "Cost per year", "money/year", "What customers spend on it today."
    )
    replaced: Flag = field(
        False, "Replaced by us", help="true if our product replaces it, so that cost is saved."
    )


class Value(Section):
    users: Amount = field(0.0, "Users", "people", "People who have the problem.")
    adoption: Share = field(0.0, "Adoption", "share 0-1", "Share of those users who will use it. ")
    hours_saved_per_user_week: Amount = field(
        0.0, "Hours saved per user per week", "hours/week", "Per adopting user. "
    )
    hourly_cost: Money = field(
        0.0, "Hourly cost", "money/hour", "Loaded cost of an hour of their time. "
    )
    weeks_per_year: Amount = field(
        46.0,
        "Working weeks per year",
        "weeks",
        "Weeks a year they work; default 46.",
        le=WEEKS_PER_YEAR,
    )
    money_saved_per_year: Money = field(
        0.0, "Other money saved per year", "money/year", "Other direct savings. "
    )
    revenue_per_year: Money = field(0.0, "New revenue per year", "money/year")


class Cost(Section):
    team_size: estimate_type(minimum=1.0) = field(
        2.0, "Team size", "engineers", "Engineers working on it at once; default 2."
    )
    team_week_cost: Money = field(
        ..., "Cost of an engineer-week", "money/engineer-week", "Loaded cost of one engineer-week."
    )
    mvp_weeks: Amount = field(
        ..., "Effort to MVP", "engineer-weeks", "Engineer-weeks to a usable MVP. "
    )
    build_weeks: Amount = field(
        0.0,
        "Effort from MVP to launch",
        "engineer-weeks",
        "Engineer-weeks after the MVP.",
    )
    iterations: WholeNumber = field(
        0, "Improvement rounds", "rounds", "Planned rounds after launch."
    )
    iteration_weeks: Amount = field(
        0.0,
        "Effort per round",
        "engineer-weeks",
        "Engineer-weeks per improvement round.",
    )
    data_cost: Money | None = field(
        None,
        "Data cost",
        "money",
        "One-time: labels, purchases, partnerships. Left empty, the ML section's estimate is used.",
    )
    run_cost_per_year: Money = field(
        0.0,
        "Running cost per year",
        "money/year",
        "Infrastructure, monitoring, retraining, support.",
    )


class Timeline(Section):
    horizon_years: estimate_type(minimum=0.0, maximum=50.0) = field(
        3.0, "Horizon", "years", "Years of value counted from today; default 3."
    )
    discount_rate: estimate_type(minimum=0.0, maximum=1.0) = field(
        0.10, "Discount rate", "per year", "Yearly discount rate; default 0.10."
    )


class Opportunity(Section):
    value_per_engineer_week: Money = field(
        0.0,
        "Value of the next-best work",
        "money/engineer-week",
        "What the team's next-best work returns per engineer-week; default 0.",
    )


class Evidence(Section):
    confidence: Share | None = field(
        None,
        "Confidence the problem is real",
        "probability 0-1",
        "Probability that the problem is real as stated; default 0.5, or set by the interview grade.",
    )
    interviews: list[Text] = field(
        [], "Interview notes", help="Paths of interview notes (Markdown), relative to this file."
    )


_ID = re.compile(r"^\w[\w.-]{0,99}$")


def _idea_id(value: object) -> str | None:
    if value is None:
        return None
    text = _text(value)
    if not _ID.match(text):
        raise ValueError(
            f"{text!r} is not a valid id: use letters, digits, '-', '_' or '.', up to 100 characters."
        )
    return text


class Idea(Section):
    """One candidate ML idea, as in an idea file."""

    # The file it was loaded from: relative paths (interview notes) resolve against it.
    _source: Path | None = PrivateAttr(None)
    # The folder defaults (mlpm.yaml) it was validated with, and the dotted paths they filled in.
    _defaults: Any = PrivateAttr(None)
    _filled: set[str] = PrivateAttr(default_factory=set)

    id: Annotated[str | None, PlainValidator(_idea_id)] = field(
        None, "Id", help="Short name; defaults to the file name without .yaml."
    )
    title: Text = field(..., "Title", help="A one-line name for the idea.")
    owner: Text = field("", "Owner", help="Who drives it.")
    status: Literal["discovery", "validating", "mvp", "launched", "parked"] = field(
        "discovery", "Status", help="discovery, validating, mvp, launched or parked."
    )
    currency: Currency = field(
        None,
        "Currency",
        help="ISO 4217 code (EUR, USD, CNY) of every amount in the file; default: the folder's mlpm.yaml.",
    )
    tags: list[Text] = field([], "Tags")
    problem: Problem = field(Problem(), "Problem")
    pain: Pain = field(..., "Pain")
    alternatives: list[Alternative] = field(
        [], "Alternatives", help="What customers do today instead."
    )
    value: Value = field(Value(), "Value per year")
    cost: Cost = field(..., "Cost")
    timeline: Timeline = field(Timeline(), "Timeline")
    opportunity: Opportunity = field(Opportunity(), "Opportunity cost")
    evidence: Evidence = field(Evidence(), "Evidence")
    ml: MlSection = field(
        MlSection(),
        "ML readiness",
        help="Metric, data, compliance, monitoring, explainability (optional).",
    )


def section_model(path: tuple) -> type[BaseModel] | None:
    """The model class at a location path such as ('alternatives', 0) or ('value',)."""
    model: Any = Idea
    for part in path:
        if isinstance(part, int):
            continue
        if (
            not (isinstance(model, type) and issubclass(model, BaseModel))
            or part not in model.model_fields
        ):
            return None
        model = _model_of(model.model_fields[part].annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _model_of(annotation: Any) -> Any:
    """Unwrap list[X], X | None and Annotated[X, ...] to X."""
    for arg in getattr(annotation, "__args__", ()) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return annotation
