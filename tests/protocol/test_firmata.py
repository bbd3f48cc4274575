"""The Firmata codec: golden bytes, split packets, resynchronisation, and round trips (hypothesis)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makerkit.protocol import firmata as f


# --- golden bytes (from the Firmata protocol documents and PROTOCOL.md) ----------------------------

@pytest.mark.parametrize("encoded, expected", [
    (f.report_version(), b"\xf9"),
    (f.report_firmware(), b"\xf0\x79\xf7"),
    (f.capability_query(), b"\xf0\x6b\xf7"),
    (f.analog_mapping_query(), b"\xf0\x69\xf7"),
    (f.pin_state_query(13), b"\xf0\x6d\x0d\xf7"),
    (f.set_pin_mode(13, f.PinMode.OUTPUT), b"\xf4\x0d\x01"),
    (f.set_digital_pin_value(13, True), b"\xf5\x0d\x01"),
    (f.digital_port(1, 0b10100101), b"\x91\x25\x01"),
    (f.analog_write(3, 255), b"\xe3\x7f\x01"),
    (f.analog_write(20, 255), b"\xf0\x6f\x14\x7f\x01\xf7"),
    (f.analog_write(5, 20000), b"\xf0\x6f\x05\x20\x1c\x01\xf7"),
    (f.report_analog(2, True), b"\xc2\x01"),
    (f.report_digital(1, False), b"\xd1\x00"),
    (f.sampling_interval(19), b"\xf0\x7a\x13\x00\xf7"),
    (f.servo_config(9, 544, 2400), b"\xf0\x70\x09\x20\x04\x60\x12\xf7"),
    (f.string_data("Hi"), b"\xf0\x71\x48\x00\x69\x00\xf7"),
    (f.i2c_config(0), b"\xf0\x78\x00\x00\xf7"),
    (f.i2c_request(0x38, f.I2cMode.WRITE, b"\xac\x33\x00"), b"\xf0\x76\x38\x00\x2c\x01\x33\x00\x00\x00\xf7"),
    (f.i2c_request(0x38, f.I2cMode.READ, read_count=6), b"\xf0\x76\x38\x08\x06\x00\xf7"),
    (f.i2c_request(0x38, f.I2cMode.READ, register=0x71, read_count=1), b"\xf0\x76\x38\x08\x71\x00\x01\x00\xf7"),
    (f.i2c_request(0x38, f.I2cMode.STOP), b"\xf0\x76\x38\x18\xf7"),
    (f.system_reset(), b"\xff"),
    (f.tone(8, 440, 500), b"\xf0\x5f\x00\x08\x38\x03\x74\x03\xf7"),
    (f.no_tone(8), b"\xf0\x5f\x01\x08\xf7"),
    (f.sonar_config(7, 8), b"\xf0\x62\x07\x08\xf7"),
    (f.dht_attach(4, 11, 2000), b"\xf0\x74\x01\x04\x00\x50\x0f\xf7"),
    (f.dht_detach(4), b"\xf0\x74\x03\x04\xf7"),
    (f.mk_identity_query(), b"\xf0\x01\xf7"),
    (f.mk_identity_query(b"\x00\x7f"), b"\xf0\x01\x00\x7f\xf7"),
    (f.mk_config_get(), b"\xf0\x02\x01\xf7"),
    (f.mk_repl(), b"\xf0\x04\xf7"),
])
def test_encoders_produce_the_documented_bytes(encoded, expected):
    assert encoded == expected


@pytest.mark.parametrize("wire, event", [
    (b"\xf9\x02\x06", f.ProtocolVersion(2, 6)),
    (b"\xe0\x7f\x07", f.AnalogReport(0, 1023)),
    (b"\x91\x25\x01", f.DigitalPortReport(1, 0b10100101)),
    (b"\xf0\x79\x02\x05" + "StandardFirmata.ino".encode().replace(b"", b"")[:0]
     + bytes(x for c in b"StandardFirmata.ino" for x in (c & 0x7F, c >> 7)) + b"\xf7",
     f.FirmwareReport(2, 5, "StandardFirmata.ino")),
    (b"\xf0\x6c\x00\x01\x01\x01\x7f\x00\x01\x01\x01\x02\x0a\x7f\xf7",
     f.CapabilityReport((((0, 1), (1, 1)), ((0, 1), (1, 1), (2, 10))))),
    (b"\xf0\x6a\x7f\x7f\x00\x01\xf7", f.AnalogMapping((None, None, 0, 1))),
    (b"\xf0\x6e\x0d\x01\x01\xf7", f.PinState(13, 1, 1)),
    (b"\xf0\x6e\x03\x03\x7f\x01\xf7", f.PinState(3, 3, 255)),
    (b"\xf0\x77\x38\x00\x71\x00\x1c\x00\xf7", f.I2cReply(0x38, 0x71, b"\x1c")),
    (b"\xf0\x74\x00\x04\x6b\x01\x51\x03\xf7", f.DhtReport(4, 23.5, 46.5)),
    (b"\xf0\x74\x7f\x04\xf7", f.DhtError(4)),
    (b"\xf0\x63\x07\x2a\x00\xf7", f.SonarReport(7, 42)),
    (b"\xf0\x71\x48\x00\x69\x00\xf7", f.StringData("Hi")),
    (b"\xf0\x55\x01\x02\xf7", f.UnknownSysex(0x55, b"\x01\x02")),
])
def test_decoder_reads_the_documented_bytes(wire, event):
    assert f.decode_all(wire) == [event]


def test_negative_dht_temperature_is_14_bit_twos_complement():
    wire = f.dht_report(2, -12.5, 80.0)
    assert wire[4:6] == bytes(((16384 - 125) & 0x7F, (16384 - 125) >> 7))
    assert f.decode_all(wire) == [f.DhtReport(2, -12.5, 80.0)]


def test_makerkit_json_messages_decode():
    identity = {"fw": "makerkit", "version": "1.0.0", "proto": 1, "board": "uno", "kit": "kit-07", "class": "7a"}
    record = {"v": 1, "seq": 3, "boot": 1, "uptime_ms": 1200, "readings": {"temperature": 23.5},
              "units": {"temperature": "°C"}}
    wire = (f.mk_json(f.MK_IDENTITY, identity)
            + f.mk_json(f.MK_CONFIG, {"kit": "kit-07", "password": "***"}, sub=f.MK_CONFIG_RESULT)
            + f.mk_json(f.MK_TELEMETRY, record, sub=f.MK_TELEMETRY_RECORD)
            + f.mk_json(f.MK_REPL, {"ok": True})
            + f.mk_json(f.MK_ERROR, {"code": "bad_pin", "pin": 20}))
    events = f.decode_all(wire)
    assert events[0] == f.MkIdentity(identity)
    assert events[1] == f.MkConfig({"kit": "kit-07", "password": "***"})
    assert isinstance(events[2], f.MkTelemetryRecord) and events[2].payload == record
    assert events[3] == f.MkReplReady({"ok": True})
    assert events[4] == f.MkError({"code": "bad_pin", "pin": 20})


def test_host_to_board_key_value_payloads_round_trip():
    wire = f.mk_config_set({"kit": "kit-07", "class": "7a", "wifi_password": "p=ss word"})
    (event,) = f.decode_all(wire, board_side=True)
    assert event.command == f.MK_CONFIG and event.data[0] == f.MK_CONFIG_SET
    assert f.parse_lines(event.data[1:]) == {"kit": "kit-07", "class": "7a", "wifi_password": "p=ss word"}
    wire = f.mk_telemetry_put({"temperature": 23.5}, {"temperature": "°C"})
    (event,) = f.decode_all(wire, board_side=True)
    assert f.parse_lines(event.data[1:]) == {"temperature": "23.5", "unit.temperature": "°C"}
    with pytest.raises(ValueError):
        f.mk_config_set({"kit": "a\nb"})


def test_board_side_decoding_of_host_commands():
    wire = (f.report_version() + f.report_firmware() + f.set_pin_mode(13, 1) + f.set_digital_pin_value(13, 1)
            + f.report_analog(0, True) + f.report_digital(1, True) + f.system_reset())
    assert f.decode_all(wire, board_side=True) == [
        f.VersionQuery(), f.Sysex(f.REPORT_FIRMWARE, b""), f.SetPinMode(13, 1), f.SetDigitalPinValue(13, 1),
        f.ReportAnalogToggle(0, True), f.ReportDigitalToggle(1, True), f.SystemReset()]


# --- split packets and resynchronisation ------------------------------------------------------------

STREAM = (f.protocol_version(2, 6) + f.firmware_report(1, 0, "makerkit") + f.analog_report(1, 777)
          + f.digital_port(0, 0x81) + f.dht_report(4, 21.0, 40.0) + f.mk_json(f.MK_IDENTITY, {"kit": "k"}))


def test_every_split_point_gives_the_same_events():
    whole = f.decode_all(STREAM)
    for cut in range(len(STREAM) + 1):
        decoder = f.FirmataDecoder()
        assert decoder.feed(STREAM[:cut]) + decoder.feed(STREAM[cut:]) == whole


def test_byte_by_byte_gives_the_same_events():
    decoder = f.FirmataDecoder()
    events = []
    for b in STREAM:
        events += decoder.feed(bytes([b]))
    assert events == f.decode_all(STREAM)


def test_garbage_is_reported_and_decoding_carries_on():
    noisy = b"\x12\x34" + f.analog_report(0, 5)[:2] + f.analog_report(2, 9) + b"\xf0\x79\x01" + f.digital_port(0, 1)
    events = f.decode_all(noisy)
    good = [e for e in events if not isinstance(e, f.Garbage)]
    assert good == [f.AnalogReport(2, 9), f.DigitalPortReport(0, 1)]
    assert b"".join(e.data for e in events if isinstance(e, f.Garbage)) == b"\x12\x34\xe0\x05\xf0\x79\x01"


def test_a_runaway_sysex_does_not_grow_the_buffer_forever():
    decoder = f.FirmataDecoder()
    decoder.feed(b"\xf0" + b"\x01" * (f.MAX_SYSEX + 10))
    assert decoder.pending == 0
    assert decoder.feed(f.analog_report(0, 1)) == [f.AnalogReport(0, 1)]


def test_bad_arguments_are_refused():
    for call in (lambda: f.set_pin_mode(200, 1), lambda: f.digital_port(16, 0), lambda: f.analog_write(3, -1),
                 lambda: f.dht_attach(4, 12), lambda: f.tone(3, 20000, 0), lambda: f.dht_report(1, math.nan, 1)):
        with pytest.raises(ValueError):
            call()


# --- round trips ----------------------------------------------------------------------------------

@given(st.binary(max_size=300))
def test_pack7_round_trips(data):
    packed = f.pack7(data)
    assert all(b < 0x80 for b in packed)
    assert len(packed) == (len(data) * 8 + 6) // 7
    assert f.unpack7(packed) == data


pin = st.integers(0, 127)
u14 = st.integers(0, 0x3FFF)
host_bound = st.one_of(
    st.builds(lambda c, v: (f.analog_report(c, v), f.AnalogReport(c, v)), st.integers(0, 15), u14),
    st.builds(lambda p, m: (f.digital_port(p, m), f.DigitalPortReport(p, m)), st.integers(0, 15), st.integers(0, 255)),
    st.builds(lambda a, b, n: (f.firmware_report(a, b, n), f.FirmwareReport(a, b, n)),
              st.integers(0, 127), st.integers(0, 127), st.text(max_size=20)),
    st.builds(lambda p, t, h: (f.dht_report(p, t / 10, h / 10), f.DhtReport(p, t / 10, h / 10)),
              pin, st.integers(-400, 800), st.integers(0, 1000)),
    st.builds(lambda p, d: (f.sonar_report(p, d), f.SonarReport(p, d)), pin, u14),
    st.builds(lambda a, r, d: (f.i2c_reply(a, r, d), f.I2cReply(a, r, d)), st.integers(0, 127), u14, st.binary(max_size=32)),
    st.builds(lambda p, m, s: (f.pin_state_response(p, m, s), f.PinState(p, m, s)), pin, st.integers(0, 15), st.integers(0, 2**28)),
    st.builds(lambda d: (f.mk_json(f.MK_IDENTITY, d), f.MkIdentity(d)),
              st.dictionaries(st.text(max_size=8), st.one_of(st.text(max_size=8), st.integers()), max_size=5)),
)


@settings(max_examples=200)
@given(st.lists(host_bound, max_size=12), st.data())
def test_any_sequence_of_messages_round_trips_whatever_the_chunking(messages, data):
    wire = b"".join(m[0] for m in messages)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=6)))
    decoder = f.FirmataDecoder()
    events, last = [], 0
    for cut in cuts + [len(wire)]:
        events += decoder.feed(wire[last:cut])
        last = cut
    assert events == [m[1] for m in messages]
    assert decoder.pending == 0


@settings(max_examples=200)
@given(st.binary(max_size=200), st.lists(host_bound, min_size=1, max_size=4))
def test_garbage_before_messages_never_hides_them(noise, messages):
    wire = b"".join(m[0] for m in messages)
    events = f.decode_all(noise + b"\xf7" + wire)  # F7 ends any sysex the noise started
    good = [e for e in events if not isinstance(e, (f.Garbage, f.UnknownSysex))]
    assert good[-len(messages):] == [m[1] for m in messages]


def test_mk_telemetry_event_golden_bytes_and_both_directions():
    # host->board: MK_TELEMETRY (0x03), EVENT (0x05), Encoder7Bit("event=go\ndata.n=2")
    wire = f.mk_telemetry_event("go", {"n": 2})
    assert wire == bytes.fromhex("f00305656c1573462e4f336f14100b462e18176e7a4801f7")
    assert f.unpack7(wire[3:-1]) == b"event=go\ndata.n=2"
    (event,) = f.decode_all(wire, board_side=True)         # what a board sees: the raw sysex
    assert event == f.Sysex(f.MK_TELEMETRY, wire[2:-1])
    assert f.parse_lines(event.data[1:]) == {"event": "go", "data.n": "2"}
    # values are JSON, so their type survives; text with newlines or '=' is safe inside JSON strings
    lines = f.parse_lines(f.mk_telemetry_event("checkpoint", {"label": "a=b\nc", "ok": True})[3:-1])
    assert lines == {"event": "checkpoint", "data.label": '"a=b\\nc"', "data.ok": "true"}
    # board->host: EVENT, flag (1 = the kit published it itself, 0 = for the bridge), packed JSON
    doc = b'{"v":1,"event":"go","boot":2,"uptime_ms":5,"data":{"n":2}}'
    for flag in (0, 1):
        (event,) = f.decode_all(bytes((0xF0, 0x03, 0x05, flag)) + f.pack7(doc) + b"\xf7")
        assert event == f.MkTelemetryEvent({"v": 1, "event": "go", "boot": 2, "uptime_ms": 5, "data": {"n": 2}},
                                           doc.decode(), bool(flag))
