"""Firmware test cases that run under CPython (pytest) and under the real MicroPython interpreter.

Each ``case_*`` function builds a server over the recording FakeHal, feeds golden bytes and checks
the golden bytes that come back. No pytest features: plain asserts only.
"""

import json

from fakehal import ESP32_PROFILE, UNO_PROFILE, FakeHal
from mkfw import wire
from mkfw.app import App
from mkfw.parser import FirmataParser


def make(profile=UNO_PROFILE, repl=False, network=False, config=None):
    hal = FakeHal(repl=repl, network=network)
    if config:
        hal.config = config
    app = App(hal, profile, 0, boot_window=False)
    return hal, app


def talk(app, data, now=0):
    app.feed(data, now)
    return app.poll(now)


def sysex_json(out, command, sub=None):
    """Decode the one packed-JSON sysex in ``out``."""
    assert out[0] == 0xF0 and out[1] == command and out[-1] == 0xF7, out
    body = out[2:-1]
    if sub is not None:
        assert body[0] == sub, body
        body = body[1:]
    return json.loads(wire.unpack7(body).decode("utf-8"))


def case_report_version():
    hal, app = make()
    assert talk(app, b"\xf9") == b"\xf9\x02\x06"


def case_report_firmware():
    hal, app = make()
    assert talk(app, b"\xf0\x79\xf7") == b"\xf0\x79\x01\x00m\x00a\x00k\x00e\x00r\x00k\x00i\x00t\x00\xf7"


def case_capability_uno():
    hal, app = make()
    out = talk(app, b"\xf0\x6b\xf7")
    assert out[:2] == b"\xf0\x6c" and out[-1] == 0xF7
    pins = out[2:-1].split(b"\x7f")[:-1]
    assert len(pins) == 20
    assert pins[0] == b"" and pins[1] == b""  # D0/D1 carry the serial line
    # D2: input, output, servo, pullup, sonar, tone, dht
    assert pins[2] == bytes((0, 1, 1, 1, 4, 14, 0x0B, 1, 0x0C, 1, 0x0D, 1, 0x0F, 1))
    assert pins[3] == bytes((0, 1, 1, 1, 3, 8, 4, 14, 0x0B, 1, 0x0C, 1, 0x0D, 1, 0x0F, 1))
    assert bytes((2, 10)) in pins[14]  # A0 analog, 10 bits
    assert bytes((6, 1)) in pins[18] and bytes((6, 1)) in pins[19]  # I2C on A4/A5


def case_capability_esp32_resolutions():
    hal, app = make(ESP32_PROFILE)
    out = talk(app, b"\xf0\x6b\xf7")
    pins = out[2:-1].split(b"\x7f")[:-1]
    assert len(pins) == 37
    assert pins[3] == b""  # no GPIO3 in the profile
    assert bytes((3, 10)) in pins[2]  # PWM 10 bits
    assert bytes((2, 12)) in pins[36]  # ADC 12 bits
    assert pins[34] == bytes((0, 1, 2, 12, 0x0B, 1, 0x0C, 1))  # input-only: no output/servo/tone/dht


def case_analog_mapping():
    hal, app = make()
    assert talk(app, b"\xf0\x69\xf7") == b"\xf0\x6a" + b"\x7f" * 14 + bytes(range(6)) + b"\xf7"


def case_digital_output_and_pin_state():
    hal, app = make()
    assert talk(app, b"\xf4\x0d\x01") == b""
    assert ("mode", 13, 1) in hal.log
    assert talk(app, b"\xf5\x0d\x01") == b""
    assert hal.log[-1] == ("write", 13, 1)
    assert talk(app, b"\xf0\x6d\x0d\xf7") == b"\xf0\x6e\x0d\x01\x01\xf7"
    # DIGITAL_MESSAGE on port 1: bit 5 = pin 13
    talk(app, b"\x91\x00\x00")
    assert hal.log[-1] == ("write", 13, 0)
    talk(app, b"\x91\x20\x00")
    assert hal.log[-1] == ("write", 13, 1)


