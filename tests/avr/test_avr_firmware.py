"""makerkit's AVR firmware running on the emulated Uno, driven with raw bytes through the codec.

Everything here is real: the firmware's machine code on simavr, bytes over a pty, the pins read back
from the emulated chip. One board serves the module (a fresh boot for the tests that need one).
"""

from __future__ import annotations

import time

import pytest

from support.avr_emulator import EmulatedUno
from makerkit.protocol import firmata as F
from makerkit.protocol.telemetry import validate_payload
from makerkit.transport import open_transport


class RawLink:
    """Bytes to the board, decoded events back, every wait bounded."""

    def __init__(self, port: str):
        self.transport = open_transport(port, baud=115200)
        self.decoder = F.FirmataDecoder()
        self.events: list = []

    def send(self, *frames: bytes) -> None:
        self.transport.write(b"".join(frames))

    def pump(self, seconds: float) -> list:
        got, end = [], time.monotonic() + seconds
        while time.monotonic() < end:
            got += self.decoder.feed(self.transport.read(4096, timeout=min(0.05, max(end - time.monotonic(), 0.001))))
        self.events += got
        return got

    def wait(self, kind, match=lambda e: True, timeout: float = 10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for i, event in enumerate(self.events):
                if isinstance(event, kind) and match(event):
                    del self.events[:i + 1]
                    return event
            self.events = []
            self.events += self.decoder.feed(self.transport.read(4096, timeout=0.05))
        raise AssertionError(f"no {kind.__name__} within {timeout} s")

    def request(self, frame: bytes, kind, match=lambda e: True, timeout: float = 10.0):
        self.pump(0.0)
        self.events = []
        self.send(frame)
        return self.wait(kind, match, timeout)

    def stamped(self, ms: int, timeout: float = 60.0) -> tuple[list, int]:
        """What the firmware sent between two lesson events it stamps with its own millis(), at least
        ``ms`` apart on that clock: (the events between, the milliseconds between). Time as the
        emulated chip counts it, however much of the CPU the emulator got."""
        def uptime(event) -> int:
            return event.payload["uptime_ms"]
        self.send(F.mk_telemetry_event("mark"))
        stream, asked = self.pump(ms / 1000), 1
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            marks = [i for i, e in enumerate(stream) if isinstance(e, F.MkTelemetryEvent)]
            if len(marks) < asked:
                stream += self.pump(0.05)
                continue
            span = uptime(stream[marks[-1]]) - uptime(stream[marks[0]])
            if span >= ms:
                return stream[marks[0] + 1:marks[-1]], span
            if asked > 1:                 # the emulator was held up: let its clock catch up
                stream += self.pump((ms - span) / 1000)
            self.send(F.mk_telemetry_event("mark"))
            asked += 1
        raise AssertionError(f"the firmware's clock did not move on by {ms} ms within {timeout} s")

    def close(self):
        self.transport.close()


@pytest.fixture(scope="module")
def board(harness, makerkit_hex):
    uno = EmulatedUno(avrsim=harness[0], app=makerkit_hex)
    link = RawLink(uno.port)
    link.wait(F.FirmwareReport, timeout=5)         # the port opening reset the board; it announces itself
    yield uno, link
    link.close()
    uno.close()


@pytest.fixture
def uno(board):
    uno, link = board
    link.send(F.system_reset())
    link.request(F.report_version(), F.ProtocolVersion)     # answered after the reset: what came before is gone
    link.events = []
    return uno


@pytest.fixture
def link(board, uno):
    return board[1]


def test_boot_announces_version_and_firmware(harness, makerkit_hex):
    with EmulatedUno(avrsim=harness[0], app=makerkit_hex) as uno:
        link = RawLink(uno.port)
        try:
            assert link.wait(F.ProtocolVersion, timeout=5) == F.ProtocolVersion(2, 6)
            assert link.wait(F.FirmwareReport) == F.FirmwareReport(1, 0, "makerkit")
            assert link.request(F.report_version(), F.ProtocolVersion) == F.ProtocolVersion(2, 6)
        finally:
            link.close()


def test_capabilities_and_analog_mapping(link):
    caps = link.request(F.capability_query(), F.CapabilityReport).pins
    assert len(caps) == 20 and caps[0] == caps[1] == ()             # D0/D1 carry the USB serial line
    modes = [dict(pin) for pin in caps]
    for pin in range(2, 20):
        assert {F.PinMode.INPUT, F.PinMode.OUTPUT, F.PinMode.PULLUP, F.PinMode.SERVO,
                F.PinMode.SONAR, F.PinMode.TONE, F.PinMode.DHT} <= set(modes[pin])
        assert (F.PinMode.PWM in modes[pin]) == (pin in (3, 5, 6, 9, 10, 11))
        assert (modes[pin].get(F.PinMode.ANALOG)) == (10 if pin >= 14 else None)
        assert (F.PinMode.I2C in modes[pin]) == (pin in (18, 19))
    assert modes[9][F.PinMode.PWM] == 8
    mapping = link.request(F.analog_mapping_query(), F.AnalogMapping).channels
    assert list(mapping) == [None] * 14 + [0, 1, 2, 3, 4, 5]


def test_digital_output_pin_value_and_port_message(uno, link):
    link.send(F.set_pin_mode(13, F.PinMode.OUTPUT), F.set_digital_pin_value(13, 1))
    assert uno.wait_for(lambda: uno.level("D13") == 1, timeout=10)
    state = link.request(F.pin_state_query(13), F.PinState)
    assert (state.pin, state.mode, state.state) == (13, F.PinMode.OUTPUT, 1)
    link.send(F.set_pin_mode(12, F.PinMode.OUTPUT), F.digital_port(1, 0b010000))   # D12 on, D13 off
    assert uno.wait_for(lambda: (uno.level("D12"), uno.level("D13")) == (1, 0), timeout=10)


def test_pwm_duty(uno, link):
    for pin, value in ((3, 64), (5, 128), (6, 200), (9, 255), (10, 1), (11, 128)):
        link.send(F.set_pin_mode(pin, F.PinMode.PWM), F.analog_write(pin, value))
        assert uno.wait_for(lambda: abs(uno.pwm_duty(pin) - value / 255) < 0.005, timeout=10), (pin, uno.pwm_duty(pin))
    link.send(bytes([0xF0, 0x6F, 11, 100, 0, 0xF7]))       # EXTENDED_ANALOG works too
    assert uno.wait_for(lambda: abs(uno.pwm_duty(11) - 100 / 255) < 0.005, timeout=10)


def test_analog_reports_follow_the_adc_and_the_sampling_interval(uno, link):
    uno.set_adc(2, 123)
    link.send(F.set_pin_mode(16, F.PinMode.ANALOG), F.report_analog(2, True))
    assert link.wait(F.AnalogReport, lambda e: e.channel == 2).value == 123
    for counts in (0, 512, 1023):
        uno.set_adc(2, counts)
        link.wait(F.AnalogReport, lambda e: e.channel == 2 and e.value == counts, timeout=10)
    link.send(F.sampling_interval(50))
    # counted against the firmware's own clock (millis()): one report every 50 ms of it (at the default
    # 19 ms it would be 2.6 times as many); two either way for the ends and a report the loop sent late
    between, ms = link.stamped(1000)
    reports = [e for e in between if isinstance(e, F.AnalogReport)]
    assert ms / 50 - 2 <= len(reports) <= ms / 50 + 2, (len(reports), ms)
    link.send(F.report_analog(2, False))
    between, ms = link.stamped(200)                         # everything after the firmware turned it off
    assert not [e for e in between if isinstance(e, F.AnalogReport)]


def test_digital_input_reporting(uno, link):
    link.send(F.set_pin_mode(2, F.PinMode.PULLUP), F.set_pin_mode(4, F.PinMode.INPUT), F.report_digital(0, True))
    first = link.wait(F.DigitalPortReport, lambda e: e.port == 0)
    assert first.mask & 0b100                                # pull-up: D2 reads high
    uno.set_input("D2", 0)                                   # button pressed (wired to GND)
    assert not link.wait(F.DigitalPortReport, lambda e: e.port == 0 and not e.mask & 0b100).mask & 0b100
    uno.set_input("D4", 1)
    link.wait(F.DigitalPortReport, lambda e: e.mask & 0b10000)
    uno.set_input("D2", None)
    uno.set_input("D4", None)
    link.wait(F.DigitalPortReport, lambda e: e.mask & 0b100)


def test_servo_pulses(uno, link):
    link.send(F.servo_config(7, 1000, 2000))
    for value, width in ((0, 1000), (90, 1500), (180, 2000), (1200, 1200)):
        link.send(F.analog_write(7, value))
        link.pump(0.08)
        assert uno.wait_for(lambda: abs(uno.pulse("D7")[0] - width) < 15, timeout=10), (value, uno.pulse("D7"))
    assert abs(uno.pulse("D7")[1] - 20000) < 100                 # 50 Hz frame


def test_tone_and_no_tone(uno, link):
    link.send(F.tone(8, 1000, 0))
    link.pump(0.1)
    assert uno.wait_for(lambda: abs(uno.pulse("D8")[1] - 1000) < 20, timeout=10), uno.pulse("D8")
    link.send(F.no_tone(8))
    link.request(F.report_version(), F.ProtocolVersion)       # answered after it took the NO_TONE
    count = uno.pulse("D8")[2]
    link.stamped(100)                                         # 100 ms of the chip's own time
    assert uno.pulse("D8")[2] == count


def test_sonar_distance(uno, link):
    uno.sonar("D7", "D8", 42)
    link.send(F.sonar_config(7, 8))
    assert link.wait(F.SonarReport).distance_cm in (41, 42, 43)
    uno.sonar("D7", "D8", 150)
    link.wait(F.SonarReport, lambda e: e.distance_cm in (149, 150, 151))
    uno.sonar("D7", "D8", -1)                                   # nothing in front: no echo
    link.wait(F.SonarReport, lambda e: e.distance_cm == 0, timeout=10)


def test_dht22_dht11_and_a_missing_sensor(uno, link):
    uno.command("dht 4 22 -12.5 55.3")
    link.send(F.dht_attach(4, 22, 500))
    report = link.wait(F.DhtReport, timeout=10)
    assert (report.pin, report.temperature, report.humidity) == (4, -12.5, 55.3)
    uno.command("dht 6 11 23 40")                              # the model moves to D6; D4 goes silent
    link.send(F.dht_detach(4), F.dht_attach(6, 11, 500))
    report = link.wait(F.DhtReport, timeout=10)
    assert (report.pin, report.temperature, report.humidity) == (6, 23.0, 40.0)
    link.send(F.dht_attach(12, 11, 500))                      # nothing wired on D12
    assert link.wait(F.DhtError, timeout=10).pin == 12


def test_i2c_write_read_and_absent_device(uno, link):
    link.send(F.i2c_config(0), F.i2c_request(0x50, F.I2cMode.WRITE, bytes([0x00, 0x12, 0x34, 0x56])))
    link.request(F.report_version(), F.ProtocolVersion)     # answered after it wrote them
    assert uno.command("i2c")[0][:6] == "123456"                # the 24C02 on the bus holds them
    reply = link.request(F.i2c_request(0x50, F.I2cMode.READ, register=0, read_count=3), F.I2cReply)
    assert (reply.address, reply.register, reply.data) == (0x50, 0, b"\x12\x34\x56")
    # a register read with a repeated start (the "restart" bit): simavr's 24C02 forgets its address
    # at a STOP, so only a firmware that honours the bit reads the right bytes at 0x10
    link.send(F.i2c_request(0x50, F.I2cMode.WRITE, bytes([0x10, 7, 8])))
    reply = link.request(F.i2c_request(0x50, F.I2cMode.READ, register=0x10, read_count=2, restart=True), F.I2cReply)
    assert (reply.register, reply.data) == (0x10, b"\x07\x08")
    err = link.request(F.i2c_request(0x23, F.I2cMode.READ, register=0, read_count=2), F.MkError)
    assert err.info["code"] == "i2c_nack" and err.info["detail"] == "0x23" and err.info["en"] and err.info["zh"]
    link.send(F.i2c_request(0x50, F.I2cMode.READ_CONTINUOUS, register=0, read_count=1))
    for _ in range(5):                                       # one request, reply after reply
        link.wait(F.I2cReply)
    link.send(F.i2c_request(0x50, F.I2cMode.STOP))
    between, _ = link.stamped(200)                          # everything after the firmware stopped
    assert not [e for e in between if isinstance(e, F.I2cReply)]


def test_refused_commands_say_why_in_both_languages(uno, link):
    for frame, code in ((F.set_pin_mode(1, F.PinMode.OUTPUT), "bad_pin"),
                        (F.set_pin_mode(20, F.PinMode.OUTPUT), "bad_pin"),
                        (F.set_pin_mode(2, F.PinMode.PWM), "bad_mode"),
                        (bytes([0xF0, 0x0E, 0xF7]), "unknown_sysex"),
                        (F.mk_repl(), "unsupported"),
                        (bytes([0xF0, 0x71]) + b"\x01" * 400 + bytes([0xF7]), "buffer_full")):
        info = link.request(frame, F.MkError).info
        assert info["code"] == code and info["en"] and info["zh"] != info["en"], info
    # the board is still fine afterwards
    assert link.request(F.report_version(), F.ProtocolVersion) == F.ProtocolVersion(2, 6)


def test_identity_and_config_survive_a_reset(uno, link):
    config = link.request(F.mk_config_set({"kit": "kit-07", "class": "7a", "interval": 30}), F.MkConfig).config
    assert config == {"kit": "kit-07", "class": "7a", "wifi_ssid": "", "wifi_password": "", "broker": "",
                      "username": "", "password": "", "interval": 30}
    refused = link.request(F.mk_config_set({"kit": "kit-99", "broker": "mqtt://10.0.0.2:1883"}), F.MkConfig).config
    assert refused == {"error": "bad_key", "key": "broker"}
    assert link.request(F.mk_config_set({"class": "7A!"}), F.MkConfig).config == {"error": "bad_value", "key": "class"}
    assert link.request(F.mk_config_get(), F.MkConfig).config["kit"] == "kit-07"     # nothing changed
    before = link.request(F.mk_identity_query(), F.MkIdentity).info
    assert before["fw"] == "makerkit" and before["board"] == "uno" and before["proto"] == 1
    assert (before["kit"], before["class"]) == ("kit-07", "7a")
    assert "repl" not in before["features"] and {"dht", "sonar", "telemetry", "config"} <= set(before["features"])
    uno.reset()                                                # the reset button
    link.wait(F.FirmwareReport, timeout=10)
    after = link.request(F.mk_identity_query(), F.MkIdentity).info
    assert (after["kit"], after["class"], after["boot"]) == ("kit-07", "7a", before["boot"] + 1)


def test_telemetry_records_replay_ack_and_sequence_across_reboots(uno, link):
    link.send(F.mk_telemetry_clock("2026-11-23T13:00:05.120Z"))
    first = link.request(F.mk_telemetry_put({"temp": 21.5, "light": 0.25}, {"temp": "°C"}), F.MkTelemetryRecord).payload
    validate_payload(first)
    assert first["readings"] == {"temp": 21.5, "light": 0.25} and first["units"] == {"temp": "°C"}
    assert first["time"].startswith("2026-11-23T13:00:0") and first["time"].endswith("Z")
    second = link.request(F.mk_telemetry_put({"temp": 22}), F.MkTelemetryRecord).payload
    assert second["seq"] == first["seq"] + 1 and second["boot"] == first["boot"]
    assert second["uptime_ms"] >= first["uptime_ms"]
    link.send(F.mk_telemetry_replay(first["seq"], second["seq"]))
    replayed = [link.wait(F.MkTelemetryRecord).payload for _ in range(2)]
    assert [r["seq"] for r in replayed] == [first["seq"], second["seq"]] and all(r["replay"] for r in replayed)
    link.send(F.mk_telemetry_ack(first["seq"]))
    link.send(F.mk_telemetry_replay(0, 2**31))
    assert link.wait(F.MkTelemetryRecord).payload["seq"] == second["seq"]
    bad = link.request(F.mk_telemetry_put({"Bad Name": 1}), F.MkError).info
    assert bad["code"] == "bad_reading"
    uno.reset()
    link.wait(F.FirmwareReport, timeout=10)
    after = link.request(F.mk_telemetry_put({"temp": 20}), F.MkTelemetryRecord).payload
    assert after["boot"] == first["boot"] + 1
    assert after["seq"] > second["seq"] and "time" not in after    # never reused; the clock is gone


def test_system_reset_stops_reports_and_frees_pins(uno, link):
    link.send(F.set_pin_mode(13, F.PinMode.OUTPUT), F.set_digital_pin_value(13, 1), F.report_analog(0, True))
    link.wait(F.AnalogReport)
    assert uno.level("D13") == 1
    link.send(F.system_reset())
    between, _ = link.stamped(200)                          # everything after the reset
    assert not [e for e in between if isinstance(e, F.AnalogReport)]
    assert uno.level("D13") == 0


def test_nano_image(harness, firmware_build):
    """The Nano build: same chip, two more analog-only inputs (A6/A7) and its own identity."""
    with EmulatedUno(avrsim=harness[0], app=firmware_build / "makerkit-nano.hex") as nano:
        link = RawLink(nano.port)
        try:
            link.wait(F.FirmwareReport, timeout=5)
            assert link.request(F.mk_identity_query(), F.MkIdentity).info["board"] == "nano"
            caps = link.request(F.capability_query(), F.CapabilityReport).pins
            assert len(caps) == 22 and caps[20] == caps[21] == ((F.PinMode.ANALOG, 10),)
            assert list(link.request(F.analog_mapping_query(), F.AnalogMapping).channels)[14:] == [0, 1, 2, 3, 4, 5, 6, 7]
            nano.set_adc(7, 777)
            link.send(F.report_analog(7, True))
            link.wait(F.AnalogReport, lambda e: e.channel == 7 and e.value == 777)
            assert link.request(F.set_pin_mode(21, F.PinMode.OUTPUT), F.MkError).info["code"] == "bad_mode"
        finally:
            link.close()


def test_fresh_unos_make_their_ids_from_the_host_nonce_and_keep_them(harness, makerkit_hex):
    """The AVR has no random number generator: the ids a blank EEPROM gets mix in the nonce the host
    sends with its first identity query, so boards asked alike (emulated ones start in lockstep) differ;
    a later query with another nonce changes nothing."""
    seen = []
    for nonce in (b"\x01\x02\x03\x04\x05\x06\x07\x08", b"\x7f\x7e\x7d\x7c\x7b\x7a\x79\x78", b"\x00" * 8):
        with EmulatedUno(avrsim=harness[0], app=makerkit_hex) as uno:
            link = RawLink(uno.port)
            try:
                link.wait(F.FirmwareReport, timeout=10)
                first = link.request(F.mk_identity_query(nonce), F.MkIdentity).info
                again = link.request(F.mk_identity_query(b"\x55" * 8), F.MkIdentity).info
            finally:
                link.close()
        assert len(first["inc"]) == 12 and len(first["hw"]) == 12
        assert (again["inc"], again["hw"]) == (first["inc"], first["hw"])
        seen.append((first["inc"], first["hw"]))
    assert len({inc for inc, _ in seen}) == 3 and len({hw for _, hw in seen}) == 3
