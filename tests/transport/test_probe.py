"""probe() and scan_ports() against fake boards on real ptys and sockets."""

from __future__ import annotations

import time

import pytest

from support import fake_comports
from support.fake_board import FakeBoard, FakeSocketBoard
from makerkit.errors import NoAnswerError, PortBusyError, PortNotFoundError
from makerkit.device.probe import probe, scan_ports
from makerkit.protocol import firmata as fm
from makerkit.transport import open_transport


def test_makerkit_board_reports_identity():
    with FakeBoard() as board:
        result = probe(board.port, timeout=20.0)
    assert result.is_makerkit and result.firmware == "makerkit 1.0.0"
    assert (result.board, result.board_source) == ("uno", "identity")
    assert (result.kit, result.class_name, result.boot) == ("kit-07", "7a", 12)
    assert result.protocol_version == "2.6" and result.baud == 115200
    assert "dht" in result.features
    assert result.answered_after < 5.0  # answered at once, long before the first speed's 10 s ran out
    d = result.to_dict()
    assert d["firmware"] == {"name": "makerkit", "version": "1.0.0", "file": "makerkit", "protocol": "2.6", "is_makerkit": True}
    assert d["kit"] == "kit-07" and d["class"] == "7a" and d["board"] == "uno"


def test_stock_standard_firmata_at_57600_after_its_boot_blink():
    """StandardFirmata talks at 57600 only, and only after blinking its version: the probe keeps
    asking every 250 ms (no fixed sleep), gives the first half of the timeout to 115200, then 57600.
    When exactly it switches and asks again is pinned on the handshake machine's own clock
    (tests/protocol/test_handshake_machine.py); here the real port shows that it does."""
    with FakeBoard(name="StandardFirmata.ino", version=(2, 5), baud=57600, boot_delay=0.4) as board:
        result = probe(board.port, timeout=4.0)
        asked = board.queries
    assert not result.is_makerkit and result.firmware == "StandardFirmata 2.5"
    assert result.baud == 57600 and result.kit == "" and result.identity == {}
    assert (result.board, result.board_source, result.pin_count) == ("uno", "capabilities", 20)
    assert result.answered_after >= 2.0  # only after the switch to 57600 at half the timeout
    assert asked >= 1


def test_noise_at_the_wrong_speed_switches_baud_at_once_on_avr_boards():
    """StandardFirmata announces itself at 57600 when it has booted; at 115200 that is noise, and
    for AVR candidates (silent while booting) noise means the wrong speed: switch now, not at
    half the timeout."""
    options = dict(name="StandardFirmata.ino", version=(2, 5), baud=57600, boot_delay=0.3, announce=True)
    with FakeBoard(**options) as board:
        quick = probe(board.port, timeout=30.0, candidates=("uno", "nano"))
    # switched on the noise it announced with once booted (0.3 s), not at half the timeout (15 s)
    assert quick.baud == 57600 and quick.answered_after < 10.0
    with FakeBoard(**options) as board:  # an ESP32 might print a boot log: no switching on noise
        slow = probe(board.port, timeout=4.0, candidates=("uno", "esp32"))
    assert slow.baud == 57600 and slow.answered_after >= 2.0


def test_board_answering_late_is_found_without_a_fixed_sleep():
    with FakeBoard(boot_delay=0.6) as board:
        result = probe(board.port, timeout=30.0)
    # found by a question repeated once it had booted, long before the first speed's 15 s ran out
    # (the 250 ms between questions is pinned in tests/protocol/test_handshake_machine.py)
    assert result.baud == 115200 and 0.6 <= result.answered_after < 10.0


def test_pin_count_tells_a_nano_from_an_uno_among_the_usb_candidates():
    with FakeBoard(name="StandardFirmata.ino", version=(2, 5), pins=22) as board:
        result = probe(board.port, candidates=("uno", "nano", "mega2560", "esp32"))
    assert (result.board, result.board_source) == ("nano", "capabilities")


def test_unknown_pin_count_falls_back_to_a_single_usb_candidate_or_nothing():
    with FakeBoard(name="ConfigurableFirmata", version=(3, 2), pins=33) as board:
        assert probe(board.port, candidates=("esp32s3",)).board_source == "usb"
        assert probe(board.port).board is None


