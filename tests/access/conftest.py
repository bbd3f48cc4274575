"""A class broker with logins for the access tests: a real mosquitto started here with the configuration
``render_mosquitto`` writes, or the embedded amqtt broker with the same logins; plain or over TLS."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass, field

import pytest

from makerkit.access.certs import create_ca
from makerkit.access.logins import issue_login
from makerkit.access.mosquitto import render_mosquitto
from makerkit.broker import EmbeddedBroker, mosquitto_path
from makerkit.store import open_store

from support.brokers import free_port, wait_port

ROLES = {"kit-a": ("kit", "kit-a"), "kit-b": ("kit", "kit-b"), "collector": ("collector", "room"),
         "dashboard": ("dashboard", "hall"), "teacher": ("teacher", "li")}


@dataclass
class ClassBroker:
    engine: str
    url: str
    protocol: str
    creds: dict = field(default_factory=dict)      # role key -> Credentials
    out_dir: str = ""
    log_path: str = ""                             # mosquitto's log (shown when a test's wait runs out)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path or not os.path.exists(self.log_path):
            return "(no broker log)"
        with open(self.log_path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")


def make_logins(db_url: str) -> tuple[object, dict]:
    store = open_store(db_url)
    store.add_class("7a")
    creds = {}
    for key, (role, name) in ROLES.items():
        creds[key] = issue_login(store, class_id="7a", role=role, name=name,
                                 kit=name if role == "kit" else None)
    return store, creds


def start_mosquitto(out_dir: str, log_path: str) -> subprocess.Popen:
    log = open(log_path, "ab")
    proc = subprocess.Popen([mosquitto_path(), "-c", os.path.join(out_dir, "mosquitto.conf")], stdout=log, stderr=log)
    log.close()
    return proc


@pytest.fixture(params=[
    pytest.param(("mosquitto", False), id="mosquitto", marks=pytest.mark.skipif(mosquitto_path() is None,
                                                                                 reason="mosquitto not installed")),
    pytest.param(("mosquitto", True), id="mosquitto-tls", marks=pytest.mark.skipif(mosquitto_path() is None,
                                                                                     reason="mosquitto not installed")),
    pytest.param(("amqtt", False), id="amqtt"),
    pytest.param(("amqtt", True), id="amqtt-tls"),
])
def class_broker(request, tmp_path):
    engine, use_tls = request.param
    store, creds = make_logins(f"sqlite:///{tmp_path}/portfolio.db")
    tls = create_ca(str(tmp_path / "certs")) if use_tls else None
    port = free_port()
    scheme = f"mqtts://127.0.0.1:{port}?ca={tls.cafile}" if tls else f"mqtt://127.0.0.1:{port}"
    if engine == "mosquitto":
        out = str(tmp_path / "broker")
        render_mosquitto(store, listen=f"127.0.0.1:{port}", out_dir=out, tls=tls)
        log_path = str(tmp_path / "mosquitto.log")
        proc = start_mosquitto(out, log_path)
        try:
            wait_port(port)
            yield ClassBroker(engine, scheme, "5", creds, out, log_path)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
                proc.wait(10)
            store.close()
        return
    broker = EmbeddedBroker(engine="amqtt", port=port, logins=store.logins(), tls=tls).start()
    try:
        yield ClassBroker(engine, scheme, "3.1.1", creds)
    finally:
        broker.stop()
        store.close()
