"""The `ml:` section of an idea file (DESIGN section 8): metric, data, compliance, monitoring, explainability.

Every block is a `schema.Section` (unknown keys are errors with a "did you mean"), and
every field carries its label, unit and help like the rest of the idea schema. Numbers a
person may be unsure of (costs, volumes, the base rate) take a 90% range; the pilot curve
and segment shares are measurements and take plain numbers.

An absent `ml:` (or `ml: {}`) means the idea has no ML section: see `has_ml`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import PlainSerializer, PlainValidator, model_validator

from mlpm_kit.idea.estimates import Estimate, EstimateError, format_number, parse_estimate
from mlpm_kit.idea.fields import (
    NUMBER,
    SHARE,
    Amount,
    Flag,
    Money,
    Section,
    Text,
    WholeNumber,
    field,
)

TASKS = ("binary_classification", "multiclass", "ranking", "regression", "forecasting")
METRICS = ("precision", "recall", "f_beta", "expected_cost")
LAWFUL_BASES = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interest",
    "none",
)


def _open_share(value: object) -> Estimate:
    """A share strictly inside (0, 1), as a number or a 90% range."""
    try:
        est = parse_estimate(value, share=True)
    except EstimateError as exc:
        raise ValueError(str(exc)) from None
    if est.low <= 0 or est.high >= 1:
        raise ValueError(
            f"{est} is not strictly between 0 and 1; the base rate is the share of positives "
            "among the decisions (write 3% as 0.03), and a model needs both classes."
        )
    return est


def _positive(value: object) -> Estimate:
    """A number or range above 0 (a period that divides)."""
    try:
        est = parse_estimate(value)
    except EstimateError as exc:
        raise ValueError(str(exc)) from None
    if est.low <= 0:
        raise ValueError(f"{est} must be above 0; give the number of weeks between retrainings.")
    return est


def _unit_number(value: object) -> float:
    """One number in [0, 1] (a measured metric or share): 0.3 or 30%."""
    try:
        est = parse_estimate(value, share=True)
    except EstimateError as exc:
        raise ValueError(str(exc)) from None
    if est.is_range:
        raise ValueError(f"{est} is a range; give one measured share, such as 0.3 or 30%.")
    if not 0 <= est.low <= 1:
        raise ValueError(f"{est} is outside 0-1; give a share between 0 and 1, such as 0.3 or 30%.")
    return est.low


def _pilot_curve(value: object) -> list[tuple[float, float]]:
    """A list of [labels, metric] pairs: labels > 0, metric in [0, 1]."""
    example = "for example [[500, 0.81], [1000, 0.86], [2000, 0.89]]"
    if not isinstance(value, list | tuple):
        raise ValueError(
            f"{value!r} is not a list of [labels, metric] pairs; write it as {example}."
        )
    points = []
    for i, pair in enumerate(value):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(
                f"point {i + 1} ({pair!r}) is not a [labels, metric] pair; write {example}."
            )
        n, m = pair
        if isinstance(n, bool) or not isinstance(n, int | float) or not n > 0:
            raise ValueError(
                f"point {i + 1} has labels {n!r}; the number of labels must be above 0."
            )
        if isinstance(m, bool) or not isinstance(m, int | float) or not 0 <= m <= 1:
            raise ValueError(
                f"point {i + 1} has metric {m!r}; the metric must lie between 0 and 1 (0.86, not 86)."
            )
        points.append((float(n), float(m)))
    labels = [n for n, _ in points]
    if len(set(labels)) != len(labels):
        raise ValueError(
            "two points have the same number of labels; keep one measurement per size."
        )
    return sorted(points)


def _curve_to_yaml(points: list[tuple[float, float]]) -> list[list[float | int]]:
    return [[int(n) if float(n).is_integer() else n, m] for n, m in points]


_TO_YAML = PlainSerializer(lambda e: e.to_yaml())
OpenShare = Annotated[Estimate, PlainValidator(_open_share), _TO_YAML, SHARE]
Positive = Annotated[Estimate, PlainValidator(_positive), _TO_YAML, NUMBER]
UnitNumber = Annotated[float, PlainValidator(_unit_number)]
PilotCurve = Annotated[
    list[tuple[float, float]], PlainValidator(_pilot_curve), PlainSerializer(_curve_to_yaml)
]


class MlTarget(Section):
    metric: Literal["precision", "recall", "f_beta", "expected_cost"] = field(
        ..., "Target metric", help="precision, recall, f_beta or expected_cost."
    )
    value: float = field(
        ...,
        "Target value",
        "0-1 (money/year for expected_cost)",
        "The level the model must reach before launch; the pilot curve measures the same metric.",
    )
    beta: float | None = field(
        None, "Beta", help="For f_beta: recall counts beta times as much as precision.", gt=0
    )

    @model_validator(mode="after")
    def _check_value(self) -> MlTarget:
        if self.metric == "expected_cost":
            if self.value < 0:
                raise ValueError(
                    f"value {format_number(self.value)} is negative; an expected cost is 0 or more."
                )
        elif not 0 < self.value <= 1:
            raise ValueError(
                f"value {format_number(self.value)} is outside (0, 1]; a {self.metric} target is a share "
                "(write 95% as 0.95)."
            )
        return self


class MlData(Section):
    labels_now: WholeNumber = field(0, "Labels now", "labels", "Labeled examples available today.")
    cost_per_label: Money = field(0.0, "Cost per label", "money/label", "Cost of one more label. ")
    purchase_cost: Money = field(
        0.0, "Data purchase cost", "money", "One-time: bought data sets, licences."
    )
    pilot_curve: PilotCurve = field(
        [],
        "Pilot learning curve",
        "[labels, metric] pairs",
        "The target metric measured at a few training-set sizes in a pilot; three or more points.",
    )


class MlSegment(Section):
    name: Text = field(
        ..., "Segment", help="A group of the population, e.g. an age band or a region."
    )
    sample_share: UnitNumber = field(..., "Share of the training sample", "share 0-1")
    population_share: UnitNumber = field(..., "Share of the population served", "share 0-1")


class MlCompliance(Section):
    personal_data: Flag = field(
        False, "Personal data", help="Does the data identify or relate to people?"
    )
    lawful_basis: Literal[LAWFUL_BASES] | None = field(  # type: ignore[valid-type]
        None, "Lawful basis (GDPR)", help=", ".join(LAWFUL_BASES) + "."
    )
    dpia_done: Flag = field(False, "DPIA done", help="Data protection impact assessment completed?")
    sensitive_attributes: list[Text] = field(
        [],
        "Sensitive attributes",
        help="Attributes such as age, gender or ethnicity the model may use or proxy.",
    )
    fairness_check_done: Flag = field(
        False,
        "Fairness check done",
        help="Error rates compared across the sensitive attributes' groups?",
    )
    segments: list[MlSegment] = field(
        [], "Segments", help="Training sample vs the population the product serves, per segment."
    )


class MlMonitoring(Section):
    retrain_every_weeks: Positive | None = field(
        None, "Retrain every", "weeks", "Weeks between retrainings. "
    )
    retrain_weeks: Amount = field(0.0, "Effort per retraining", "engineer-weeks")
    watch: list[Text] = field(
        [], "What is watched", help="Drift and quality signals monitored after launch."
    )


class MlExplainability(Section):
    inline_explanation: Text = field(
        "", "Inline explanation", help="The explanation customers see next to a prediction."
    )
    documented_use_cases: Flag = field(
        False,
        "Documented use cases",
        help="Are the cases it is meant for (and not meant for) documented?",
    )


class MlSection(Section):
    """The `ml:` block of an idea file."""

    task: Literal[TASKS] | None = field(None, "ML task", help=", ".join(TASKS) + ".")  # type: ignore[valid-type]
    positive_class: Text = field(
        "", "Positive class", help="What a positive prediction means, e.g. spam."
    )
    decisions_per_year: Amount | None = field(
        None,
        "Decisions per year",
        "predictions/year",
        "Predictions the product makes a year.",
    )
    base_rate: OpenShare | None = field(
        None,
        "Base rate",
        "share 0-1",
        "Share of positives among the decisions, strictly between 0 and 1.",
    )
    false_positive_cost: Money | None = field(
        None,
        "Cost of a false positive",
        "money",
        "Cost of acting on a wrong positive.",
    )
    false_negative_cost: Money | None = field(
        None,
        "Cost of a false negative",
        "money",
        "Cost of missing a real positive.",
    )
    target: MlTarget | None = field(None, "Target", help="Optional: the metric and level to reach.")
    data: MlData | None = field(None, "Data")
    compliance: MlCompliance | None = field(None, "Bias and compliance")
    monitoring: MlMonitoring | None = field(None, "Monitoring")
    explainability: MlExplainability | None = field(None, "Explainability")


def has_ml(ml: MlSection) -> bool:
    """True when the idea file gave an `ml:` section with at least one key."""
    return bool(ml.model_fields_set)