def case_default_modes_as_standard_firmata_without_touching_pins():
    hal, app = make()
    assert talk(app, b"\xf0\x6d\x0d\xf7") == b"\xf0\x6e\x0d\x01\x00\xf7"   # D13: OUTPUT
    assert talk(app, b"\xf0\x6d\x0e\xf7") == b"\xf0\x6e\x0e\x02\x00\xf7"   # A0: ANALOG
    assert hal.log == []                                                       # nothing driven at boot
    talk(app, b"\x91\x20\x00")   # pyFirmata writes D13 high with a port message, no SET_PIN_MODE
    assert hal.log == [("mode", 13, 1), ("write", 13, 1)]
    talk(app, b"\x91\x00\x00")
    assert hal.log[-1] == ("write", 13, 0) and len(hal.log) == 3   # D8-D12 were never touched


def case_digital_reporting():
    hal, app = make()
    talk(app, b"\xf4\x02\x0b")  # D2 pull-up
    out = talk(app, b"\xd0\x01")
    assert out == b"\x90\x04\x00"  # reported at once: pulled up reads 1
    assert app.poll(1) == b""
    hal.levels[2] = 0  # button pressed
    assert app.poll(2) == b"\x90\x00\x00"
    assert app.poll(3) == b""
    hal.levels[2] = 1
    assert app.poll(4) == b"\x90\x04\x00"
    talk(app, b"\xd0\x00")
    hal.levels[2] = 0
    assert app.poll(5) == b""


def case_analog_reporting_and_sampling():
    hal, app = make()
    hal.adc[14] = 1023
    out = talk(app, b"\xc0\x01", 0)
    assert out.startswith(b"\xe0\x7f\x07"), out  # sent at once
    assert app.poll(10) == b""
    assert app.poll(19) == b"\xe0\x7f\x07"
    talk(app, b"\xf0\x7a\x64\x00\xf7", 20)  # 100 ms
    hal.adc[14] = 300
    assert app.poll(38) == b"\xe0\x2c\x02"
    assert app.poll(100) == b""
    assert app.poll(138) == b"\xe0\x2c\x02"
    talk(app, b"\xf0\x7a\x01\x00\xf7", 140)  # clamped to 10 ms
    assert app.server.sampling_ms == 10
    talk(app, b"\xc0\x00", 141)
    assert app.poll(400) == b""


def case_pwm_and_extended_analog():
    hal, app = make()
    talk(app, b"\xf4\x03\x03")
    talk(app, b"\xe3\x7f\x01")  # 255
    assert hal.log[-1] == ("pwm", 3, 255, 8)
    talk(app, b"\xf0\x6f\x03\x40\xf7")  # 64
    assert hal.log[-1] == ("pwm", 3, 64, 8)
    talk(app, b"\xe3\x7f\x7f")  # clipped to 8 bits
    assert hal.log[-1] == ("pwm", 3, 255, 8)


def case_servo():
    hal, app = make()
    talk(app, b"\xf0\x70\x09\x20\x04\x60\x12\xf7")  # pin 9, 544..2400 us
    assert app.server.modes[9] == wire.SERVO
    talk(app, b"\xe9\x5a\x00")  # 90 degrees
    assert hal.log[-1] == ("servo", 9, 1472)
    talk(app, b"\xe9\x34\x0b")  # 1460 us (>= 544: microseconds)
    assert hal.log[-1] == ("servo", 9, 1460)
    talk(app, b"\xf0\x70\x09\x68\x07\x50\x0f\xf7")  # 1000..2000 us
    talk(app, b"\xe9\x00\x00")
    assert hal.log[-1] == ("servo", 9, 1000)


def case_bad_pin_and_mode_errors():
    hal, app = make()
    info = sysex_json(talk(app, b"\xf4\x28\x01"), wire.MK_ERROR)
    assert info["code"] == "bad_pin" and info["pin"] == 40 and info["cmd"] == 0xF4
    assert info["en"] and info["zh"]
    info = sysex_json(talk(app, b"\xf4\x02\x03"), wire.MK_ERROR)  # D2 has no PWM
    assert info["code"] == "bad_mode" and info["pin"] == 2
    info = sysex_json(talk(app, b"\xf0\x55\x01\xf7"), wire.MK_ERROR)
    assert info["code"] == "unknown_sysex" and info["cmd"] == 0x55
    info = sysex_json(talk(app, b"\xe4\x10\x00"), wire.MK_ERROR)  # analog write on an input pin
    assert info["code"] == "bad_mode"


def case_string_data_echo():
    hal, app = make()
    assert talk(app, b"\xf0\x71h\x00i\x00\xf7") == b"\xf0\x71h\x00i\x00\xf7"


