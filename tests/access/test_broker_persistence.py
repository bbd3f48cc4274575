"""A class broker that keeps what it holds across a restart: ``makerkit broker run --engine mosquitto`` (a real
subprocess, its mosquitto a real one) keeps a collector's session with the readings queued for it while it
was away, and the kits' retained statuses, in its data folder (next to the SQLite portfolio by default, or
``--data-dir``); ``classroom up`` on mosquitto keeps its broker's files next to its portfolio."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from makerkit.broker import mosquitto_path
from makerkit.classroom.room import Classroom
from makerkit.mqtt.connection import MqttConnection

from support.brokers import free_port, wait_port
from support.waiting import wait_until

from .conftest import ClassBroker, make_logins
from .test_broker_rules import Client, T

pytestmark = pytest.mark.skipif(mosquitto_path() is None, reason="mosquitto not installed")
ENV = {**os.environ, "MAKERKIT_LANG": "en"}


def _broker_run(db: str, port: int, log_path, *extra) -> subprocess.Popen:
    log = open(log_path, "a")
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "broker", "run", "--db", db, "--engine", "mosquitto",
                             "--listen", f"127.0.0.1:{port}", *extra], stdout=log, stderr=log, env=ENV)
    log.close()
    wait_port(port, timeout=30)
    return proc


def _stop(proc: subprocess.Popen, port: int) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0
    wait_port(port, up=False)


def _collector(url: str, cred, got: list) -> MqttConnection:
    """The collector's own session: kept by the broker for an hour after it goes away."""
    return MqttConnection(url, "room-12", username=cred.username, password=cred.password,
                          subscriptions=[(f"{T}/+/telemetry", 1)], clean_start=False, session_expiry=3600,
                          on_message=lambda msg: got.append(msg.payload))


@pytest.mark.parametrize("data_dir", [None, "term-broker"])
def test_broker_run_on_mosquitto_keeps_sessions_and_retained_messages_across_a_restart(tmp_path, data_dir):
    db = f"sqlite:///{tmp_path}/portfolio.db"
    store, creds = make_logins(db)
    store.close()
    port, log = free_port(), tmp_path / "broker-run.log"
    extra = ("--data-dir", str(tmp_path / data_dir)) if data_dir else ()
    kept = tmp_path / (data_dir or "portfolio.db.broker")
    url = f"mqtt://127.0.0.1:{port}"
    cb = ClassBroker("mosquitto", url, "5", creds)
    proc = _broker_run(db, port, log, *extra)
    try:
        got: list[bytes] = []
        _collector(url, creds["collector"], got).start(10).stop()      # subscribed, then away
        kit = Client(cb, "kit-a").start()
        sent = [kit.conn.publish(f"{T}/kit-a/status", b'{"v":1,"online":true}', 1, True)]
        sent += [kit.conn.publish(f"{T}/kit-a/telemetry", b'{"v":1,"seq":%d}' % n, 1, False) for n in range(1, 4)]
        for info in sent:
            info.wait_for_publish(10)                                   # the broker has them (PUBACK)
            assert info.is_published()
        kit.close()
    finally:
        _stop(proc, port)
    assert (kept / "data" / "mosquitto.db").is_file() and "sessions and retained messages kept in" in log.read_text()
    proc = _broker_run(db, port, log, *extra)
    try:
        collector = _collector(url, creds["collector"], got).start(10)
        dashboard = Client(cb, "dashboard", [f"{T}/+/status"]).start()
        try:
            dashboard.wait_for(f"{T}/kit-a/status")                   # retained across the restart
            wait_until(lambda: len(got) >= 3, 10, what="the readings queued for the collector while it was away")
            assert got == [b'{"v":1,"seq":%d}' % n for n in range(1, 4)]
        finally:
            collector.stop()
            dashboard.close()
    finally:
        _stop(proc, port)


def test_classroom_up_on_mosquitto_keeps_its_broker_next_to_the_portfolio(tmp_path):
    db = tmp_path / "room.db"
    room = Classroom(kits=1, db=str(db), engine="mosquitto", port=free_port(), interval=0.2).start()
    try:
        assert room.broker.data_dir == f"{db}.broker"
    finally:
        room.stop()
    assert (tmp_path / "room.db.broker" / "mosquitto.conf").is_file()
    assert (tmp_path / "room.db.broker" / "data" / "mosquitto.db").is_file()
