"""Who may talk to the workshop server: the Host check and the session tokens, for every request.

Every HTTP request and every websocket upgrade passes `Gate.decide` before any handler runs
(`app.GatedApplication.find_handler`), so there is one place to read the rules:

- the Host header must name this server (localhost, 127.0.0.1, ::1, or the shared address):
  a page on `evil.example` that rebinds its DNS to 127.0.0.1 cannot drive the form;
- with `--share`, a request needs a token: the facilitator's token opens everything, the
  participants' token opens only `/join` (their estimate page and its submissions). A token
  arrives once in the link (`?token=...`); the answer is a redirect that moves it into an
  HttpOnly, SameSite=Strict cookie and out of the address bar (and off the projector).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
JOIN_PREFIX = "/join"
ADMIN, PARTICIPANT = "facilitator", "participant"


def host_name(host_header: str) -> str:
    """'127.0.0.1:8866' -> '127.0.0.1'; '[::1]:8866' -> '::1'; 'LocalHost.' -> 'localhost'."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


@dataclass(frozen=True)
class Decision:
    """`allow` (with the role), `refuse` (status and message) or `cookie` (set it, redirect)."""

    action: str
    role: str = ""
    status: int = 200
    message: str = ""
    cookie_name: str = ""
    cookie_value: str = ""
    location: str = ""


@dataclass(frozen=True)
class Gate:
    """The rules of one workshop session; tokens are None without --share (local only)."""

    port: int
    allowed_hosts: frozenset[str] = LOCAL_HOSTS
    admin_token: str | None = None
    join_token: str | None = None

    @property
    def shared(self) -> bool:
        return self.admin_token is not None

    def cookie_name(self, role: str) -> str:
        return f"mlpm-{self.port}-{role}"  # cookies ignore ports: two workshops, two names

    def decide(self, host_header: str, path: str, query: str, cookies: dict[str, str]) -> Decision:
        host = host_name(host_header)
        if host not in self.allowed_hosts:
            return Decision(
                "refuse",
                status=403,
                message=f"This workshop answers only to {', '.join(sorted(self.allowed_hosts))}; "
                f"open the link mlpm workshop printed.",
            )
        if not self.shared:
            return Decision("allow", role=ADMIN)
        for role, token in ((ADMIN, self.admin_token), (PARTICIPANT, self.join_token)):
            if _same(cookies.get(self.cookie_name(role)), token) and self._opens(role, path):
                return Decision("allow", role=role)
        given = parse_qs(query).get("token", [""])[0]
        for role, token in ((ADMIN, self.admin_token), (PARTICIPANT, self.join_token)):
            if _same(given, token) and self._opens(role, path):
                rest = {k: v for k, v in parse_qs(query).items() if k != "token"}
                location = path + (f"?{urlencode(rest, doseq=True)}" if rest else "")
                return Decision(
                    "cookie",
                    role=role,
                    status=302,
                    cookie_name=self.cookie_name(role),
                    cookie_value=token or "",
                    location=location,
                )
        return Decision(
            "refuse",
            status=403,
            message="This workshop needs the link with its token; ask the facilitator for it.",
        )

    @staticmethod
    def _opens(role: str, path: str) -> bool:
        return role == ADMIN or path == JOIN_PREFIX or path.startswith(JOIN_PREFIX + "/")


def _same(given: str | None, token: str | None) -> bool:
    return bool(given) and token is not None and hmac.compare_digest(given, token)
