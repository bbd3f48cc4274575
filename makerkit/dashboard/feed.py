"""The dashboard's one MQTT subscription (read-only: a ``dashboard`` login is enough) and its view of
the portfolio store (holders, names, the kits' latest lesson runs), refreshed in the background.

The subscription speaks MQTT 3.1.1, which both of makerkit's brokers (mosquitto and the built-in
amqtt) accept, with a clean session: a dashboard shows what happens now; the retained statuses tell
it who is online the moment it connects.
"""

from __future__ import annotations

import os
import socket
import threading

from ..errors import BrokerError, StoreError
from ..mqtt.connection import MqttConnection
from ..protocol import telemetry as tm
from ..store import open_store
from .state import ClassState

ROSTER_EVERY = 10.0      # seconds between two looks at the store (holders, names, lesson runs)
KINDS = ("telemetry", "status", "event")


def subscriptions(classes) -> list[tuple[str, int]]:
    wanted = list(classes) or [None]
    return [(tm.subscription(c, kind), 1) for c in wanted for kind in KINDS]


class Feed:
    """``Feed(broker, state, ...).start()`` connects (raising a bilingual :class:`BrokerError` when it
    cannot) and keeps reconnecting by itself afterwards; ``stop()`` ends it."""

    def __init__(self, broker: str, state: ClassState, *, username: str | None = None,
                 password: str | None = None, on_connected=None):
        self.broker = broker
        self.state = state
        client_id = f"dashboard-{socket.gethostname()[:20]}-{os.getpid()}-{id(self) % 10000}"
        self.conn = MqttConnection(broker, client_id, username=username, password=password,
                                   subscriptions=subscriptions(state.classes), on_message=self._on_message,
                                   protocol="3.1.1", on_connect=lambda _present: on_connected and on_connected(True))

    def _on_message(self, msg) -> None:
        self.state.on_message(msg.topic, msg.payload, msg.received)

    def start(self, timeout: float = 5.0) -> "Feed":
        try:
            self.conn.start(timeout=timeout)
        except BrokerError as exc:
            raise BrokerError(
                en=f"The dashboard cannot subscribe to the class broker: {exc.message_en}",
                zh=f"看板无法订阅班级 MQTT 服务器：{exc.message_zh}",
                hint_en="Check --broker (mqtt://HOST:PORT) and that the broker runs; beyond the laptop give a "
                        "dashboard or teacher login (--username, and MAKERKIT_MQTT_PASSWORD).",
                hint_zh="请检查 --broker（mqtt://主机:端口）以及服务器是否在运行；不在本机时请提供看板或教师账号"
                        "（--username，密码放在 MAKERKIT_MQTT_PASSWORD）。") from None
        return self

    @property
    def connected(self) -> bool:
        return self.conn.is_connected

    def stop(self) -> None:
        self.conn.stop()


def check_store(db: str) -> None:
    """Open the portfolio once, so a wrong ``--db`` is said at start, in both languages."""
    if db.startswith("sqlite:"):
        path = db.split("sqlite:///", 1)[-1]
        if path and path != ":memory:" and not os.path.exists(path):
            raise StoreError(en=f"There is no portfolio at {path}.", zh=f"找不到作品集文件 {path}。",
                             hint_en="Give the portfolio the collector writes (makerkit collect --db ...), "
                                     "e.g. --db sqlite:///classroom.db.",
                             hint_zh="请给出数据收集器写入的作品集（makerkit collect --db ...），例如 --db sqlite:///classroom.db。")
    try:
        open_store(db).close()
    except StoreError:
        raise
    except Exception as exc:        # the engine's own error (server down, no such database)
        raise StoreError(en=f"Cannot open the portfolio {db.split('@')[-1]}: {exc}",
                         zh=f"无法打开作品集 {db.split('@')[-1]}：{exc}",
                         hint_en="Check --db and that the database server runs.",
                         hint_zh="请检查 --db 以及数据库服务器是否在运行。") from None


class RosterRefresher:
    """Reads holders, display names and lesson runs of the watched classes every ``every`` seconds on
    its own thread (the store is never touched on the web server's loop)."""

    def __init__(self, db: str, state: ClassState, every: float = ROSTER_EVERY):
        self.db = db
        self.state = state
        self.every = every
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="makerkit-dashboard-roster", daemon=True)

    def start(self) -> "RosterRefresher":
        self.refresh_once()
        self._thread.start()
        return self

    def refresh_once(self) -> None:
        with open_store(self.db) as store:
            classes = self.state.classes or tuple(c["id"] for c in store.classes())
            for class_id in classes:
                kits = [k["kit"] for k in store.kits(class_id)]
                groups = {g["id"]: g["name"] for g in store.groups(class_id)}
                self.state.set_roster(class_id, kits, store.current_holders(class_id),
                                      store.display_names(class_id), groups, store.latest_lesson_runs(class_id),
                                      store.latest_lesson_checks(class_id))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.refresh_once()
                self.error = None
            except Exception as exc:   # a locked or unreachable store: shown on the teacher's page, retried
                self.error = exc

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