def case_i2c_read_write_continuous():
    hal, app = make()
    hal.i2c_devices[0x38] = bytearray(range(16))
    assert talk(app, b"\xf0\x78\x00\x00\xf7") == b""
    assert ("i2c_setup", 18, 19) in hal.log
    assert app.server.modes[18] == wire.I2C
    # write register 2 = 0x99
    talk(app, b"\xf0\x76\x38\x00\x02\x00\x19\x01\xf7")
    assert hal.log[-1] == ("i2c_write", 0x38, b"\x02\x99", True)
    # read 3 bytes from register 1, with restart (bit 6)
    out = talk(app, b"\xf0\x76\x38\x48\x01\x00\x03\x00\xf7")
    assert hal.log[-1] == ("i2c_write", 0x38, b"\x01", False)
    assert out == b"\xf0\x77\x38\x00\x01\x00\x01\x00\x19\x01\x03\x00\xf7", out
    # read without a register: register field 0
    hal.i2c_pointer[0x38] = 0
    out = talk(app, b"\xf0\x76\x38\x08\x02\x00\xf7")
    assert out == b"\xf0\x77\x38\x00\x00\x00\x00\x00\x01\x00\xf7", out
    # continuous read every sampling interval, then stop
    talk(app, b"\xf0\x76\x38\x10\x04\x00\x01\x00\xf7", 100)
    first = app.poll(119)
    assert first.count(b"\xf0\x77") == 1 and first[2:6] == b"\x38\x00\x04\x00", first
    assert app.poll(125) == b""
    assert app.poll(138).count(b"\xf0\x77") == 1
    talk(app, b"\xf0\x76\x38\x18\xf7", 140)
    assert app.poll(200) == b""
    # nobody at 0x40
    info = sysex_json(talk(app, b"\xf0\x76\x40\x08\x01\x00\xf7"), wire.MK_ERROR)
    assert info["code"] == "i2c_nack"


def case_tone():
    hal, app = make()
    talk(app, b"\xf0\x5f\x00\x08\x38\x03\x64\x00\xf7", 1000)  # 440 Hz for 100 ms on D8
    assert hal.log[-1] == ("tone", 8, 440)
    app.poll(1099)
    assert hal.log[-1] == ("tone", 8, 440)
    app.poll(1100)
    assert hal.log[-1] == ("tone", 8, 0)
    talk(app, b"\xf0\x5f\x00\x08\x38\x03\x00\x00\xf7", 2000)  # until NO_TONE
    app.poll(9000)
    assert hal.log[-1] == ("tone", 8, 440)
    talk(app, b"\xf0\x5f\x01\x08\xf7", 9001)
    assert hal.log[-1] == ("tone", 8, 0)


def case_sonar():
    hal, app = make()
    hal.distance[7] = 200
    out = talk(app, b"\xf0\x62\x07\x08\xf7", 0)
    assert out == b"\xf0\x63\x07\x48\x01\xf7", out
    assert app.poll(49) == b""
    hal.distance[7] = 0
    assert app.poll(50) == b"\xf0\x63\x07\x00\x00\xf7"


def case_dht():
    hal, app = make()
    hal.dht[4] = (-12.5, 55.0)
    out = talk(app, b"\xf0\x74\x02\x04\x00\x68\x07\xf7", 0)  # DHT22 on D4 every 1000 ms
    t = 16384 - 125
    assert out == bytes((0xF0, 0x74, 0x00, 4, t & 0x7F, t >> 7, 0x26, 0x04, 0xF7)), out
    assert app.poll(999) == b""
    del hal.dht[4]
    assert app.poll(1000) == b"\xf0\x74\x7f\x04\xf7"
    talk(app, b"\xf0\x74\x03\x04\xf7", 1001)
    assert app.poll(5000) == b""


def case_system_reset():
    hal, app = make()
    talk(app, b"\xf4\x0d\x01\xf4\x03\x03\xd0\x01\xc0\x01")
    app.feed(b"\xff")
    assert ("mode", 13, 0) in hal.log[-3:] and ("mode", 3, 0) in hal.log[-3:]
    assert app.server.reporting_ports == {} and app.server.reporting_analog == []
    assert app.poll(100) == b""


def case_identity_and_boot_counter():
    hal, app = make(ESP32_PROFILE, repl=True, network=True, config={"kit": "kit-07", "class": "7a"})
    info = sysex_json(talk(app, b"\xf0\x01\xf7"), wire.MK_IDENTITY)
    assert info["fw"] == "makerkit" and info["proto"] == 1 and info["board"] == "esp32"
    assert info["kit"] == "kit-07" and info["class"] == "7a" and info["boot"] == 1
    assert "repl" in info["features"] and "dht" in info["features"]
    app2 = App(hal, ESP32_PROFILE, 0, boot_window=False)
    assert sysex_json(talk(app2, b"\xf0\x01\xf7"), wire.MK_IDENTITY)["boot"] == 2


