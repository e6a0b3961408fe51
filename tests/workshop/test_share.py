"""`mlpm workshop --share` from other clients: tokens, participants' limits, memory, restarts."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.request

import psutil
import pytest
import websocket

from mlpm_kit.workshop.group import GroupSession
from tests.workshop.conftest import Running, start_workshop

pytestmark = pytest.mark.kernel


class Client:
    """A browser-like client with its own cookies (one phone in the room)."""

    def __init__(self, running: Running):
        self.base = f"http://127.0.0.1:{running.port}"
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        heads = {"Content-Type": "application/json"} if body is not None else {}
        req = urllib.request.Request(
            self.base + path, data=data, headers={**heads, **(headers or {})}
        )
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def cookies(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def tokens(running: Running) -> tuple[str, str]:
    """(facilitator token, participant token) from the links the command printed."""
    admin = re.search(r"/\?token=(\S+)", running.line_with("/?token=")).group(1)
    join = re.search(r"/join\?token=(\S+)", running.line_with("/join?token=")).group(1)
    return admin, join


@pytest.fixture
def shared(tmp_path):
    running = start_workshop(tmp_path, "--share", "--host", "127.0.0.1", "--draws", "300")
    try:
        admin, _ = tokens(running)
        running.wait_for_http(running.url + f"?token={admin}")
        yield running
    finally:
        running.stop()


def server_process(running: Running) -> psutil.Process:
    return next(
        p
        for p in psutil.Process(running.proc.pid).children()
        if "workshop.app" in " ".join(p.cmdline())
    )


def test_every_request_needs_the_token_and_participants_reach_only_their_page(shared):
    admin, join = tokens(shared)
    stranger = Client(shared)
    for path in (
        "/",
        "/join",
        "/join/state",
        "/group",
        "/group/state",
        "/voila/files/session.json",
    ):
        assert stranger.request(path)[0] == 403, path
    assert stranger.request("/join/estimates", {"round": 1, "ranges": {}})[0] == 403
    phone = Client(shared)
    status, page = phone.request(f"/join?token={join}")
    assert status == 200 and "Your estimates" in page and len(page.encode()) < 100_000
    assert phone.request("/join/state")[0] == 200  # the cookie now carries the token
    for path in ("/", "/group", "/group/state", "/?token=" + join):
        assert phone.request(path)[0] == 403, path
    assert phone.request("/group/adopt", {"input": "value.users"})[0] == 403
    assert phone.request("/group/round", {})[0] == 403
    # No kernel for a participant: the kernel websocket is refused with their cookie.
    facilitator = Client(shared)
    status, page = facilitator.request(f"/?token={admin}")
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)
    url = f"ws://127.0.0.1:{shared.port}/api/kernels/{kernel_id}/channels"
    own = f"127.0.0.1:{shared.port}"
    for cookie in ("", phone.cookies()):
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(url, host=own, origin=f"http://{own}", cookie=cookie)
        assert refused.value.status_code == 403
    websocket.create_connection(
        url, host=own, origin=f"http://{own}", cookie=facilitator.cookies()
    ).close()
    # A foreign Host is refused even with the facilitator's token.
    assert Client(shared).request(f"/?token={admin}", headers={"Host": "evil.example"})[0] == 403


def test_submissions_are_validated_same_origin_and_rate_limited(shared):
    _, join = tokens(shared)
    phone = Client(shared)
    phone.request(f"/join?token={join}")
    good = {"round": 1, "ranges": {"value.users": {"low": 100, "high": 300}}}
    assert phone.request("/join/estimates", good)[0] == 200
    status, body = phone.request(
        "/join/estimates", {"round": 1, "ranges": {"value.adoption": {"low": 0.5, "high": 2}}}
    )
    assert status == 422 and "share between 0 and 1" in json.loads(body)["errors"]["value.adoption"]
    status, body = phone.request(
        "/join/estimates", {"round": 1, "ranges": {"title": {"low": 1, "high": 2}}}
    )
    assert status == 422 and json.loads(body)["errors"] == {"title": "is not asked in this round."}
    assert phone.request("/join/estimates", good, {"Origin": "http://evil.example"})[0] == 403
    form = urllib.request.Request(phone.base + "/join/estimates", data=b"round=1", headers={
        "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        phone.opener.open(form)
    assert refused.value.code == 415
    statuses = [phone.request("/join/estimates", good)[0] for _ in range(12)]
    assert statuses.count(429) >= 3 and statuses[0] == 200  # 10 a minute per participant
    assert json.loads(phone.request("/join/estimates", good)[1])["message"].startswith("Too many")


def test_twenty_participants_cost_no_kernel_and_little_memory_and_survive_a_restart(
    shared, tmp_path
):
    _, join = tokens(shared)
    server = server_process(shared)
    kernels_before = len(server.children(recursive=True))
    rss_before = server.memory_info().rss
    for i in range(20):
        phone = Client(shared)
        assert phone.request(f"/join?token={join}")[0] == 200
        assert phone.request("/join/state")[0] == 200
        ranges = {"value.users": {"low": 100 + i, "high": 300 + i}}
        assert phone.request("/join/estimates", {"round": 1, "ranges": ranges})[0] == 200
    growth_mb = (server.memory_info().rss - rss_before) / 1e6
    print(f"server memory for 20 participant pages: +{growth_mb:.1f} MB "
          f"(server {server.memory_info().rss / 1e6:.0f} MB)")  # fmt: skip
    assert len(server.children(recursive=True)) == kernels_before  # no kernel per participant
    assert growth_mb < 20  # a kernel alone is ~200 MB
    shared.stop()  # killed mid-session
    again = GroupSession(shared.idea)
    assert len(again.current.ranges) == 20
    restarted = start_workshop(tmp_path, "--share", "--host", "127.0.0.1", idea=shared.idea)
    try:
        admin, _ = tokens(restarted)
        facilitator = Client(restarted)
        restarted.wait_for_http(restarted.url.rstrip("/") + f"/group?token={admin}")
        assert facilitator.request(f"/group?token={admin}")[0] == 200
        state = json.loads(facilitator.request("/group/state")[1])
        users = next(i for i in state["inputs"] if i["input"] == "value.users")
        assert state["participants"] == 20 and len(users["ranges"]) == 20
    finally:
        restarted.stop()
