"""mqtts:// on the virtual ESP32: the real firmware (its TLS set-up, ``mkfw.tls``, on CPython's ssl) with the
class CA in its ``/ca.der`` reaches a TLS listener and its readings are stored; a kit holding another CA,
or given an address the broker's certificate does not name, is refused, and ``makerkit info`` says why in
both languages."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

import makerkit
from makerkit.access.certs import create_ca
from makerkit.broker import EmbeddedBroker, mosquitto_path
from makerkit.cli.info import describe
from makerkit.collector import Collector
from makerkit.device.probe import probe
from makerkit.sim import serve


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _der(pem_path: str) -> bytes:
    with open(pem_path, "rb") as fh:
        return x509.load_pem_x509_certificate(fh.read()).public_bytes(Encoding.DER)


def _tls_broker(tmp_path, host: str = "127.0.0.1", engine: str | None = None):
    tls = create_ca(str(tmp_path / "certs"))
    engine = engine or ("mosquitto" if mosquitto_path() else "amqtt")
    return EmbeddedBroker(engine=engine, host=host, port=_free_port(), tls=tls), tls


ENGINES = [pytest.param("amqtt", id="amqtt"),
           pytest.param("mosquitto", id="mosquitto", marks=pytest.mark.skipif(mosquitto_path() is None,
                                                                              reason="mosquitto not installed"))]


def _kit(tmp_path, name: str, ca_pem: str, broker: str):
    """A virtual ESP32 served on a socket, whose flash holds a config and a CA as deploy writes them."""
    fs = tmp_path / name
    fs.mkdir()
    (fs / "ca.der").write_bytes(_der(ca_pem))
    (fs / "makerkit.json").write_text(json.dumps({"kit": name, "class": "7a", "wifi_ssid": "lab", "broker": broker}))
    return serve("esp32", listen="127.0.0.1:0", fs_dir=fs)


def _net_code(url: str, timeout: float = 15.0):
    """The kit's ``net`` code, once its firmware has tried its broker (probe: MK_IDENTITY)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe(url, timeout=5)
        if result.identity.get("net"):
            return result
        time.sleep(0.2)
    raise AssertionError(f"the kit on {url} never reported why it is not connected")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_kit_with_the_class_ca_publishes_over_mqtts(tmp_path, engine):
    broker, tls = _tls_broker(tmp_path, engine=engine)      # what makerkit broker run --tls-dir starts
    broker.start()
    col = Collector(broker.url, f"sqlite:///{tmp_path}/portfolio.db", collector_id="room",
                    protocol=broker.protocol).start()
    srv = _kit(tmp_path, "kit-01", tls.cafile, f"mqtts://127.0.0.1:{broker.port}")
    try:
        with makerkit.connect(srv.url, timeout=5) as kit:
            kit.publish("temperature", 21.5, unit="°C")
        deadline = time.monotonic() + 20
        while col.store.count("kit-01", "7a") < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert col.store.count("kit-01", "7a") == 1
        assert "net" not in probe(srv.url, timeout=5).identity
    finally:
        srv.close()
        col.stop()
        broker.stop()


@pytest.mark.parametrize("case", ["another CA", "another address"])
def test_a_broker_certificate_that_does_not_verify_is_refused_and_info_says_why(tmp_path, case):
    # the certificate names 127.0.0.1, localhost and this computer; 127.0.0.2 is loopback too, but not in it
    broker, tls = _tls_broker(tmp_path, "127.0.0.1" if case == "another CA" else "127.0.0.2")
    if case == "another CA":      # certificates made again in another folder: a CA the broker never used
        ca, code = create_ca(str(tmp_path / "other")).cafile, "tls_ca"
    else:                         # the right CA, but the kit asks for an address the certificate lacks
        ca, code = tls.cafile, "tls_host"
    broker.start()
    srv = _kit(tmp_path, "kit-02", ca, f"mqtts://{broker.host}:{broker.port}")
    try:
        result = _net_code(srv.url)
        assert result.identity["net"] == code
        en, zh = "\n".join(describe(result, "en")), "\n".join(describe(result, "zh"))
        assert ("not signed by the class CA" if code == "tls_ca" else "does not name the address") in en
        assert ("不是套件里的班级 CA 签发的" if code == "tls_ca" else "证书里没有套件设置中的服务器地址") in zh
        assert "What to try" in en and "试试" in zh and "makerkit" in en
    finally:
        srv.close()
        broker.stop()


def test_classroom_up_with_tls_dir_serves_mqtts_and_its_virtual_kits_check_the_ca(tmp_path):
    create_ca(str(tmp_path / "certs"))
    out = subprocess.run([sys.executable, "-m", "makerkit", "classroom", "up", "--duration", "4", "--kits", "2",
                          "--db", str(tmp_path / "room.db"), "--port", str(_free_port()), "--interval", "0.5",
                          "--no-dashboard", "--tls-dir", str(tmp_path / "certs")],
                         capture_output=True, text=True, timeout=90, cwd=tmp_path,
                         env=dict(os.environ, MAKERKIT_LANG="en"))
    assert out.returncode == 0, out.stderr
    assert "Broker mqtts://127.0.0.1:" in out.stdout and "demo/kit-01" in out.stdout and "demo/kit-02" in out.stdout
    for kit in ("kit-01", "kit-02"):      # each virtual kit holds the class CA, as a deployed kit does
        assert (tmp_path / "room.db.kits" / kit / "ca.der").read_bytes() == _der(str(tmp_path / "certs" / "ca.pem"))
