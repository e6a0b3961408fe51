"""The gate every workshop request passes: Host names and session tokens, decided by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlpm_kit.errors import InputError
from mlpm_kit.workshop.gate import ADMIN, PARTICIPANT, Gate, host_name
from mlpm_kit.workshop.server import Session

LOCAL = Gate(port=8866)
SHARED = Gate(
    port=8866,
    allowed_hosts=frozenset({"localhost", "127.0.0.1", "::1", "192.168.1.20"}),
    admin_token="admin-secret",
    join_token="join-secret",
)


@pytest.mark.parametrize(
    ("header", "name"),
    [("127.0.0.1:8866", "127.0.0.1"), ("[::1]:8866", "::1"), ("LocalHost.", "localhost"),
     ("evil.example:8866", "evil.example"), ("", "")],
)  # fmt: skip
def test_host_name(header, name):
    assert host_name(header) == name


@pytest.mark.parametrize("host", ["127.0.0.1:8866", "localhost:8866", "[::1]:8866", "localhost"])
def test_local_workshop_answers_requests_addressed_to_it(host):
    decision = LOCAL.decide(host, "/api/kernels/abc/channels", "", {})
    assert (decision.action, decision.role) == ("allow", ADMIN)


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8866", "127.0.0.1.evil.example", ""]
)
def test_a_foreign_host_is_refused_even_with_a_token(host):
    for gate in (LOCAL, SHARED):
        decision = gate.decide(host, "/", "token=admin-secret", {})
        assert (decision.action, decision.status) == ("refuse", 403)
        assert "answers only to" in decision.message


def test_shared_workshop_needs_a_token():
    decision = SHARED.decide("192.168.1.20:8866", "/", "", {})
    assert (decision.action, decision.status) == ("refuse", 403)
    assert "needs the link with its token" in decision.message
    wrong = SHARED.decide(
        "192.168.1.20:8866", "/join", "token=guess", {"mlpm-8866-facilitator": "x"}
    )
    assert wrong.action == "refuse"


def test_a_token_in_the_link_becomes_a_cookie_and_leaves_the_address_bar():
    decision = SHARED.decide("192.168.1.20:8866", "/join", "token=join-secret&lang=fr", {})
    assert (decision.action, decision.status, decision.role) == ("cookie", 302, PARTICIPANT)
    assert (decision.cookie_name, decision.cookie_value) == ("mlpm-8866-participant", "join-secret")
    assert decision.location == "/join?lang=fr"


def test_participants_open_only_their_pages():
    cookie = {"mlpm-8866-participant": "join-secret"}
    assert SHARED.decide("192.168.1.20", "/join", "", cookie).role == PARTICIPANT
    assert SHARED.decide("192.168.1.20", "/join/estimates", "", cookie).role == PARTICIPANT
    for path in (
        "/",
        "/group",
        "/group/adopt",
        "/api/kernels/abc/channels",
        "/joinx",
        "/voila/files/x",
    ):
        assert SHARED.decide("192.168.1.20", path, "", cookie).action == "refuse", path
        assert SHARED.decide("192.168.1.20", path, "token=join-secret", {}).action == "refuse", path


def test_the_facilitator_opens_everything():
    cookie = {"mlpm-8866-facilitator": "admin-secret"}
    for path in ("/", "/group", "/join", "/api/kernels/abc/channels"):
        assert SHARED.decide("localhost:8866", path, "", cookie).role == ADMIN


def test_host_needs_share_and_share_makes_tokens():
    with pytest.raises(InputError, match="--host 0.0.0.0 needs --share"):
        Session.create(Path("x.yaml"), 8866, share=False, host="0.0.0.0", draws=100)
    local = Session.create(Path("x.yaml"), 8866, share=False, host=None, draws=100)
    assert (local.bind_host, local.admin_token, local.share) == ("127.0.0.1", None, False)
    shared = Session.create(Path("x.yaml"), 8866, share=True, host="10.0.0.5", draws=100)
    assert shared.bind_host == shared.link_host == "10.0.0.5"
    assert len(shared.admin_token) >= 32 and len(shared.join_token) >= 20
    assert shared.admin_token != shared.join_token
    assert "10.0.0.5" in shared.allowed_hosts and "evil.example" not in shared.allowed_hosts
    assert shared.url("/join", token=shared.join_token).startswith(
        "http://10.0.0.5:8866/join?token="
    )