def case_config_set_get_and_refusals():
    hal, app = make(ESP32_PROFILE, repl=True, network=True)
    text = b"kit=kit-09\nclass=7b\nwifi_ssid=lab\nwifi_password=secret\nbroker=mqtt://10.0.0.2:1883\ninterval=5"
    info = sysex_json(talk(app, b"\xf0\x02\x00" + wire.pack7(text) + b"\xf7"), wire.MK_CONFIG, 0x02)
    assert info["kit"] == "kit-09" and info["wifi_password"] == "***" and info["password"] == ""
    assert info["interval"] == 5 and info["broker"] == "mqtt://10.0.0.2:1883"
    assert hal.config["wifi_password"] == "secret"
    info = sysex_json(talk(app, b"\xf0\x02\x01\xf7"), wire.MK_CONFIG, 0x02)
    assert info["kit"] == "kit-09"
    info = sysex_json(talk(app, b"\xf0\x02\x00" + wire.pack7(b"kit=Bad Name") + b"\xf7"), wire.MK_CONFIG, 0x02)
    assert info == {"error": "bad_value", "key": "kit"}
    info = sysex_json(talk(app, b"\xf0\x02\x00" + wire.pack7(b"class=8a\ncolour=red") + b"\xf7"),
                      wire.MK_CONFIG, 0x02)
    assert info == {"error": "bad_key", "key": "colour"}
    assert hal.config["class"] == "7b"  # all or nothing
    # an Uno has no WiFi: network keys are refused
    hal2, uno = make()
    info = sysex_json(talk(uno, b"\xf0\x02\x00" + wire.pack7(b"wifi_ssid=lab") + b"\xf7"), wire.MK_CONFIG, 0x02)
    assert info == {"error": "bad_key", "key": "wifi_ssid"}


def case_repl_handback():
    hal, app = make(ESP32_PROFILE, repl=True)
    app.feed(b"\xf0\x04\xf7\r\x03\r\x01")
    assert app.state == "repl"
    assert sysex_json(app.poll(0), wire.MK_REPL) == {"ok": True}
    assert app.leftover == b"\r\x03\r\x01"
    assert app.poll(1) == b""
    hal2, uno = make()
    assert sysex_json(talk(uno, b"\xf0\x04\xf7"), wire.MK_ERROR)["code"] == "unsupported"


def case_boot_window():
    hal = FakeHal(repl=True)
    app = App(hal, ESP32_PROFILE, 1000)
    assert app.state == "boot"
    app.feed(b"\xf9")  # a connecting host: answered once Firmata starts
    assert app.poll(1499) == b""
    assert app.poll(1500) == b"\xf9\x02\x06"
    assert app.state == "firmata"
    app = App(FakeHal(repl=True), ESP32_PROFILE, 0)
    app.feed(b"\x03")
    app.poll(100)
    app.feed(b"\x03")
    assert app.state == "repl"
    assert app.poll(600) == b""


def case_split_packets():
    hal, app = make()
    whole = b"\xf9\xf0\x79\xf7\xf4\x0d\x01\xf5\x0d\x01\xf0\x6d\x0d\xf7"
    expected = talk(make()[1], whole)
    for size in (1, 2, 3, 5):
        hal, app = make()
        out = b""
        for i in range(0, len(whole), size):
            app.feed(whole[i:i + size])
            out += app.poll(0)
        assert out == expected, (size, out)


def case_garbage_resync():
    p = FirmataParser()
    msgs = p.feed(b"\x12\x34\xf9\x90\x01\xf9\xf0\x79\x05\xf4\x0d\xf0\x6b\xf7\xf7\x80\xe3\x10\x00")
    assert msgs == [("msg", 0xF9, b""), ("msg", 0xF9, b""), ("sysex", 0x6B, b""), ("msg", 0xE3, b"\x10\x00")], msgs
    assert p.garbage == 2 + 2 + 3 + 2 + 1 + 1, p.garbage
    hal, app = make()
    assert talk(app, b"\x55\x66\xf0\x79" + b"\xf9") == b"\xf9\x02\x06"


