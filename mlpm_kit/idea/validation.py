"""Validating an idea's data: every problem as (dotted field path, message), with the folder's
defaults and the file's currency.

`validate_idea` turns parsed YAML (or a spreadsheet row) into an `Idea`, or raises one
`IdeaFileError` listing every problem; `build_idea` is the same check for callers that
want pydantic's errors (the workshop form).
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from mlpm_kit.errors import IdeaFileError
from mlpm_kit.idea.currency import check_code
from mlpm_kit.idea.defaults import DEFAULTABLE, DEFAULTS_FILE, NONE, FolderDefaults, apply_defaults
from mlpm_kit.idea.fields import PROBLEMS
from mlpm_kit.idea.schema import Idea, section_model


def dotted(loc: tuple) -> str:
    """('alternatives', 0, 'captures') -> 'alternatives[0].captures'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_of(error: dict) -> list[tuple[str, str]]:
    """Every (dotted field, message) problem of one validation error (a validator of a whole
    section, such as `outcome:`, reports several at once)."""
    if error["type"] == PROBLEMS:
        where = dotted(tuple(error["loc"]))
        return [
            (f"{where}.{path}" if where else path, message)
            for path, message in error["ctx"]["problems"]
        ]
    return [problem_of(error)]


def problem_of(error: dict) -> tuple[str, str]:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == PROBLEMS:
        return problems_of(error)[0]
    if kind == "extra_forbidden":
        parent, key = loc[:-1], str(loc[-1])
        model = section_model(parent)
        valid = list(model.model_fields) if model else []
        close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else f"valid keys here: {', '.join(valid)}."
        return dotted(loc), f"unknown key '{key}'; {hint}"
    if kind == "missing":
        if dotted(loc) in DEFAULTABLE:
            return dotted(loc), (
                f"is required; add it here, or to a {DEFAULTS_FILE} in this folder or a parent "
                "(shared by every idea below it)."
            )
        return dotted(loc), "is required; add it (templates/idea.yaml shows every field)."
    message = error["msg"].removeprefix("Value error, ")
    if kind == "literal_error":
        message = f"{error['input']!r} is not allowed; {message[0].lower()}{message[1:]}."
    elif kind in ("model_type", "dict_type"):
        message = f"should be a section of keys, got {error['input']!r}."
    elif kind == "list_type":
        message = f"should be a list (lines starting with '- '), got {error['input']!r}."
    return dotted(loc), message


def build_idea(data: dict, defaults: FolderDefaults = NONE) -> Idea:
    """Validate `data` (an idea file's keys) with the folder's defaults; raises ValidationError.

    Amounts written with a currency (`€90k`) are checked against the file's currency, or
    set it when the file and its folders name none. Values filled in from an mlpm.yaml (and
    a currency set by the notation) are not marked as set, so saving never writes them.
    """
    full, filled, created = apply_defaults(data, defaults)
    try:
        currency = check_code(full["currency"]) if full.get("currency") is not None else None
    except ValueError:
        currency = None
    context: dict[str, Any] = {"currency": currency}
    if "currency" in filled:
        context["from"] = defaults.sources["currency"]
    idea = Idea.model_validate(full, context=context)
    if idea.currency is None and context["currency"] is not None:
        idea.currency = context["currency"]
        idea.model_fields_set.discard("currency")
    for path in filled:
        section, _, name = path.rpartition(".")
        (getattr(idea, section) if section else idea).model_fields_set.discard(name or path)
    idea.model_fields_set.difference_update(created)
    idea._defaults, idea._filled = defaults, filled
    return idea


def validate_idea(
    data: Any, name: str, default_id: str | None = None, defaults: FolderDefaults = NONE
) -> Idea:
    """Validate parsed YAML into an `Idea`, or raise `IdeaFileError` listing every problem."""
    if data is None:
        raise IdeaFileError(
            name, [(None, 'the file is empty; start from templates/idea.yaml (mlpm new "Title").')]
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        raise IdeaFileError(
            name,
            [
                (
                    None,
                    f"the file holds {kind}; an idea file is a set of keys (title:, pain:, cost: ...).",
                )
            ],
        )
    try:
        idea = build_idea(data, defaults)
    except ValidationError as exc:
        # A misspelled key also makes the real one "missing": report the typo, not both.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        pairs = [(problem, e) for e in errors for problem in problems_of(e)]
        problems = [problem for problem, _ in pairs]
        meant = {
            where.rpartition(".")[0] + "." + message.split("did you mean '")[1].split("'")[0]
            for where, message in problems
            if "did you mean '" in message
        }
        problems = [
            (where, message)
            for (where, message), e in pairs
            if not (
                e["type"] == "missing" and ("." + where if "." not in where else where) in meant
            )
        ]
        raise IdeaFileError(name, problems) from None
    if idea.id is None and default_id is not None:
        idea.id = default_id
        idea.model_fields_set.discard("id")  # derived, so saving does not write it into the file
    return idea
