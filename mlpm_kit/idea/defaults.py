"""Folder defaults: `mlpm.yaml` files that set the numbers an organisation's ideas share.

A file `mlpm.yaml` in an idea's folder or any parent folder may set `currency`,
`cost.team_size`, `cost.team_week_cost`, `value.hourly_cost`, `value.weeks_per_year`,
`timeline.*`, `opportunity.value_per_engineer_week`, and `fx` (rates into the folder's
currency, for portfolios that mix currencies), in the idea file's own shape:

    currency: USD
    cost: {team_size: 2, team_week_cost: 4000}
    fx: {EUR: 1.08, CNY: 0.14}

The idea file wins over any `mlpm.yaml`; among them, the nearest folder wins.
`value_sources(idea)` says where each of these values came from: `idea`, the path of the
`mlpm.yaml`, or `default` (the kit's).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from mlpm_kit.errors import IdeaFileError, InputError
from mlpm_kit.idea.currency import check_code
from mlpm_kit.idea.estimates import EstimateError, parse_estimate
from mlpm_kit.idea.schema import Idea

DEFAULTS_FILE = "mlpm.yaml"
# Dotted paths an mlpm.yaml may set (besides fx), in the idea file's order.
DEFAULTABLE = (
    "currency",
    "value.hourly_cost",
    "value.weeks_per_year",
    "cost.team_size",
    "cost.team_week_cost",
    "timeline.horizon_years",
    "timeline.discount_rate",
    "opportunity.value_per_engineer_week",
)
IDEA, DEFAULT = "idea", "default"


@dataclass(frozen=True)
class FolderDefaults:
    """What the mlpm.yaml files above a folder set: values and fx rates, with their files."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    fx: dict[str, float] = field(default_factory=dict)
    fx_source: str | None = None

    @property
    def currency(self) -> str | None:
        """The folder's currency: what its ideas are in by default, and what fx converts into."""
        return self.values.get("currency")


NONE = FolderDefaults()


def shown_path(path: Path) -> str:
    """A path as people read it: relative to the current folder when it lies inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _field_adapter(path: str) -> TypeAdapter:
    model: Any = Idea
    parts = path.split(".")
    for part in parts[:-1]:
        model = model.model_fields[part].annotation
    info = model.model_fields[parts[-1]]
    return TypeAdapter(info.annotation if not info.metadata else _annotated(info))


def _annotated(info: Any) -> Any:
    return Annotated[(info.annotation, *info.metadata)]


def check_file(data: Any, name: str) -> tuple[dict[str, Any], dict[str, float]]:
    """(dotted path -> value, fx) of one mlpm.yaml, or an IdeaFileError listing every problem."""
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise IdeaFileError(name, [(None, "should be a set of keys (currency:, cost:, fx: ...).")])
    problems: list[tuple[str | None, str]] = []
    values: dict[str, Any] = {}
    sections = sorted({p.split(".")[0] for p in DEFAULTABLE} | {"fx"})
    for key, value in data.items():
        key = str(key)
        if key == "currency":
            try:
                values["currency"] = check_code(value)
            except ValueError as exc:
                problems.append(("currency", str(exc)))
            continue
        if key == "fx":
            continue
        allowed = [p.split(".", 1)[1] for p in DEFAULTABLE if p.startswith(key + ".")]
        if not allowed:
            close = difflib.get_close_matches(key, sections, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else f"valid keys: {', '.join(sections)}."
            problems.append((key, f"unknown key '{key}' in {DEFAULTS_FILE}; {hint}"))
            continue
        if not isinstance(value, dict):
            problems.append((key, f"should be a section of keys, got {value!r}."))
            continue
        for sub, sub_value in value.items():
            path = f"{key}.{sub}"
            if str(sub) not in allowed:
                problems.append(
                    (path, f"{DEFAULTS_FILE} may set {', '.join(allowed)} here, not '{sub}'.")
                )
                continue
            try:
                _field_adapter(path).validate_python(sub_value)
            except ValidationError as exc:
                problems.append((path, exc.errors()[0]["msg"].removeprefix("Value error, ")))
                continue
            values[path] = sub_value
    fx = _check_fx(data.get("fx"), problems)
    if problems:
        raise IdeaFileError(name, problems)
    return values, fx


def _check_fx(raw: Any, problems: list) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(("fx", "should map currency codes to rates, for example fx: {EUR: 1.08}."))
        return {}
    fx: dict[str, float] = {}
    for code, rate in raw.items():
        try:
            key = check_code(code)
            number = parse_estimate(rate)
        except (ValueError, EstimateError) as exc:
            problems.append((f"fx.{code}", str(exc)))
            continue
        if number.is_range or not number.low > 0:
            problems.append(
                (f"fx.{code}", f"{rate!r} is not a rate above 0; write one number, such as 1.08.")
            )
            continue
        fx[key] = number.low
    return fx


def merge_chain(files: list[tuple[str, dict[str, Any], dict[str, float]]]) -> FolderDefaults:
    """Merge (name, values, fx) of mlpm.yaml files given farthest first: nearer files win."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    fx: dict[str, float] = {}
    fx_source = None
    for name, file_values, file_fx in files:
        values.update(file_values)
        sources.update(dict.fromkeys(file_values, name))
        fx.update(file_fx)
        fx_source = name if file_fx else fx_source
    return FolderDefaults(values, sources, fx, fx_source)


