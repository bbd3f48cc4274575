"""The dashboard's ASGI app (Starlette): routes, who may open each (:mod:`.auth`), the language.

| route | who | what |
|---|---|---|
| ``GET /`` | viewer | the class at a glance (tiles drawn by the script from ``/events``) |
| ``GET /events`` | viewer | server-sent events: a snapshot, then batches of changes |
| ``GET /api/class`` | viewer | the tiles as JSON |
| ``GET /kit/{class}/{kit}`` | viewer | one kit: its readings from the store, lesson results, robot run pictures |
| ``GET /student/{class}/{student}`` | viewer | one student: readings of the kits they held, lesson results, robot runs |
| ``GET /attachment/{sha}``, ``GET /record/{sha}`` | viewer | a stored image; a robot run's record (JSON) |
| ``GET /teacher`` | teacher | open gaps, quarantine, the controls |
| ``POST /api/control`` | teacher | ``{"cmd": "stop"}`` or ``{"cmd": "say", "text": ...}``: the answers of the kits |
| ``POST /api/names`` | teacher | ``{"on": true}``: display names instead of pseudonymous ids |
| ``GET/POST /login``, ``POST /logout`` | anyone | |

A viewer is anyone when the dashboard listens on loopback (and is asked for by a loopback name), else a
logged-in teacher or dashboard login.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import MakerkitError
from . import history, pages
from .auth import COOKIE, SESSION_HOURS, Session, Sessions, check_login, open_view_allowed
from .hub import Hub
from .state import ClassState
from .texts import pick_lang, text

MAX_FORM = 4096                 # bytes of a login form or a control request
LOGIN_FAILURE_PAUSE = 0.5       # seconds a wrong password waits before the answer (slows guessing)
_SHA = re.compile(r"[0-9a-f]{64}\Z")
_ID = re.compile(r"[a-z0-9-]{1,32}\Z")
_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                       "script-src 'self'; frame-ancestors 'none'"}


@dataclass
class Settings:
    broker: str
    db: str
    classes: tuple[str, ...] = ()
    open_view: bool = False             # the class view without a login (loopback only)
    control: object = None              # makerkit.classroom.control.send_control (injected by the server)
    broker_login: bool = False          # the broker asks for logins (the dashboard subscribes with one)
    extra: dict = field(default_factory=dict)


class Dashboard:
    """The app's routes over one class state, one hub and the sessions."""

    def __init__(self, settings: Settings, state: ClassState):
        self.settings = settings
        self.state = state
        self.sessions = Sessions()
        self.hub: Hub | None = None

    # -- helpers ---------------------------------------------------------------------------------
    def session(self, request: Request) -> Session | None:
        return self.sessions.get(request.cookies.get(COOKIE))

    def lang(self, request: Request) -> str:
        return pick_lang(request.query_params.get("lang"), request.cookies.get("mk_lang"),
                         request.headers.get("accept-language"))

    def page(self, request: Request, html: str, status: int = 200) -> HTMLResponse:
        response = HTMLResponse(html, status_code=status, headers=_HEADERS)
        chosen = request.query_params.get("lang")
        if chosen in ("zh", "en"):
            response.set_cookie("mk_lang", chosen, max_age=365 * 86400, samesite="strict")
        return response

    def viewer(self, request: Request) -> tuple[bool, Session | None]:
        session = self.session(request)
        return (open_view_allowed(self.settings.open_view, request.url.hostname) or session is not None), session

    def in_scope(self, session: Session | None, class_id: str) -> bool:
        """A class this dashboard watches (``--class``) and, with a login, the login's own class."""
        return bool(_ID.match(class_id)) and (session is None or session.class_id == class_id) and (
            not self.settings.classes or class_id in self.settings.classes)

    def to_login(self, request: Request, *, teacher: bool = False) -> Response:
        if request.url.path.startswith(("/api/", "/events", "/attachment/", "/record/")):
            return JSONResponse({"error": "login required"}, status_code=401, headers=_HEADERS)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}" + ("&teacher=1" if teacher else ""), status_code=303)

    async def body_fields(self, request: Request) -> dict[str, str] | None:
        body = await request.body()
        if len(body) > MAX_FORM:
            return None
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                doc = json.loads(body or b"{}")
            except ValueError:
                return None
            return doc if isinstance(doc, dict) else None
        return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}

    # -- viewer pages ----------------------------------------------------------------------------
    async def class_view(self, request: Request) -> Response:
        allowed, session = self.viewer(request)
        if not allowed:
            return self.to_login(request)
        return self.page(request, pages.class_page(self.lang(request), session, self.settings.classes))

    def _watch_class(self, session: Session | None) -> str | None:
        return session.class_id if session is not None else None

    async def events(self, request: Request) -> Response:
        allowed, session = self.viewer(request)
        if not allowed:
            return self.to_login(request)
        return StreamingResponse(self.hub.stream(self._watch_class(session)), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def class_json(self, request: Request) -> Response:
        allowed, session = self.viewer(request)
        if not allowed:
            return self.to_login(request)
        return JSONResponse({"tiles": self.state.snapshot(self._watch_class(session))}, headers=_HEADERS)

    async def kit(self, request: Request) -> Response:
        allowed, session = self.viewer(request)
        if not allowed:
            return self.to_login(request)
        class_id, kit = request.path_params["class_id"], request.path_params["kit"]
        if not (_ID.match(kit) and self.in_scope(session, class_id)):
            return Response(status_code=404)
        span = request.query_params.get("span", "lesson")
        span = span if span in history.SPANS else "lesson"
        data = await run_in_threadpool(history.kit_history, self.settings.db, class_id, kit, span, self.state.names)
        return self.page(request, pages.kit_page(self.lang(request), session, data))

    async def student(self, request: Request) -> Response:
        allowed, session = self.viewer(request)
        if not allowed:
            return self.to_login(request)
        class_id, student = request.path_params["class_id"], request.path_params["student"]
        if not (_ID.match(student) and self.in_scope(session, class_id)):
            return Response(status_code=404)
        span = request.query_params.get("span", "lesson")
        span = span if span in history.SPANS else "lesson"
        data = await run_in_threadpool(history.student_history, self.settings.db, class_id, student, span,
                                       self.state.names)
        if data is None:
            return Response(status_code=404)
        return self.page(request, pages.student_page(self.lang(request), session, data))

    async def record(self, request: Request) -> Response:
        allowed, _ = self.viewer(request)
        if not allowed:
            return self.to_login(request)
        sha = request.path_params["sha"]
        found = await run_in_threadpool(history.robot_run_record, self.settings.db, sha) if _SHA.match(sha) else None
        if found is None:
            return Response(status_code=404)
        return Response(found, media_type="application/json", headers={
            "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'attachment; filename="robot-run-{sha[:12]}.json"'})

    async def attachment(self, request: Request) -> Response:
        allowed, _ = self.viewer(request)
        if not allowed:
            return self.to_login(request)
        sha = request.path_params["sha"]
        found = await run_in_threadpool(history.attachment, self.settings.db, sha) if _SHA.match(sha) else None
        if found is None:
            return Response(status_code=404)
        return Response(found[0], media_type=found[1], headers={"Cache-Control": "private, max-age=3600"})

    # -- login -----------------------------------------------------------------------------------
    async def login_form(self, request: Request) -> Response:
        lang = self.lang(request)
        note = text("login_teacher_needed", lang) if request.query_params.get("teacher") else ""
        return self.page(request, pages.login_page(lang, next_url=_safe_next(request.query_params.get("next")),
                                                   status_note=note))

    async def login(self, request: Request) -> Response:
        lang = self.lang(request)
        fields = await self.body_fields(request) or {}
        username, password = str(fields.get("username", "")), str(fields.get("password", ""))
        next_url = _safe_next(fields.get("next"))
        row = await run_in_threadpool(check_login, self.settings.db, username, password, self.settings.classes)
        if row is None:
            await asyncio.sleep(LOGIN_FAILURE_PAUSE)
            return self.page(request, pages.login_page(lang, next_url=next_url, message=text("login_bad", lang)), 401)
        if next_url.startswith("/teacher") and row["role"] != "teacher":
            next_url = "/"
        session = self.sessions.new(row, password)
        response = RedirectResponse(next_url, status_code=303)
        response.set_cookie(COOKIE, session.token, max_age=SESSION_HOURS * 3600, httponly=True, samesite="strict")
        return response

    async def logout(self, request: Request) -> Response:
        session = self.session(request)
        fields = await self.body_fields(request) or {}
        if session is not None and fields.get("csrf") == session.csrf:
            self.sessions.end(session.token)
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # -- the teacher ----------------------------------------------------------------------------
    def teacher_of(self, request: Request) -> Session | None:
        session = self.session(request)
        return session if session is not None and session.is_teacher else None

    async def teacher(self, request: Request) -> Response:
        session = self.teacher_of(request)
        if session is None:
            return self.to_login(request, teacher=True)
        overview = await run_in_threadpool(history.teacher_overview, self.settings.db, session.class_id)
        return self.page(request, pages.teacher_page(self.lang(request), session, overview, self.state.names))

    async def _teacher_request(self, request: Request) -> tuple[Session | None, dict | None, Response | None]:
        session = self.teacher_of(request)
        if session is None:
            return None, None, JSONResponse({"error": "a teacher login is needed"}, status_code=403, headers=_HEADERS)
        fields = await self.body_fields(request)
        if fields is None or request.headers.get("x-csrf-token") != session.csrf:
            return None, None, JSONResponse({"error": "bad request"}, status_code=400, headers=_HEADERS)
        return session, fields, None

    async def control(self, request: Request) -> Response:
        session, fields, refusal = await self._teacher_request(request)
        if refusal is not None:
            return refusal
        cmd, say = fields.get("cmd"), fields.get("text")
        if cmd not in ("stop", "say") or (cmd == "say" and not isinstance(say, str)):
            return JSONResponse({"error": "cmd is stop or say (with text)"}, status_code=400, headers=_HEADERS)
        # sent with the teacher's own login where the broker asks for logins; a broker that lets anyone in
        # (the one-laptop classroom on loopback) knows no logins and refuses unknown usernames
        login = (session.username, session.password or None) if self.settings.broker_login else (None, None)
        try:
            result = await run_in_threadpool(
                self.settings.control, broker=self.settings.broker, class_id=session.class_id, cmd=cmd,
                text=say if cmd == "say" else None, username=login[0], password=login[1],
                by=session.username, db=self.settings.db, protocol="3.1.1")
        except MakerkitError as err:
            return JSONResponse({"error": {"en": err.message_en, "zh": err.message_zh, "hint_en": err.hint_en,
                                           "hint_zh": err.hint_zh}}, status_code=502, headers=_HEADERS)
        return JSONResponse({"class": result.class_id, "cmd": result.cmd, "id": result.request_id, "ok": result.ok,
                             "kits": [{"kit": k.kit, "state": k.state, "done": k.done, "detail": k.detail,
                                       "seconds": k.seconds} for k in result.kits]}, headers=_HEADERS)

    async def names(self, request: Request) -> Response:
        session, fields, refusal = await self._teacher_request(request)
        if refusal is not None:
            return refusal
        self.state.show_names(bool(fields.get("on")))
        return JSONResponse({"names": self.state.names}, headers=_HEADERS)


def _safe_next(value) -> str:
    """Only a path of this site (no ``//host``), so the login cannot send anyone elsewhere."""
    value = str(value or "/")
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


def create_app(settings: Settings, state: ClassState, static_dir: str, on_hub=None) -> Starlette:
    """The Starlette app; the hub starts with the app's loop (``on_hub(hub, loop)`` is told)."""
    dash = Dashboard(settings, state)
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        dash.hub = Hub(state)
        dash.hub.start()
        if on_hub:
            on_hub(dash.hub, asyncio.get_running_loop())
        try:
            yield
        finally:
            await dash.hub.stop()

    routes = [
        Route("/", dash.class_view), Route("/events", dash.events), Route("/api/class", dash.class_json),
        Route("/kit/{class_id}/{kit}", dash.kit), Route("/student/{class_id}/{student}", dash.student),
        Route("/attachment/{sha}", dash.attachment), Route("/record/{sha}", dash.record),
        Route("/login", dash.login_form, methods=["GET"]), Route("/login", dash.login, methods=["POST"]),
        Route("/logout", dash.logout, methods=["POST"]), Route("/teacher", dash.teacher),
        Route("/api/control", dash.control, methods=["POST"]), Route("/api/names", dash.names, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=static_dir), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.dashboard = dash
    return app
