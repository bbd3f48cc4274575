"""Who may see what (docs/DASHBOARD.md §3).

* The class view needs no login only when the dashboard listens on loopback (only this laptop can
  open it) and the page was asked for by a loopback name (``localhost``, ``127.0.0.1``, ``[::1]``);
  anywhere else every page but the login page needs a login.
* The teacher's controls always need a ``teacher`` login, of the class they act on.
* A login is a broker login of the class access list (docs/ACCESS.md), checked against the hash the
  portfolio keeps (``$7$``, constant-time comparison); only ``teacher`` and ``dashboard`` logins open
  the dashboard. The password is never stored; a teacher's stays in this process's memory for the
  session only, because the controls are published as that teacher (a ``dashboard`` login may
  publish nothing).

Sessions are random tokens in an HttpOnly, SameSite=Strict cookie, at most :data:`MAX_SESSIONS` of
them, each ending after :data:`SESSION_HOURS`; every form and control carries the session's own
CSRF token.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
import time
from dataclasses import dataclass

from ..access.passwords import verify_password
from ..broker import is_loopback
from ..errors import UsageError
from ..store import open_store

ROLES = ("teacher", "dashboard")
MAX_SESSIONS = 200
SESSION_HOURS = 12
COOKIE = "mk_session"
_NOBODY = "$7$101$AAAAAAAAAAAAAAAA$" + "A" * 86 + "=="      # a well-formed hash no password matches


@dataclass
class Session:
    token: str
    csrf: str
    username: str
    role: str
    class_id: str
    password: str          # kept only for a teacher: the controls are sent with the teacher's own login
    expires: float

    @property
    def is_teacher(self) -> bool:
        return self.role == "teacher"


def loopback_name(host: str | None) -> bool:
    """``localhost`` or a loopback address (``127.0.0.1``, ``::1``; a name such as ``127.x.example`` is none)."""
    host = (host or "").strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_view_for(host: str) -> bool:
    """The read-only class view opens without a login only on a loopback address."""
    return loopback_name(host) and is_loopback(host.strip("[]"))


def open_view_allowed(open_view: bool, host_header: str | None) -> bool:
    """The open view also needs the browser to have asked for this laptop by a loopback name: a web
    page elsewhere whose name was pointed at 127.0.0.1 afterwards ("DNS rebinding") gets the login page."""
    return open_view and loopback_name(host_header)


def check_login(db: str, username: str, password: str, classes: tuple[str, ...] = ()) -> dict | None:
    """The login row when ``username``/``password`` is an enabled teacher or dashboard login (of one of
    ``classes``, when given) whose stored hash matches; else None."""
    if not username or not password or len(username) > 100 or len(password) > 200:
        return None
    with open_store(db) as store:
        row = store.login(username)
    if row is None or row["disabled_at"] or row["role"] not in ROLES:
        verify_password(password, _NOBODY)     # the same work whether or not the login exists
        return None
    if classes and row["class_id"] not in classes:
        return None
    try:
        return row if verify_password(password, row["pw_hash"]) else None
    except UsageError:
        return None


class Sessions:
    def __init__(self):
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self, row: dict, password: str) -> Session:
        now = time.time()
        session = Session(token=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(24),
                          username=row["username"], role=row["role"], class_id=row["class_id"],
                          password=password if row["role"] == "teacher" else "",
                          expires=now + SESSION_HOURS * 3600)
        with self._lock:
            for token in [t for t, s in self._items.items() if s.expires < now]:
                del self._items[token]
            while len(self._items) >= MAX_SESSIONS:          # the oldest goes first
                del self._items[min(self._items, key=lambda t: self._items[t].expires)]
            self._items[session.token] = session
        return session

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._lock:
            session = self._items.get(token)
            if session is not None and session.expires < time.time():
                del self._items[token]
                return None
        return session

    def end(self, token: str | None) -> None:
        with self._lock:
            self._items.pop(token or "", None)
