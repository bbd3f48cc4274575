"""``makerkit classroom up``: the one-laptop classroom in one process.

It starts an MQTT broker (amqtt, built in; or mosquitto when asked and installed), the collector
writing into a SQLite portfolio, and ``kits`` virtual ESP32 kits. Each virtual kit runs the real
firmware in real time; a small lesson loop per kit reads its AHT20 (temperature, humidity) and its
light sensor and calls ``kit.publish(...)``, and the firmware publishes over its (simulated) WiFi to
the broker with the very calls an ESP32 makes. Every reading that lands in the portfolio is passed
to ``on_reading``; ``on_warning`` hears when the load nears what the broker carries.

With ``tls`` (``classroom up --tls-dir CERTS``) the broker serves ``mqtts://`` with the broker certificate
of ``makerkit access ca``; the virtual kits hold the class CA as a deployed kit does and check it.

Like real boards, the virtual kits keep their flash between runs in a folder next to the portfolio
(``classroom.db.kits/kit-01/``, holding ``/makerkit.json`` and ``/mkfw_state.json``): a second
``classroom up`` on the same portfolio boots them with the next boot number and their ``seq``
continues, so the collector stores the new readings instead of taking them for redeliveries. A mosquitto
broker (``engine="mosquitto"``) keeps its files, sessions and retained messages in ``classroom.db.broker/``.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from mkfw.tls import CA_FILE

from ..access.logins import Credentials
from ..access.mosquitto import TlsFiles
from ..broker import EmbeddedBroker, _port_free, is_loopback
from ..collector import Collector
from ..flash.kit_files import kit_broker
from ..protocol import firmata as fm
from ..protocol.telemetry import check_id, iso_utc
from ..store import open_store
from .room_logins import room_kit_ids, room_logins


@dataclass
class ClassroomSummary:
    db_url: str
    db_path: str
    broker_url: str
    broker_engine: str
    kits: list = field(default_factory=list)
    stored: int = 0
    quarantined: int = 0
    duration_s: float = 0.0


def _free_port(host: str) -> int:
    import socket
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class _Aht20:
    """Temperature and humidity from the kit's AHT20 (I2C 0x38) through Adafruit's CircuitPython
    driver (a makerkit dependency, as lesson 11's scripts use it); the room's kit runs on the real
    clock, so the driver's own ``time.sleep`` waits are right."""

    def __init__(self, i2c):
        import adafruit_ahtx0
        self.driver = adafruit_ahtx0.AHTx0(i2c)

    def read(self) -> tuple[float, float]:
        return self.driver.temperature, self.driver.relative_humidity


def _room_devices(db_url: str, class_id: str, kits: int, kits_dir: str,
                  beyond_loopback: bool) -> tuple[list[str], dict[str, Credentials], list[dict] | None]:
    """The virtual kits' ids (never a real kit's of the class) and, beyond loopback, the room's own logins
    (in memory) and the broker's (:mod:`makerkit.classroom.room_logins`)."""
    with open_store(db_url) as store:
        store.add_class(class_id)                 # kept as it is when the class was imported
        kit_ids = room_kit_ids(store, class_id, kits, kits_dir)
        if not beyond_loopback:
            return kit_ids, {}, None
        own, broker_logins = room_logins(store, class_id, kit_ids)
        return kit_ids, own, broker_logins


class _LessonLoop:
    """One virtual kit and the lesson code that publishes its sensors every ``interval`` seconds."""

    def __init__(self, index: int, kit_id: str, class_id: str, broker_url: str, interval: float,
                 stop: threading.Event, kits_dir: str | None = None, login: Credentials | None = None):
        import makerkit
        self.kit_id = kit_id
        self.index = index
        self.interval = interval
        self.stop = stop
        self.error: BaseException | None = None
        # like a real board, the kit keeps its flash (boot counter, next seq) between classroom runs
        fs_dir = os.path.join(kits_dir, self.kit_id) if kits_dir else None
        self.kit = makerkit.connect("sim://esp32", clock="real", fs_dir=fs_dir)
        broker_url, ca = kit_broker(broker_url)       # mqtts://: the class CA in the kit's flash, as deploy does
        if ca is not None:
            self.kit.sim.fs.write("/" + CA_FILE, ca)
        self.kit.configure(kit=self.kit_id, class_=class_id, wifi_ssid="classroom", broker=broker_url,
                           **({"username": login.username, "password": login.password} if login else {}))
        # a kit on WiFi learns the time (NTP on an ESP32); here the laptop tells it, so records carry "time"
        self.kit.client.send(fm.mk_telemetry_clock(iso_utc(time.time())))
        self.thread = threading.Thread(target=self._run, name=f"makerkit-classroom-{self.kit_id}", daemon=True)

    def _run(self) -> None:
        try:
            aht = _Aht20(self.kit.i2c())
            world = self.kit.sim.world
            light = self.kit.light_sensor(world.light_pin)
            start = time.monotonic()
            while not self.stop.is_set():
                t = time.monotonic() - start
                world.set_light(0.5 + 0.35 * math.sin(t / 7 + self.index))    # clouds passing by the window
                temperature, humidity = aht.read()
                self.kit.publish("temperature", round(temperature, 2), unit="°C")
                self.kit.publish("humidity", round(humidity, 1), unit="%")
                self.kit.publish("light", round(light.value, 3))
                self.stop.wait(self.interval)
        except BaseException as exc:  # shown by the classroom, never lost on this thread
            if not self.stop.is_set():
                self.error = exc

    def close(self) -> None:
        self.thread.join(5)
        self.kit.close()


class Classroom:
    """``Classroom(kits=3, db="classroom.db").start()`` ... ``stop()`` -> :class:`ClassroomSummary`."""

    def __init__(self, *, kits: int = 3, db: str = "classroom.db", class_id: str = "demo",
                 engine: str = "auto", host: str = "127.0.0.1", port: int | None = None, interval: float = 1.0,
                 on_reading: Callable | None = None, on_warning: Callable | None = None, tls: TlsFiles | None = None):
        self.kits_wanted = max(0, int(kits))
        self.db_path = os.path.abspath(db)
        self.db_url = f"sqlite:///{self.db_path}"
        self.kits_dir = self.db_path + ".kits"    # each virtual kit's flash: classroom.db.kits/kit-01/
        self.class_id = check_id(class_id, "class")
        self.interval = interval
        self.on_reading = on_reading
        self.on_warning = on_warning
        self.port_moved = False
        self.default_port = 8883 if tls else 1883
        if port is None:             # 1883 (8883) unless something already listens there (a system mosquitto)
            port = self.default_port if _port_free(host, self.default_port) else _free_port(host)
            self.port_moved = port != self.default_port
        # the virtual kits never take a real kit's id; beyond loopback the broker enforces the class's access
        # rules: the logins made with `makerkit access add` / deploy, and in-memory ones for the room's own
        self.kit_ids, self.logins, broker_logins = _room_devices(self.db_url, self.class_id, self.kits_wanted,
                                                                 self.kits_dir, not is_loopback(host))
        # with mosquitto, its sessions and retained messages stay next to the portfolio across runs
        self.broker = EmbeddedBroker(engine=engine, host=host, port=port, logins=broker_logins, tls=tls,
                                     data_dir=self.db_path + ".broker")
        self.collector: Collector | None = None
        self.loops: list[_LessonLoop] = []
        self._stop = threading.Event()
        self._started = 0.0
        self._warned = False

    def _batch(self, records, quarantined) -> None:
        if self.on_reading:
            for item in records:
                self.on_reading(item.record)
        st = self.collector.stats if self.collector else None
        if st is not None and st.load_warning and not self._warned and self.on_warning:
            self._warned = True
            self.on_warning(st.rate, self.broker.rate_limit)

    def start(self) -> "Classroom":
        self._started = time.monotonic()
        self.broker.start()
        try:
            own = self.logins.get("collector")
            self.collector = Collector(self.broker.url, self.db_url, collector_id="classroom",
                                       username=own.username if own else None,
                                       password=own.password if own else None,
                                       protocol=self.broker.protocol, warn_rate=self.broker.rate_limit,
                                       stats_interval=2.0, on_batch=self._batch).start()
            for i, kit_id in enumerate(self.kit_ids):
                loop = _LessonLoop(i, kit_id, self.class_id, self.broker.url, self.interval, self._stop,
                                   self.kits_dir, login=self.logins.get(kit_id))
                self.loops.append(loop)
                loop.thread.start()
        except BaseException:
            self.stop()
            raise
        return self

    def check(self) -> None:
        """Raise what went wrong on a background thread (a kit's lesson loop, the collector)."""
        if self.collector:
            self.collector.raise_if_failed()
        for loop in self.loops:
            if loop.error is not None:
                raise loop.error

    def run(self, duration: float | None = None, stop_event: threading.Event | None = None) -> ClassroomSummary:
        """Run until ``duration`` seconds have passed or ``stop_event`` is set, then stop everything."""
        stop_event = stop_event or threading.Event()
        deadline = None if duration is None else time.monotonic() + duration
        try:
            while not stop_event.is_set():
                left = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
                if left <= 0:
                    break
                stop_event.wait(left)
                self.check()
        finally:
            summary = self.stop()
        return summary

    def stop(self) -> ClassroomSummary:
        self._stop.set()
        for loop in self.loops:
            loop.close()
        stats = None
        if self.collector is not None:
            self.collector.stop()
            stats = self.collector.stats
        self.broker.stop()
        return ClassroomSummary(
            db_url=self.db_url, db_path=self.db_path, broker_url=self.broker.url, broker_engine=self.broker.engine,
            kits=[loop.kit_id for loop in self.loops], stored=stats.stored if stats else 0,
            quarantined=stats.quarantined if stats else 0, duration_s=time.monotonic() - self._started)


def classroom_up(*, kits: int = 3, db: str = "classroom.db", class_id: str = "demo", engine: str = "auto",
                 host: str = "127.0.0.1", port: int | None = None, interval: float = 1.0, duration: float | None = None,
                 stop_event: threading.Event | None = None, on_reading=None, on_warning=None,
                 on_started=None, tls: TlsFiles | None = None) -> ClassroomSummary:
    """Start the classroom, run it for ``duration`` seconds (or until ``stop_event``), stop it cleanly;
    with ``tls`` (the files of ``makerkit access ca``) the broker listens for ``mqtts://`` only."""
    room = Classroom(kits=kits, db=db, class_id=class_id, engine=engine, host=host, port=port, interval=interval,
                     on_reading=on_reading, on_warning=on_warning, tls=tls)
    room.start()
    if on_started:
        on_started(room)
    return room.run(duration, stop_event)
