"""list_ports(): bridges, candidate boards and likely boards, from a faithful comports() fake."""

from __future__ import annotations

from support import fake_comports
from makerkit.transport.ports import describe_usb, list_ports


def by_port(monkeypatch):
    fake_comports.install(monkeypatch)
    return {p.port: p for p in list_ports()}


def test_clone_bridges_are_named_and_matched(monkeypatch):
    ports = by_port(monkeypatch)
    ch340 = ports["/dev/ttyUSB0"]
    assert (ch340.usb_id, ch340.bridge) == ("1A86:7523", "CH340")
    assert {"uno", "nano", "mega2560", "esp32"} <= set(ch340.candidates)
    assert ch340.is_likely_board and ch340.is_ambiguous
    ch9102 = ports["/dev/ttyUSB1"]
    assert ch9102.bridge == "CH9102" and {"esp32", "mpython"} <= set(ch9102.candidates)
    assert ch9102.serial_number == "5434011234"
    cp2102 = ports["/dev/ttyUSB2"]
    assert cp2102.bridge == "CP2102/CP2104" and "esp32" in cp2102.candidates
    ftdi = ports["/dev/ttyUSB3"]
    assert ftdi.bridge == "FT232R" and "nano" in ftdi.candidates


def test_genuine_boards_are_not_ambiguous(monkeypatch):
    ports = by_port(monkeypatch)
    uno = ports["/dev/ttyACM0"]
    assert uno.candidates == ("uno",) and uno.bridge == "ATmega16U2" and not uno.is_ambiguous
    assert "genuine Uno R3" in uno.notes
    s3 = ports["/dev/ttyACM1"]
    assert s3.candidates == ("esp32s3",) and "native" in s3.bridge


def test_other_serial_devices_are_listed_but_not_boards(monkeypatch):
    ports = by_port(monkeypatch)
    assert not ports["/dev/ttyS0"].is_likely_board and ports["/dev/ttyS0"].usb_id is None
    gps = ports["/dev/ttyUSB4"]
    assert gps.usb_id == "067B:2303" and not gps.is_likely_board and gps.candidates == ()


def test_likely_boards_come_first_and_can_be_filtered(monkeypatch):
    fake_comports.install(monkeypatch)
    order = [p.port for p in list_ports()]
    assert order[-2:] == ["/dev/ttyS0", "/dev/ttyUSB4"]
    assert order[:6] == ["/dev/ttyACM0", "/dev/ttyACM1", "/dev/ttyUSB0", "/dev/ttyUSB1",
                         "/dev/ttyUSB2", "/dev/ttyUSB3"]
    likely = list_ports(include_all=False)
    assert len(likely) == 6 and all(p.is_likely_board for p in likely)


def test_to_dict_is_json_ready(monkeypatch):
    ports = by_port(monkeypatch)
    d = ports["/dev/ttyUSB0"].to_dict()
    assert d["vid"] == "1A86" and d["pid"] == "7523" and d["usb_id"] == "1A86:7523"
    assert d["is_likely_board"] is True and d["is_ambiguous"] is True and d["description"] == "USB2.0-Serial"
    assert "clone Nano (most classroom Nanos)" in d["notes"]


def test_unknown_pid_of_a_bridge_vendor_still_counts():
    bridge, candidates, _ = describe_usb(0x1A86, 0x1234)
    assert bridge.startswith("WCH") and candidates == ()
    assert describe_usb(None, None) == (None, (), ())
