"""``DashboardServer``: the MQTT feed, the store refresher and the web server (uvicorn) together.

``DashboardServer(broker=..., db=..., listen="127.0.0.1:8080").start()`` returns once the page can
be opened (``.url``); ``stop()`` ends all three. :func:`run_dashboard` runs one until a stop event
(``makerkit dashboard``). uvicorn runs on its own thread with its own event loop, so the same class
serves the command, ``makerkit classroom up`` and the tests.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time

from ..classroom.control import send_control
from ..errors import UsageError
from ..protocol.telemetry import check_id
from .app import Settings, create_app
from .auth import open_view_for
from .feed import Feed, RosterRefresher, check_store
from .state import ClassState

STATIC = os.path.join(os.path.dirname(__file__), "static")
START_TIMEOUT = 10.0     # seconds for the web server to start listening
BROKER_WATCH = 1.0       # seconds between two looks at the broker connection (shown on the pages)


def parse_listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) -> (host, port)."""
    host, sep, port = listen.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(en=f"--listen {listen!r} is not HOST:PORT.", zh=f"--listen {listen!r} 不是 主机:端口 的形式。",
                         hint_en="For example --listen 127.0.0.1:8080 (this laptop only) or 0.0.0.0:8080 (the class "
                                 "network; logins needed).",
                         hint_zh="例如 --listen 127.0.0.1:8080（只有本机）或 0.0.0.0:8080（班级网络，需要登录）。")
    return host, int(port)


def preferred_listen(host: str, port: int = 8080) -> str:
    """``host:port`` when that port is free, else ``host:0`` (any free port; the server's ``url`` says which)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            port = 0
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(en=f"The dashboard cannot listen on {host}:{port}: {exc.strerror or exc}.",
                         zh=f"看板无法在 {host}:{port} 上监听：{exc.strerror or exc}。",
                         hint_en="Another program may use that port: pick another one with --listen HOST:PORT.",
                         hint_zh="可能有别的程序占用了这个端口：请用 --listen 主机:端口 换一个。") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


class DashboardServer:
    def __init__(self, *, broker: str, db: str, listen: str = "127.0.0.1:8080", classes=(),
                 username: str | None = None, password: str | None = None, open_view: bool | None = None,
                 roster_every: float = 10.0):
        self.host, self.port = parse_listen(listen)
        classes = tuple(check_id(c, "class") for c in classes)
        self.state = ClassState(classes)
        open_view = open_view_for(self.host) if open_view is None else open_view
        self.settings = Settings(broker=broker, db=db, classes=classes, open_view=open_view, control=send_control,
                                 broker_login=bool(username))
        self.broker, self.db = broker, db
        self.username, self.password = username, password
        self.roster_every = roster_every
        self.feed: Feed | None = None
        self.refresher: RosterRefresher | None = None
        self._server = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.hub = None
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def start(self) -> "DashboardServer":
        check_store(self.db)
        self._sock = _bind(self.host, self.port)
        self.port = self._sock.getsockname()[1]
        try:
            self.refresher = RosterRefresher(self.db, self.state, self.roster_every).start()
            self.feed = Feed(self.broker, self.state, username=self.username, password=self.password).start()
            self._start_web()
        except BaseException:
            self.stop()
            raise
        return self

    def _on_hub(self, hub, loop) -> None:
        self.hub, self.loop = hub, loop
        loop.create_task(self._watch_broker(hub))

    async def _watch_broker(self, hub) -> None:
        up = True
        while not hub.closing.is_set():
            await asyncio.sleep(BROKER_WATCH)
            now_up = bool(self.feed and self.feed.connected)
            if now_up != up:
                up = now_up
                hub.notice(broker=up)

    def _start_web(self) -> None:
        import uvicorn
        app = create_app(self.settings, self.state, STATIC, on_hub=self._on_hub)
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2,
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name="makerkit-dashboard-web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise UsageError(en=f"The dashboard's web server did not start on {self.host}:{self.port}.",
                                 zh=f"看板的网页服务器没能在 {self.host}:{self.port} 上启动。")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.loop is not None and self.hub is not None and not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(self.hub.end_streams)
            except RuntimeError:      # the loop ended meanwhile
                pass
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if self.feed is not None:
            self.feed.stop()
        if self.refresher is not None:
            self.refresher.stop()
        if self._sock is not None:
            self._sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def run_dashboard(*, broker: str, db: str, listen: str, classes=(), username=None, password=None,
                  stop_event: threading.Event | None = None, on_started=None) -> None:
    """Serve the dashboard until ``stop_event`` is set."""
    stop_event = stop_event or threading.Event()
    server = DashboardServer(broker=broker, db=db, listen=listen, classes=classes, username=username,
                             password=password).start()
    try:
        if on_started:
            on_started(server)
        while not stop_event.wait(0.5):
            if server._thread is not None and not server._thread.is_alive():
                break
    finally:
        server.stop()
