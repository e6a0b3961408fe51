"""The pages of `mlpm workshop --share`: participants' estimate form and the facilitator's group view.

Both are plain HTML with a little script, served by small tornado handlers in the workshop's
server process: a participant's phone costs the server a few kilobytes, not a kernel. The
gate (`gate.py`) has already checked the Host and the token of every request that reaches
these handlers; a participant's token reaches only `/join`. Here:

- a participant gets an anonymous id (a random cookie), can read the inputs of the current
  round and submit ranges for them, nothing else: no code runs, no file is read by name,
  and only the open idea is touched (through `group.GroupSession`, which validates each
  range as the idea file would);
- submissions are rate-limited per participant and per network address (`RATE_LIMIT`,
  `RATE_LIMIT_PER_ADDRESS` per `RATE_WINDOW_SECONDS`); a request body is at most `MAX_BODY` bytes;
- state-changing requests must be JSON from the same origin (no cross-site form posts).

The pages build their content with `textContent`, so nothing a participant typed is ever
interpreted as HTML.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict, deque
from typing import Any

import tornado.web

from mlpm_kit.errors import MlpmError
from mlpm_kit.workshop.gate import host_name
from mlpm_kit.workshop.group import GroupSession

RATE_LIMIT = 10  # submissions per participant per window; a person sends a few
RATE_LIMIT_PER_ADDRESS = 100  # per network address (phones behind one router share one)
RATE_WINDOW_SECONDS = 60
MAX_BODY = 8_000
PARTICIPANT_COOKIE = "mlpm-participant"

_PAGE_STYLE = """
body { font-family: system-ui, sans-serif; font-size: 18px; margin: 0 auto; padding: 12px;
       max-width: 980px; line-height: 1.4; color: #222; }
h1 { font-size: 24px; margin: 4px 0 8px; } h2 { font-size: 20px; margin: 18px 0 4px; }
.help { color: #555; font-size: 15px; } .error { color: #b00020; } .ok { color: #1b5e20; }
input[type=text] { font-size: 20px; width: 7em; padding: 6px; }
button { font-size: 18px; padding: 8px 16px; margin: 4px 4px 4px 0; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.bar { position: relative; height: 22px; background: #f1f1f1; margin: 3px 0; }
.bar span { position: absolute; top: 3px; height: 16px; background: #4c78a8; }
.bar.pooled span { background: #2e7d32; } .bar.far span { background: #e45756; }
.who { display: inline-block; min-width: 8.5em; font-size: 15px; }
table { border-collapse: collapse; } td { padding: 2px 8px 2px 0; }
"""


def _page(title: str, body: str) -> str:
    """A whole page: the shared head, style and DOM helper, then `body` (HTML and its script)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title><style>{_PAGE_STYLE}</style></head><body>\n"
        "<script>const $ = (tag, props = {}, ...kids) => { const e = Object.assign("
        "document.createElement(tag), props); kids.forEach(k => e.append(k)); return e; };</script>\n"
        f"{body}</body></html>"
    )


JOIN_PAGE = _page(
    "Your estimates",
    """
<h1 id="title">Your estimates</h1>
<p class="help">For each question, give a range you are 90% sure contains the true value:
a low end you would be surprised to go below, a high end you would be surprised to exceed.
Answer on your own, before the discussion. Your answers are anonymous.</p>
<form id="form"></form><p id="status" role="status"></p>
<script>
let state = null;
async function load() {
  const r = await fetch("join/state", {credentials: "same-origin"});
  const next = await r.json();
  if (state && state.round === next.round) return;
  state = next; draw();
}
function draw() {
  document.getElementById("title").textContent = state.idea + ": round " + state.round;
  const form = document.getElementById("form"); form.replaceChildren();
  for (const q of state.inputs) {
    const mine = state.mine[q.input] || {};
    form.append($("h2", {textContent: q.label + (q.unit ? " (" + q.unit + ")" : "")}),
      $("p", {className: "help", textContent: q.help}),
      $("div", {className: "row"},
        $("label", {textContent: "low "}, $("input", {type: "text", name: q.input + ".low",
          inputMode: "decimal", value: mine.low ?? "", required: true})),
        $("label", {textContent: "high "}, $("input", {type: "text", name: q.input + ".high",
          inputMode: "decimal", value: mine.high ?? "", required: true}))),
      $("p", {className: "error", id: "error-" + q.input}));
  }
  form.append($("button", {type: "submit", textContent: "Send my ranges"}));
}
document.getElementById("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const ranges = {};
  for (const q of state.inputs) {
    ranges[q.input] = {low: event.target[q.input + ".low"].value, high: event.target[q.input + ".high"].value};
  }
  const r = await fetch("join/estimates", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({round: state.round, ranges})});
  const answer = await r.json();
  document.querySelectorAll(".error").forEach(e => e.textContent = "");
  const status = document.getElementById("status");
  if (r.ok) { status.className = "ok"; status.textContent = "Sent. You can change your ranges until the next round."; return; }
  status.className = "error"; status.textContent = answer.message || "Not sent.";
  for (const [k, v] of Object.entries(answer.errors || {})) {
    const e = document.getElementById("error-" + k); if (e) e.textContent = v; }
});
load(); setInterval(load, 5000);
</script>""",
)

GROUP_PAGE = _page(
    "Group estimates",
    """
<h1 id="title">Group estimates</h1>
<p id="who"></p><div id="inputs"></div>
<h2>Next</h2>
<p class="help">Discuss the ranges far from the others (red), then start a new round, or adopt
the pooled range (green: everyone's distributions averaged, its 5th to 95th percentile) into the idea.</p>
<div class="row"><button id="round">Start round <span id="next"></span></button></div>
<details><summary>Inputs to estimate</summary><div id="choices"></div>
<button id="pick">Ask these</button></details>
<p id="status" role="status"></p>
<script>
let state = null;
const fmt = x => Number(x).toLocaleString(undefined, {maximumSignificantDigits: 3});
function bar(cls, who, low, high, lo, hi) {
  const span = hi - lo || 1, left = 100 * (low - lo) / span, width = Math.max(100 * (high - low) / span, 0.8);
  const b = $("div", {className: "bar " + cls}, $("span"));
  b.firstChild.style.left = left + "%"; b.firstChild.style.width = width + "%";
  return $("div", {}, $("span", {className: "who", textContent: who + ": " + fmt(low) + " to " + fmt(high)}), b);
}
async function post(path, body) {
  const r = await fetch(path, {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const answer = await r.json();
  const status = document.getElementById("status");
  status.className = r.ok ? "ok" : "error"; status.textContent = answer.message || "";
  await load(true);
}
async function load(force) {
  const r = await fetch("group/state", {credentials: "same-origin"});
  state = await r.json(); draw(force);
}
function draw(force) {
  document.getElementById("title").textContent = state.idea + ": round " + state.round;
  document.getElementById("who").textContent = state.participants + " participant(s) have answered.";
  document.getElementById("next").textContent = state.round + 1;
  const box = document.getElementById("inputs"); box.replaceChildren();
  for (const item of state.inputs) {
    const all = item.ranges.flatMap(r => [r.low, r.high]);
    const lo = Math.min(...all), hi = Math.max(...all);
    const section = $("section", {className: "input", id: "input-" + item.input},
      $("h2", {textContent: item.label + (item.unit ? " (" + item.unit + ")" : "") + ": in the idea " + item.in_file}));
    for (const r of item.ranges) section.append(bar(r.far ? "far" : "", r.who + (r.far ? " (far)" : ""), r.low, r.high, lo, hi));
    if (item.pooled) {
      section.append(bar("pooled", "Pooled", item.pooled.low, item.pooled.high, lo, hi),
        $("p", {className: "help", textContent: "Spread: " + item.spread}),
        $("button", {className: "adopt", textContent: "Adopt " + item.pooled.text + " into the idea",
          onclick: () => post("group/adopt", {input: item.input})}));
    } else section.append($("p", {className: "help", textContent: "No ranges yet."}));
    box.append(section);
  }
  const choices = document.getElementById("choices");
  if (force || !choices.children.length) {
    choices.replaceChildren();
    const asked = new Set(state.inputs.map(i => i.input));
    for (const c of state.choices) choices.append($("label", {}, $("input", {type: "checkbox",
      value: c.input, checked: asked.has(c.input)}), " " + c.label + " "));
  }
}
document.getElementById("round").onclick = () => post("group/round", {});
document.getElementById("pick").onclick = () => post("group/round", {inputs:
  [...document.querySelectorAll("#choices input:checked")].map(e => e.value)});
load(true); setInterval(load, 2000);
</script>""",
)


class _Base(tornado.web.RequestHandler):
    """JSON answers, no caching, and same-origin JSON bodies for anything that changes state."""

    def initialize(
        self, group: GroupSession, limiter: RateLimiter, address_limiter: RateLimiter
    ) -> None:
        self.group, self.limiter, self.address_limiter = group, limiter, address_limiter

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; "
                        "style-src 'unsafe-inline'; frame-ancestors 'none'")  # fmt: skip

    def answer(self, status: int, **body: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body))

    def json_body(self) -> dict | None:
        """The request's JSON object, or None after answering why it is refused."""
        origin = self.request.headers.get("Origin")
        if origin is not None and host_name(origin.split("://", 1)[-1]) != host_name(
            self.request.host
        ):
            self.answer(403, message="Requests from another site are refused.")
            return None
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            self.answer(415, message="Send JSON.")
            return None
        if len(self.request.body) > MAX_BODY:
            self.answer(413, message="Too much data.")
            return None
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self.answer(400, message="Send a JSON object.")
            return None
        return body


class RateLimiter:
    """At most `limit` events per `window` seconds per key (a sliding window)."""

    def __init__(self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW_SECONDS):
        self.limit, self.window = limit, window
        self.events: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        seen = self.events[key]
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True


class JoinPage(_Base):
    def get(self) -> None:
        if not self.get_cookie(PARTICIPANT_COOKIE):
            self.set_cookie(PARTICIPANT_COOKIE, self.group.new_participant(), httponly=True,
                            samesite="Strict", path="/", expires_days=1)  # fmt: skip
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(JOIN_PAGE)


class JoinState(_Base):
    def get(self) -> None:
        current, me = self.group.current, self.get_cookie(PARTICIPANT_COOKIE, "")
        inputs = [{"input": p, "label": self.group.choices[p].label,
                   "unit": self.group.choices[p].unit, "help": self.group.choices[p].help}
                  for p in current.inputs]  # fmt: skip
        mine = {
            s.input: {"low": s.low, "high": s.high} for s in current.ranges if s.participant == me
        }
        title = self.group.summary()["idea"]
        self.answer(200, idea=title, round=current.number, inputs=inputs, mine=mine)


class JoinSubmit(_Base):
    def post(self) -> None:
        me = self.get_cookie(PARTICIPANT_COOKIE, "")
        if not me.startswith("p-") or len(me) > 20:
            self.answer(400, message="Open the link again to get a participant page.")
            return
        if not self.limiter.allow(me) or not self.address_limiter.allow(
            self.request.remote_ip or "?"
        ):
            self.answer(429, message="Too many submissions; wait a minute and send again.")
            return
        body = self.json_body()
        if body is None:
            return
        ranges, number = body.get("ranges"), body.get("round")
        if not isinstance(ranges, dict) or not isinstance(number, int) or len(ranges) > 20:
            self.answer(400, message="Send {round, ranges: {input: {low, high}}}.")
            return
        errors = self.group.submit(me, number, ranges)
        if errors:
            self.answer(422, message=errors.pop("", "Some ranges were not accepted; see below."),
                        errors=errors)  # fmt: skip
            return
        self.answer(200, message="Saved.")


class GroupPage(_Base):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(GROUP_PAGE)


class GroupState(_Base):
    def get(self) -> None:
        self.answer(200, **self.group.summary())


class GroupRound(_Base):
    def post(self) -> None:
        body = self.json_body()
        if body is None:
            return
        try:
            inputs = body.get("inputs")
            current = self.group.pick(inputs) if inputs else self.group.new_round()
        except MlpmError as exc:
            self.answer(400, message=str(exc))
            return
        self.answer(200, message=f"Round {current.number} started.")


class GroupAdopt(_Base):
    def post(self) -> None:
        body = self.json_body()
        if body is None:
            return
        try:
            text = self.group.adopt(str(body.get("input", "")))
        except MlpmError as exc:
            self.answer(409, message=str(exc))
            return
        self.answer(200, message=f"Adopted {text} into {self.group.idea_path.name}.")


def share_handlers(group: GroupSession, base: str = "/") -> list[tuple]:
    """The routes of the shared workshop (they go before Voila's catch-all page route)."""
    prefix = base.rstrip("/")
    args = {
        "group": group,
        "limiter": RateLimiter(),
        "address_limiter": RateLimiter(limit=RATE_LIMIT_PER_ADDRESS),
    }
    routes = [("/join", JoinPage), ("/join/state", JoinState), ("/join/estimates", JoinSubmit),
              ("/group", GroupPage), ("/group/state", GroupState), ("/group/round", GroupRound),
              ("/group/adopt", GroupAdopt)]  # fmt: skip
    return [(prefix + path, handler, args) for path, handler in routes]
