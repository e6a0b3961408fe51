"""Group estimates in a workshop (DESIGN section 10): everyone's 90% ranges, pooled, kept on disk.

A `GroupSession` belongs to one idea file. The facilitator picks the inputs to estimate
(by default the `DEFAULT_PICKS` with the largest swing of the expected value); each
participant submits a 90% range per input, anonymously, validated exactly as the idea
file would validate it. The pooled range is the 5th and 95th percentile of the equal-weight
mixture of the participants' distributions (each range's distribution is the one
`mlpm_kit.idea.estimates` gives it, so a share stays in [0, 1] and a count stays positive).
A range is far from the others when its median lies outside the pooled range of everyone
else. "Adopt" writes the pooled range into the idea with a comment (participants, date).
Every range is kept in `IDEA.estimates.yaml`, written atomically under the folder lock on
every submission, and read back on start: a restart loses nothing.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from mlpm_kit.errors import InputError, SaveConflict
from mlpm_kit.idea.atomic import atomic_write
from mlpm_kit.idea.disk import fingerprint, locked
from mlpm_kit.idea.estimates import Estimate, format_number
from mlpm_kit.idea.files import (
    comment_of,
    load_idea,
    parse_yaml,
    read_yaml_text,
    write_idea,
)
from mlpm_kit.idea.folders import ESTIMATES_SUFFIX
from mlpm_kit.idea.validation import dotted
from mlpm_kit.workshop.form_model import ESTIMATE, FIELDS, FieldSpec, IdeaDraft, form_spec
from mlpm_kit.workshop.live_results import swings
from mlpm_kit.workshop.pooling import far_from_the_others, pooled_range, rounded

DEFAULT_PICKS = 3
MAX_PARTICIPANTS = 200  # per round; a room, not the internet
MAX_PICKS = 8


def estimates_path(idea_path: Path) -> Path:
    """'ideas/x.yaml' -> 'ideas/x.estimates.yaml' (beside the idea, in git with it)."""
    stem = idea_path.name.removesuffix(".yaml").removesuffix(".yml")
    return idea_path.with_name(stem + ESTIMATES_SUFFIX)


def estimate_inputs() -> dict[str, FieldSpec]:
    """Every input a group can estimate, by dotted path: the idea's numeric sections' ranges."""
    found = {}
    for section in form_spec():
        if section.kind == FIELDS and section.name:
            for spec in section.fields:
                if spec.kind == ESTIMATE:
                    found[dotted((section.name, *spec.path))] = spec
    return found


# -- the session -----------------------------------------------------------------------------


@dataclass
class Submitted:
    """One participant's range for one input in one round."""

    participant: str
    input: str
    low: float
    high: float
    at: str


@dataclass
class Round:
    number: int
    inputs: list[str]
    started: str
    ranges: list[Submitted] = field(default_factory=list)


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


