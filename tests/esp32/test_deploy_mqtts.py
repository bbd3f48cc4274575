"""``makerkit deploy --broker 'mqtts://HOST:PORT?ca=CERTS/ca.pem'``: the class CA goes onto the kit with its
config, the kit (a virtual ESP32 running the real firmware) connects over TLS to a mosquitto that enforces
the class's access rules, and its reading is stored under the student who holds it. mqtts:// without a CA,
or with a file that is not the class CA, is refused before the port is opened, saying how to make one."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

import makerkit
from makerkit.access.certs import create_ca
from makerkit.access.logins import issue_login
from makerkit.access.mosquitto import render_mosquitto
from makerkit.broker import mosquitto_path
from makerkit.classroom.provision import provision
from makerkit.collector import Collector
from makerkit.errors import UsageError
from makerkit.flash.deploy import deploy
from makerkit.roster.importer import import_roster
from makerkit.sim import serve
from makerkit.store import open_store

UNUSED_PORT = "socket://127.0.0.1:9"      # nothing is opened: the refusals come first


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def test_mqtts_without_a_class_ca_is_refused_with_how_to_make_one():
    with pytest.raises(UsageError) as err:
        deploy(port=UNUSED_PORT, kit_id="kit-01", class_id="7a", broker="mqtts://127.0.0.1:8883")
    assert "makerkit access ca --out CERTS --host HOST" in err.value.hint_en
    assert "makerkit access ca" in err.value.hint_zh and "班级 CA" in err.value.message_zh
    for lang, said in (("en", "makerkit access ca --out CERTS"), ("zh", "先运行 makerkit access ca")):
        out = subprocess.run([sys.executable, "-m", "makerkit", "deploy", "--port", UNUSED_PORT, "--kit-id", "kit-01",
                              "--class", "7a", "--broker", "mqtts://127.0.0.1:8883"], capture_output=True, text=True,
                             timeout=60, env=dict(os.environ, MAKERKIT_LANG=lang))
        assert out.returncode == 2 and said in out.stderr, out.stderr


@pytest.mark.parametrize("which", ["key", "broker certificate", "missing", "not a certificate"])
def test_only_the_class_ca_goes_onto_a_kit(tmp_path, which):
    tls = create_ca(str(tmp_path / "certs"))
    (tmp_path / "notes.txt").write_text("hello")
    path = {"key": tls.keyfile.replace("broker-key", "ca-key"), "broker certificate": tls.certfile,
            "missing": str(tmp_path / "nothing.pem"), "not a certificate": str(tmp_path / "notes.txt")}[which]
    with pytest.raises(UsageError) as err:
        deploy(port=UNUSED_PORT, kit_id="kit-01", class_id="7a", broker=f"mqtts://127.0.0.1:8883?ca={path}")
    said = {"key": "private key", "broker certificate": "not a CA", "missing": "no such file",
            "not a certificate": "no certificate"}[which]
    assert said in err.value.message_en and "ca.pem" in err.value.hint_en
    if which == "key":
        with open(path, encoding="ascii") as fh:
            assert fh.read().splitlines()[1] not in str(err.value)          # the key is never shown


def _der(pem_path: str) -> bytes:
    with open(pem_path, "rb") as fh:
        return x509.load_pem_x509_certificate(fh.read()).public_bytes(Encoding.DER)


class ClassBroker:
    """mosquitto on the configuration ``makerkit broker config --tls-dir`` writes (TLS listener, access rules)."""

    def __init__(self, store, tmp_path, tls):
        self.port = free_port()
        self.out = str(tmp_path / "broker")
        self.listen = f"127.0.0.1:{self.port}"
        self.tls = tls
        render_mosquitto(store, listen=self.listen, out_dir=self.out, tls=tls)
        self.log = open(tmp_path / "mosquitto.log", "ab")
        self.proc = subprocess.Popen([mosquitto_path(), "-c", os.path.join(self.out, "mosquitto.conf")],
                                     stdout=self.log, stderr=self.log)
        wait_port(self.port)

    def reload(self, store) -> None:
        """The kit's new login into the broker's files, then SIGHUP: mosquitto reads them again."""
        render_mosquitto(store, listen=self.listen, out_dir=self.out, tls=self.tls)
        os.kill(self.proc.pid, signal.SIGHUP)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        self.log.close()


@pytest.mark.skipif(mosquitto_path() is None, reason="mosquitto not installed")
def test_deploy_mqtts_puts_the_ca_on_the_kit_and_its_reading_lands_under_its_student(tmp_path, caplog):
    db = f"sqlite:///{tmp_path}/portfolio.db"
    tls = create_ca(str(tmp_path / "certs"))
    (tmp_path / "roster.csv").write_text("name\n李雷\n", encoding="utf-8")
    with open_store(db) as store:
        student = import_roster(store, "7a", tmp_path / "roster.csv").added[0]
        collector = issue_login(store, class_id="7a", role="collector", name="room")
        broker = ClassBroker(store, tmp_path, tls)
    srv = serve("esp32", listen="127.0.0.1:0", fs_dir=tmp_path / "kit")
    col = None
    try:
        with caplog.at_level(logging.DEBUG):
            result = deploy(port=srv.url, kit_id="kit-01", class_id="7a", wifi_ssid="lab", db=db, timeout=15,
                            broker=f"mqtts://127.0.0.1:{broker.port}?ca={tls.cafile}")
        assert result.confirmed and "/ca.der" in result.copied
        assert (tmp_path / "kit" / "ca.der").read_bytes() == _der(tls.cafile)
        config = json.loads((tmp_path / "kit" / "makerkit.json").read_text())
        assert config["broker"] == f"mqtts://127.0.0.1:{broker.port}" and config["username"] == "7a.kit-01"
        with open_store(db) as store:
            broker.reload(store)
            store.assign("7a", "kit-01", student=student)
        col = Collector(f"mqtts://127.0.0.1:{broker.port}?ca={tls.cafile}", db, collector_id="room",
                        username=collector.username, password=collector.password, classes=["7a"]).start()
        with makerkit.connect(srv.url, timeout=5) as kit:
            kit.publish("temperature", 22.5, unit="°C")
        deadline = time.monotonic() + 30
        while col.store.count("kit-01", "7a") < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        rows = list(col.store.export(kit="kit-01"))
        assert [r["value"] for r in rows] == [22.5]
        assert rows[0]["student"] == student
    finally:
        if col is not None:
            col.stop()
        srv.close()
        broker.close()
    seen = caplog.text + repr(result)
    assert config["password"] not in seen and collector.password not in seen


def test_class_provision_gives_every_kit_the_class_ca(tmp_path):
    db = f"sqlite:///{tmp_path}/portfolio.db"
    (tmp_path / "roster.csv").write_text("name\n韩梅梅\n", encoding="utf-8")
    with open_store(db) as store:
        import_roster(store, "7a", tmp_path / "roster.csv")
    with pytest.raises(UsageError) as err:                          # before any board is touched
        provision(db=db, class_id="7a", board="esp32", ports=[UNUSED_PORT], broker="mqtts://127.0.0.1:8883")
    assert "makerkit access ca" in err.value.hint_en
    tls = create_ca(str(tmp_path / "certs"))
    broker = f"mqtts://127.0.0.1:{free_port()}"                     # no broker there: the kit only retries
    srv = serve("esp32", listen="127.0.0.1:0", fs_dir=tmp_path / "kit")
    try:
        result = provision(db=db, class_id="7a", board="esp32", ports=[srv.url], wifi_ssid="lab",
                           broker=f"{broker}?ca={tls.cafile}")
    finally:
        srv.close()
    assert not result.failed, result.outcomes
    assert (tmp_path / "kit" / "ca.der").read_bytes() == _der(tls.cafile)
    assert json.loads((tmp_path / "kit" / "makerkit.json").read_text())["broker"] == broker
