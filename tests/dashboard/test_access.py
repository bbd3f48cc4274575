"""Who may open what: on loopback the class view is open and the controls need a teacher login; on any
other address only the login page is served without a login; a dashboard login never reaches the
controls; logins are checked against the hashes in the portfolio."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from makerkit.dashboard import DashboardServer
from makerkit.dashboard.auth import open_view_for
from makerkit.store import open_store


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (so the tests see them)."""

    def __init__(self, base):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path, data=None, headers=None, method=None):
        body = None
        headers = dict(headers or {})
        if isinstance(data, dict) and headers.get("Content-Type") == "application/json":
            body = json.dumps(data).encode()
        elif isinstance(data, dict):
            body = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=10) as resp:
                return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode("utf-8", "replace")

    def login(self, creds, next_path="/"):
        return self.request("/login", {"username": creds.username, "password": creds.password, "next": next_path})


def test_loopback_opens_the_view_only_there():
    assert open_view_for("127.0.0.1") and open_view_for("localhost") and open_view_for("::1")
    assert open_view_for("[::1]")
    assert not open_view_for("0.0.0.0") and not open_view_for("10.0.0.2") and not open_view_for("::")


def test_loopback_class_view_is_open_and_controls_need_a_teacher(dashboard):
    b = Browser(dashboard.url)
    assert b.request("/")[0] == 200
    assert b.request("/api/class")[0] == 200
    status, headers, _ = b.request("/teacher")
    assert status == 303 and headers["location"].startswith("/login")
    assert b.request("/api/control", {"cmd": "stop"}, {"Content-Type": "application/json"})[0] == 403


@pytest.fixture
def beyond_loopback(broker, portfolio):
    """The dashboard as it behaves on a class network address (open_view False), served on loopback so
    the test sends no traffic beyond this machine; the same rule ``--listen 0.0.0.0:PORT`` gets."""
    server = DashboardServer(broker=broker.url, db=portfolio["url"], listen="127.0.0.1:0", classes=["7a"],
                             open_view=False).start()
    yield server
    server.stop()


def test_without_login_only_the_login_page_is_served(beyond_loopback):
    b = Browser(beyond_loopback.url)
    for path in ("/", "/kit/7a/kit-01", "/teacher", "/?lang=en"):
        status, headers, body = b.request(path)
        assert status == 303 and headers["location"].startswith("/login"), path
        assert "data-kit" not in body
    for path in ("/events", "/api/class", "/attachment/" + "0" * 64):
        status, _, body = b.request(path)
        assert status == 401 and "login required" in body, path
    status, _, body = b.request("/login?lang=en")
    assert status == 200 and 'id="login-form"' in body
    assert b.request("/static/dashboard.js")[0] == 200        # the login page's own script and style


def test_wrong_password_and_foreign_logins_are_refused(beyond_loopback, portfolio, tmp_path):
    b = Browser(beyond_loopback.url)
    teacher = portfolio["teacher"]
    status, _, body = b.request("/login?lang=en", {"username": teacher.username, "password": "not-it", "next": "/"})
    assert status == 401 and "Wrong username or password" in body
    # a kit login is in the access list too, but may not open the dashboard
    status, _, _ = b.login(portfolio["kit"])
    assert status == 401
    # a disabled login no longer works
    with open_store(portfolio["url"]) as store:
        store.disable_login(portfolio["dashboard"].username)
    assert b.login(portfolio["dashboard"])[0] == 401
    assert b.request("/")[0] == 303


def test_dashboard_login_sees_the_class_but_never_the_controls(beyond_loopback, portfolio):
    b = Browser(beyond_loopback.url)
    status, headers, _ = b.login(portfolio["dashboard"], next_path="/teacher")
    assert status == 303 and headers["location"] == "/"         # not sent on to the controls
    assert b.request("/")[0] == 200
    assert b.request("/api/class")[0] == 200
    status, headers, _ = b.request("/teacher")
    assert status == 303 and headers["location"].startswith("/login")
    for body in ({"cmd": "stop"}, {"cmd": "say", "text": "hi"}):
        assert b.request("/api/control", body, {"Content-Type": "application/json"})[0] == 403
    assert b.request("/api/names", {"on": True}, {"Content-Type": "application/json"})[0] == 403


def test_teacher_controls_need_the_sessions_csrf_token(beyond_loopback, portfolio):
    b = Browser(beyond_loopback.url)
    status, headers, _ = b.login(portfolio["teacher"], next_path="/teacher")
    assert status == 303 and headers["location"] == "/teacher"
    status, _, page = b.request("/teacher")
    assert status == 200 and 'id="stop-all"' in page
    # without the page's token a control is refused (a form on another site cannot send one)
    assert b.request("/api/control", {"cmd": "stop"}, {"Content-Type": "application/json"})[0] == 400
    token = json.loads(page.split('type="application/json">', 1)[1].split("</script>", 1)[0])["csrf"]
    status, _, body = b.request("/api/names", {"on": True}, {"Content-Type": "application/json",
                                                              "X-CSRF-Token": token})
    assert status == 200 and json.loads(body) == {"names": True}


def test_a_teacher_of_another_class_cannot_log_in_here(broker, portfolio):
    from makerkit.access.logins import issue_login
    with open_store(portfolio["url"]) as store:
        store.add_class("7b")
        other = issue_login(store, class_id="7b", role="teacher", name="wang")
    server = DashboardServer(broker=broker.url, db=portfolio["url"], listen="127.0.0.1:0", classes=["7a"],
                             open_view=False).start()
    try:
        assert Browser(server.url).login(other)[0] == 401
    finally:
        server.stop()


def test_the_open_view_wants_a_loopback_name(dashboard):
    """A page elsewhere that points its own name at 127.0.0.1 ("DNS rebinding") cannot read the open
    class view: only requests for localhost, 127.0.0.1 or [::1] get it without a login."""
    b = Browser(dashboard.url)
    port = dashboard.port
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "127.0.0.1"):
        assert b.request("/api/class", headers={"Host": host})[0] == 200, host
    for host in (f"class-view.attacker.invalid:{port}", f"127.0.0.1.attacker.invalid:{port}", "10.0.0.2"):
        status, headers, _ = b.request("/", headers={"Host": host})
        assert status == 303 and headers["location"].startswith("/login"), host
        assert b.request("/api/class", headers={"Host": host})[0] == 401, host
    assert not open_view_for("127.0.0.1.attacker.invalid") and open_view_for("127.0.0.2")