def case_pack7_roundtrip():
    for data in (b"", b"a", b"\xff" * 7, bytes(range(256)), "温度".encode("utf-8")):
        packed = wire.pack7(data)
        assert all(b < 0x80 for b in packed)
        assert wire.unpack7(packed) == data
    assert wire.pack7(b"\xff" * 7) == b"\x7f" * 8


def case_extension_hooks():
    hal, app = make()
    seen = []

    def handler(server, payload, now):
        seen.append((bytes(payload), now))
        server.send_sysex(0x0E, payload)

    app.server.add_sysex_handler(0x0E, handler)
    app.server.add_poller(lambda now: b"\xf9\x02\x06" if now == 7 else None)
    assert talk(app, b"\xf0\x0e\x01\x02\xf7", 5) == b"\xf0\x0e\x01\x02\xf7"
    assert seen == [(b"\x01\x02", 5)]
    assert app.poll(7) == b"\xf9\x02\x06"


def case_broken_extension_is_switched_off_once():
    hal, app = make()

    def broken(now):
        raise RuntimeError("bug")

    app.server.add_poller(broken)
    info = sysex_json(app.poll(1), wire.MK_ERROR)
    assert info["code"] == "extension_failed"
    assert app.poll(2) == b""
    app.server.add_sysex_handler(0x0E, lambda server, payload, now: 1 / 0)
    assert sysex_json(talk(app, b"\xf0\x0e\xf7", 3), wire.MK_ERROR)["code"] == "bad_request"
    assert talk(app, b"\xf9", 4) == b"\xf9\x02\x06"


def case_incarnation_kept_with_its_counters_and_renewed_when_they_are_lost():
    from mkfw import config as cfg
    # as makerkit deploy leaves a kit: the incarnation in the config and in the counters file
    hal = FakeHal(repl=True, network=True)
    hal.config = {"kit": "kit-07", "class": "7a", "inc": "k3v9x2m7q1aa"}
    hal.state = {"inc": "k3v9x2m7q1aa"}
    app = App(hal, ESP32_PROFILE, 0, boot_window=False)
    info = sysex_json(talk(app, b"\xf0\x01\xf7"), wire.MK_IDENTITY)
    assert info["inc"] == "k3v9x2m7q1aa" and info["boot"] == 1 and info["hw"] == ""
    hal.state["seq"] = 40
    App(hal, ESP32_PROFILE, 0, boot_window=False)
    assert hal.state["inc"] == "k3v9x2m7q1aa" and hal.state["boot"] == 2 and hal.state["seq"] >= 40
    # the counters file is lost while the config stays: counting again inside the old incarnation would
    # reuse its numbers, so the kit starts one of its own (and says so in its config)
    hal.state = {}
    app = App(hal, ESP32_PROFILE, 0, boot_window=False)
    inc = hal.state["inc"]
    assert inc != "k3v9x2m7q1aa" and cfg.valid_inc(inc) and len(inc) == cfg.INC_LENGTH
    assert hal.state["boot"] == 1 and hal.config["inc"] == inc and app.config["inc"] == inc
    # a kit from before incarnations (neither file has one) keeps counting as it did
    hal = FakeHal(repl=True, network=True)
    hal.config = {"kit": "kit-07", "class": "7a"}
    hal.state = {"boot": 4, "seq": 33}
    App(hal, ESP32_PROFILE, 0, boot_window=False)
    assert hal.state["boot"] == 5 and hal.state["seq"] >= 33 and "inc" not in hal.state
    assert hal.config.get("inc", "") == ""
    # the host sets the incarnation; MK_CONFIG does not
    info = sysex_json(talk(app, b"\xf0\x02\x00" + wire.pack7(b"inc=abc") + b"\xf7"), wire.MK_CONFIG, 0x02)
    assert info == {"error": "bad_key", "key": "inc"}
    assert not cfg.check("inc", "Not Valid!")[0] and cfg.check("inc", "abc123")[0]
    assert cfg.normalise({"inc": "BAD!"})["inc"] == "" and cfg.new_inc() != cfg.new_inc()


CASES = [(name, fn) for name, fn in sorted(globals().items()) if name.startswith("case_")]


def run_all():
    failed = 0
    for name, fn in CASES:
        try:
            fn()
            print("PASS", name)
        except Exception as exc:
            failed += 1
            print("FAIL", name, repr(exc))
    print("DONE", len(CASES), "FAILED", failed)
    return failed


if __name__ == "__main__":
    run_all()