def apply_defaults(data: dict, defaults: FolderDefaults) -> tuple[dict, set[str], set[str]]:
    """`data` with the folder's values where the idea file sets none.

    Returns (the new data, the dotted paths filled in, the sections created for them).
    """
    out = dict(data)
    filled: set[str] = set()
    created: set[str] = set()
    for path, value in defaults.values.items():
        if "." not in path:
            if out.get(path) is None:
                out[path] = value
                filled.add(path)
            continue
        section, name = path.split(".")
        block = out.get(section)
        if block is None:
            created.add(section)
            block = {}
        if not isinstance(block, dict):
            continue  # the file's own error (not a section) is reported by validation
        if name not in block:
            out[section] = {**block, name: value}
            filled.add(path)
    return out, filled, created


def value_sources(idea: Idea) -> dict[str, str]:
    """Where each value an mlpm.yaml may set came from: `idea`, an mlpm.yaml path or `default`."""
    defaults: FolderDefaults = getattr(idea, "_defaults", None) or NONE
    filled: set[str] = getattr(idea, "_filled", None) or set()
    out: dict[str, str] = {}
    for path in DEFAULTABLE:
        if path in filled:
            out[path] = defaults.sources[path]
        elif "." not in path:
            out[path] = IDEA if getattr(idea, path) is not None else DEFAULT
        else:
            section, name = path.split(".")
            block = getattr(idea, section)
            out[path] = IDEA if name in block.model_fields_set else DEFAULT
    return out


def portfolio_currency(ideas: list[Idea]) -> tuple[str | None, list[float]]:
    """The currency a portfolio's amounts are compared in, and each idea's rate into it.

    Ideas in one currency (or naming none) need no conversion. Ideas in several currencies
    are converted with the `fx` rates of their mlpm.yaml into its `currency`; without
    rates for every currency this is an InputError naming the ideas of each currency.
    """
    named = {idea.currency for idea in ideas} - {None}
    if len(named) <= 1:
        return (next(iter(named)) if named else None), [1.0] * len(ideas)
    contexts = [getattr(idea, "_defaults", None) or NONE for idea in ideas]
    targets = {d.currency for d in contexts if d.fx and d.currency}
    by_currency: dict[str, list[str]] = {}
    for idea in ideas:
        by_currency.setdefault(idea.currency or "?", []).append(idea.id or "?")
    mix = "; ".join(f"{code}: {', '.join(ids)}" for code, ids in sorted(by_currency.items()))
    if len(targets) != 1:
        more = (
            f" The mlpm.yaml files convert into different currencies ({', '.join(sorted(targets))}); use one."
            if targets
            else ""
        )
        raise InputError(
            f"the portfolio mixes currencies ({mix}); add fx rates into one currency to an "
            f"mlpm.yaml above the ideas, for example currency: USD and fx: {{EUR: 1.08}}.{more}"
        )
    target = targets.pop()
    rates: list[float] = []
    missing: dict[str, list[str]] = {}
    for idea, context in zip(ideas, contexts, strict=True):
        code = idea.currency or target
        rate = 1.0 if code == target else context.fx.get(code)
        if rate is None:
            missing.setdefault(code, []).append(idea.id or "?")
            rate = float("nan")
        rates.append(rate)
    if missing:
        lack = "; ".join(f"{code} ({', '.join(ids)})" for code, ids in sorted(missing.items()))
        raise InputError(
            f"the portfolio mixes currencies and the fx rates into {target} miss {lack}; add "
            f"them to fx: in the mlpm.yaml, for example fx: {{{sorted(missing)[0]}: 1.0}}."
        )
    return target, rates