class GroupSession:
    """The group estimates of one idea file, on disk in `IDEA.estimates.yaml`."""

    def __init__(self, idea_path: Path, draws: int = 2000):
        self.idea_path = Path(idea_path)
        self.path = estimates_path(self.idea_path)
        self.choices = estimate_inputs()
        self.rounds: list[Round] = []
        self.adopted: list[dict] = []
        self.load()
        if not self.rounds:
            self.rounds.append(Round(1, self.default_picks(), _now()))
            self.save()

    # -- storage ---------------------------------------------------------------------------

    def load(self) -> None:
        if not self.path.exists():
            return
        name = str(self.path)
        try:
            data = YAML(typ="safe").load(read_yaml_text(self.path)) or {}
            self.rounds = [
                Round(
                    int(r["round"]),
                    [str(i) for i in r["inputs"] if str(i) in self.choices],
                    str(r.get("started", "")),
                    [
                        Submitted(
                            **{k: s[k] for k in ("participant", "input", "low", "high", "at")}
                        )
                        for s in r.get("ranges") or []
                    ],
                )  # fmt: skip
                for r in data.get("rounds") or []
            ]
            self.adopted = list(data.get("adopted") or [])
        except (YAMLError, KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"cannot read the group estimates ({exc}); fix the file or move it away "
                "to start afresh (the idea file itself is not affected).",
                file=name,
            ) from None

    def save(self) -> None:
        data = {
            "idea": self.idea_path.name,
            "rounds": [
                {
                    "round": r.number,
                    "started": r.started,
                    "inputs": list(r.inputs),
                    "ranges": [asdict(s) for s in r.ranges],
                }
                for r in self.rounds
            ],
            "adopted": self.adopted,
        }
        buffer = io.StringIO()
        buffer.write(
            f"# Group estimates for {self.idea_path.name} (mlpm workshop --share): every "
            "participant's 90% range, by round. Participants are anonymous ids.\n"
        )
        yaml = YAML(typ="safe")
        yaml.default_flow_style = None
        yaml.representer.sort_base_mapping_type_on_output = False  # idea, rounds, adopted
        yaml.width = 1_000_000
        yaml.dump(data, buffer)
        with locked(self.path):
            atomic_write(self.path, buffer.getvalue())

    # -- what is asked -----------------------------------------------------------------------

    @property
    def current(self) -> Round:
        return self.rounds[-1]

    def default_picks(self) -> list[str]:
        """The inputs with the largest swing of the expected value across their range."""
        idea = load_idea(self.idea_path)
        ranked = [path for path, *_ in swings(idea) if path in self.choices]
        return ranked[:DEFAULT_PICKS] or list(self.choices)[:DEFAULT_PICKS]

    def new_round(self, inputs: list[str] | None = None) -> Round:
        """Start the next round (after the discussion), on the given inputs or the same ones."""
        picks = self._check_picks(inputs) if inputs is not None else list(self.current.inputs)
        self.rounds.append(Round(self.current.number + 1, picks, _now()))
        self.save()
        return self.current

    def pick(self, inputs: list[str]) -> Round:
        """Change the inputs of the current round (before anyone has answered, or a new round)."""
        if self.current.ranges:
            return self.new_round(inputs)
        self.current.inputs = self._check_picks(inputs)
        self.save()
        return self.current

    def _check_picks(self, inputs: list[str]) -> list[str]:
        unknown = [i for i in inputs if i not in self.choices]
        if unknown or not inputs or len(inputs) > MAX_PICKS:
            raise InputError(
                f"pick 1 to {MAX_PICKS} of the idea's inputs (for example value.users); "
                f"not estimable here: {', '.join(unknown) or 'none given'}."
            )
        return list(dict.fromkeys(inputs))

    # -- submissions ---------------------------------------------------------------------------

    @staticmethod
    def new_participant() -> str:
        return "p-" + secrets.token_hex(4)

    def submit(self, participant: str, round_number: int, ranges: dict[str, Any]) -> dict[str, str]:
        """Keep a participant's ranges ({input: {low, high}}); returns {input: message} for refusals.

        Each range is checked by putting it into the idea as the file would hold it, so it is
        refused for exactly the reasons the idea file would be (a share above 1, a negative
        cost, text that is not a number). A second submission replaces the first.
        """
        current = self.current
        if round_number != current.number:
            return {
                "": f"round {round_number} is over; reload the page for round {current.number}."
            }
        people = {s.participant for s in current.ranges}
        if participant not in people and len(people) >= MAX_PARTICIPANTS:
            return {"": f"this round already has {MAX_PARTICIPANTS} participants."}
        draft = IdeaDraft.of(load_idea(self.idea_path), str(self.idea_path))
        errors, kept = {}, []
        for path, value in ranges.items():
            if path not in current.inputs:
                errors[path] = "is not asked in this round."
                continue
            message, estimate = self._check(draft, path, value)
            if message:
                errors[path] = message
            else:
                kept.append(Submitted(participant, path, estimate.low, estimate.high, _now()))
        if not errors:
            replaced = {(s.participant, s.input) for s in kept}
            current.ranges = [
                s for s in current.ranges if (s.participant, s.input) not in replaced
            ] + kept
            self.save()
        return errors

    def _check(self, draft: IdeaDraft, path: str, value: Any) -> tuple[str | None, Estimate | None]:
        if not isinstance(value, dict) or set(value) != {"low", "high"}:
            return "give a low and a high value.", None
        low, high = (str(value[k]).strip()[:40] for k in ("low", "high"))
        if not low or not high:
            return "give both ends of your 90% range.", None
        keys = tuple(path.split("."))
        message = draft.apply(keys, f"{low} to {high}", self.choices[path])
        if message:
            return message, None
        estimate = draft.idea
        for key in keys:
            estimate = getattr(estimate, key)
        if not isinstance(estimate, Estimate) or not estimate.is_range:
            return "give a range whose low end is below its high end.", None
        return None, estimate

    # -- what the facilitator sees -----------------------------------------------------------

    def summary(self) -> dict:
        """The current round, input by input: every range, the pooled range, who is far off."""
        current, idea = self.current, load_idea(self.idea_path)
        people = list(dict.fromkeys(s.participant for s in current.ranges))
        inputs = []
        for path in current.inputs:
            spec = self.choices[path]
            ranges = [s for s in current.ranges if s.input == path]
            share = _is_share(idea, path)
            estimates = [Estimate(s.low, s.high, share=share) for s in ranges]
            item: dict[str, Any] = {
                "input": path,
                "label": spec.label,
                "unit": spec.unit,
                "in_file": str(_value(idea, path)),
                "ranges": [
                    {
                        "who": f"Participant {people.index(s.participant) + 1}",
                        "low": s.low,
                        "high": s.high,
                        "median": e.median,
                        "far": False,
                    }
                    for s, e in zip(ranges, estimates, strict=True)
                ],  # fmt: skip
                "pooled": None,
            }
            if estimates:
                low, high = pooled_range(estimates)
                item["pooled"] = {"low": rounded(low), "high": rounded(high),
                                  "text": str(Estimate(rounded(low), rounded(high)))}  # fmt: skip
                medians = [e.median for e in estimates]
                item["spread"] = (
                    f"medians from {format_number(rounded(min(medians)))} to {format_number(rounded(max(medians)))}"
                )
                for i in far_from_the_others(estimates):
                    item["ranges"][i]["far"] = True
            inputs.append(item)
        return {
            "idea": idea.title,
            "round": current.number,
            "participants": len(people),
            "inputs": inputs,
            "choices": [{"input": p, "label": s.label} for p, s in self.choices.items()],
            "adopted": self.adopted[-10:],
        }

    def adopt(self, path: str) -> str:
        """Write the pooled range of `path` (current round) into the idea file, with a comment."""
        item = next((i for i in self.summary()["inputs"] if i["input"] == path), None)
        if item is None or item["pooled"] is None:
            raise InputError(f"no ranges for {path} in this round yet; nothing to adopt.")
        pooled = item["pooled"]
        people = len(item["ranges"])
        keys = tuple(path.split("."))
        for _attempt in range(3):  # someone may save between our read and our write: read again
            seen = fingerprint(self.idea_path)
            idea = load_idea(self.idea_path)
            doc = parse_yaml(read_yaml_text(self.idea_path), str(self.idea_path))
            before, note = str(_value(idea, path)), comment_of(doc, keys)
            comment = (
                f"group estimate of {people} participants on {datetime.now():%Y-%m-%d} "
                f"(was {before})"
                + (f"; {note}" if note and not note.startswith("group estimate") else "")
            )
            section = idea
            for key in keys[:-1]:
                section = getattr(section, key)
            setattr(section, keys[-1], pooled["text"])
            try:
                write_idea(idea, self.idea_path, expected=seen, comments={keys: comment})
            except SaveConflict:
                continue
            self.adopted.append({"input": path, "low": pooled["low"], "high": pooled["high"],
                                 "participants": people, "round": self.current.number,
                                 "date": f"{datetime.now():%Y-%m-%d}"})  # fmt: skip
            self.save()
            return pooled["text"]
        raise SaveConflict(f"{self.idea_path}: kept changing while adopting; try again.")


def _value(idea: Any, path: str) -> Any:
    for key in path.split("."):
        idea = getattr(idea, key, None)
    return idea


def _is_share(idea: Any, path: str) -> bool:
    value = _value(idea, path)
    return bool(getattr(value, "share", False))