def test_silent_board_raises_no_answer_within_the_timeout():
    with FakeBoard(silent=True) as board:
        start = time.monotonic()
        with pytest.raises(NoAnswerError) as info:
            probe(board.port, timeout=1.0)
        took = time.monotonic() - start
    # gave up at the timeout, not before; the upper bound only guards against waiting on (the exact
    # deadline is pinned in tests/protocol/test_handshake_machine.py)
    assert 1.0 <= took < 10.0
    err = info.value
    assert "not running Firmata or makerkit firmware" in err.message_en
    assert "115200 or 57600" in err.message_en and "Firmata" in err.message_zh
    assert f"makerkit flash --board uno --port {board.port}" in err.hint_en
    assert "makerkit deploy" in err.hint_zh and err.exit_code == 3


def test_probe_over_a_socket_uses_one_attempt_and_no_baud():
    with FakeSocketBoard(identity={"fw": "makerkit", "version": "1.1.0", "proto": 1, "board": "esp32",
                                   "kit": "", "class": "", "boot": 3, "features": []}) as board:
        result = probe(board.url, timeout=1.0)
    assert result.baud is None and result.board == "esp32" and result.kit == ""
    assert result.firmware_version == "1.1.0"


def test_probe_leaves_a_transport_it_was_given_open():
    with FakeBoard() as board, open_transport(board.port) as t:
        assert probe(t).kit == "kit-07"
        assert t.is_open
        t.write(fm.report_version())
        assert t.read(timeout=1.0) == fm.protocol_version()


def test_probe_port_errors_pass_through():
    with pytest.raises(PortNotFoundError):
        probe("/dev/ttyUSB-makerkit-none")
    with FakeBoard() as board, open_transport(board.port):
        with pytest.raises(PortBusyError):
            probe(board.port)


# --- scan_ports ---------------------------------------------------------------------------------------

def _classroom(monkeypatch, boards):
    """A comports() fake whose first two entries are the given boards' ptys (CH340, CP2102)."""
    rows = [(boards[0].port, 0x1A86, 0x7523, None, None, "USB2.0-Serial", "1-1.1:1.0"),
            (boards[1].port, 0x10C4, 0xEA60, "0001", "Silicon Labs", "CP2102 USB to UART Bridge Controller", "1-1.3:1.0"),
            (boards[2].port, None, None, None, None, None, None)]
    fake_comports.install(monkeypatch, rows)


def test_scan_probes_only_likely_boards(monkeypatch):
    with FakeBoard(identity={"fw": "makerkit", "version": "1.0.0", "proto": 1, "board": "esp32",
                             "kit": "kit-03", "class": "7a", "boot": 1, "features": []}) as esp, \
            FakeBoard(silent=True) as dead, FakeBoard() as not_a_board:
        _classroom(monkeypatch, [esp, dead, not_a_board])
        # 2 s: the dead board costs all of it, and the live one has 1 s at 115200 to answer a loaded machine
        reports = {r.port: r for r in scan_ports(probe_boards=True, timeout=2.0)}
        untouched = not not_a_board.touched
    assert reports[esp.port].probed and reports[esp.port].result.board == "esp32"
    assert reports[esp.port].info.bridge == "CH340" and reports[esp.port].error is None
    assert reports[dead.port].probed and isinstance(reports[dead.port].error, NoAnswerError)
    assert not reports[not_a_board.port].probed and untouched
    d = reports[dead.port].to_dict("en")
    assert d["probe"] is None and d["error"]["type"] == "NoAnswerError" and "Flash" in d["error"]["hint"]


def test_scan_with_names_probes_exactly_those(monkeypatch):
    with FakeBoard() as a, FakeBoard() as b, FakeBoard() as c:
        _classroom(monkeypatch, [a, b, c])
        reports = scan_ports([c.port], probe_boards=True, timeout=20.0)   # ends when it answers
        assert [r.port for r in reports] == [c.port]
        assert reports[0].result.kit == "kit-07" and reports[0].info.usb_id is None
        assert not a.touched and not b.touched and c.touched


def test_scan_without_probe_opens_nothing(monkeypatch):
    with FakeBoard() as a, FakeBoard() as b, FakeBoard() as c:
        _classroom(monkeypatch, [a, b, c])
        reports = scan_ports()
        assert len(reports) == 3 and not any(r.probed for r in reports)
        assert not any(board.touched for board in (a, b, c))


def test_scan_reports_who_holds_a_port(monkeypatch):
    with FakeBoard() as a, FakeBoard() as b, FakeBoard() as c:
        _classroom(monkeypatch, [a, b, c])
        with open_transport(a.port):
            reports = {r.port: r for r in scan_ports()}
        assert [h.is_self for h in reports[a.port].holders] == [True]
        assert reports[b.port].holders == ()
