"""Teacher-control cases (``mkfw.control``, ``mkfw.oled``) under CPython and the real MicroPython.

Run by pytest (``test_control_firmware.py``) and as ``micropython mp_control_cases.py``; the last case
(the SSD1306 through ``mkfw.hal_esp32`` over the fake ``machine``) needs MicroPython's ``framebuf``.
"""

import json
import sys

from fakehal import ESP32_PROFILE, FakeHal
from mkfw import control, oled, wire
from mkfw.app import App


class FakeTelemetry:
    """What Control needs of mkfw.telemetry: connected, event_doc, event."""

    def __init__(self):
        self.connected = True
        self.sent = []

    def event_doc(self, name, data=None):
        return {"v": 1, "event": name, "data": data}

    def event(self, name, data=None, now_ms=None, doc=None):
        self.sent.append(doc)
        return True


def make(profile=ESP32_PROFILE):
    hal = FakeHal()
    app = App(hal, profile, 0, boot_window=False)
    tel = FakeTelemetry()
    ctl = control.install(app.server, tel)
    return hal, app, tel, ctl


def msg(**doc):
    return json.dumps(doc).encode("utf-8")


def case_check_accepts_and_refuses():
    assert control.check(msg(v=1, id="r-1", cmd="stop")) == ({"v": 1, "id": "r-1", "cmd": "stop"}, None)
    assert control.check(msg(v=1, id="r-2", cmd="say", text="Hi", by="t"))[1] is None
    assert control.check(b"x" * 1025) == (None, "too_large")
    assert control.check(b"\xff\xfe{") == (None, "bad_json")
    assert control.check(b"[1, 2]") == (None, "bad_json")
    assert control.check(msg(v=1, id=7, cmd="stop")) == (None, "bad_id")
    assert control.check(msg(v=1, id="r" * 65, cmd="stop")) == (None, "bad_id")
    assert control.check(msg(v=2, id="r-3", cmd="stop"))[1] == "bad_version"
    assert control.check(msg(v=1, id="r-4", cmd="dance"))[1] == "bad_cmd"
    assert control.check(msg(v=1, id="r-5", cmd="say"))[1] == "bad_text"
    assert control.check(msg(v=1, id="r-6", cmd="say", text="x" * 201))[1] == "bad_text"
    assert control.check(msg(v=1, id="r-7", cmd="say", text=5))[1] == "bad_text"
    assert control.check(msg(v=1, id="r-8", cmd="stop", by=["x"]))[1] == "bad_by"


def case_stop_turns_outputs_off_and_servos_hold():
    hal, app, tel, ctl = make()
    s = app.server
    s.set_mode(2, wire.OUTPUT)
    s.write_digital(2, 1)
    s.set_mode(4, wire.PWM)
    s.write_analog(4, 700)
    s.set_mode(5, wire.TONE)
    hal.tone(5, 440)
    s.set_mode(13, wire.SERVO)
    s.write_analog(13, 90)
    del hal.log[:]
    ctl.on_message(b"makerkit/v1/7a/_class/control", msg(v=1, id="r-stop", cmd="stop", by="teacher"))
    assert ("write", 2, 0) in hal.log and ("pwm", 4, 0, 10) in hal.log and ("tone", 5, 0) in hal.log
    assert [e for e in hal.log if e[0] == "servo"] == []          # the servo keeps its pulse
    assert s.values[2] == 0 and s.values[4] == 0 and s.values[13] == 90
    out = app.poll(10)
    note = json.loads(wire.unpack7(out[out.index(b"\xf0\x05") + 2:out.index(b"\xf7", out.index(b"\xf0\x05"))]))
    assert note == {"cmd": "stop", "id": "r-stop", "by": "teacher"}
    assert tel.sent == [{"v": 1, "event": "control_ack", "data": {"id": "r-stop", "cmd": "stop", "done": "stopped",
                                                                  "outputs": 3}}]
    assert "control" in s.features


def case_malformed_messages_are_counted_never_raised():
    hal, app, tel, ctl = make()
    for junk in (b"", b"\x00" * 3000, b"{", b"null", msg(v=1, id=None, cmd="stop"), msg(v=1, id="r-x", cmd="boom")):
        ctl.on_message(b"t/control", junk)
    app.poll(5)
    assert ctl.ignored == 6 and ctl.obeyed == 0
    assert tel.sent[-1]["data"] == {"id": "r-x", "cmd": "boom", "done": "refused", "reason": "bad_cmd"}


def case_same_request_on_both_topics_is_obeyed_once():
    hal, app, tel, ctl = make()
    for topic in (b"makerkit/v1/7a/_class/control", b"makerkit/v1/7a/k/control"):
        ctl.on_message(topic, msg(v=1, id="r-twice", cmd="say", text="Hello"))
    app.poll(5)
    assert ctl.obeyed == 1 and len(tel.sent) == 1
    assert tel.sent[0]["data"] == {"id": "r-twice", "cmd": "say", "done": "passed"}     # no display: to the host
    assert ctl.last_text == "Hello"


def case_acks_wait_while_offline():
    hal, app, tel, ctl = make()
    tel.connected = False
    ctl.on_message(b"t/control", msg(v=1, id="r-off", cmd="stop"))
    app.poll(5)
    assert tel.sent == []
    tel.connected = True
    app.poll(10)
    assert tel.sent[0]["data"]["id"] == "r-off"


def case_oled_wrap():
    assert oled.wrap("Tidy up your desks please") == ["Tidy up your", "desks please"]
    assert oled.wrap("a" * 20) == ["a" * 16, "aaaa"]
    assert oled.wrap("one\ntwo") == ["one", "two"]
    assert len(oled.wrap("word " * 100)) == 8


def case_say_on_an_oled_board():
    if sys.implementation.name != "micropython":
        return                                    # framebuf is MicroPython's
    import fake_machine
    fake_machine.install()
    fake_machine.I2C_DEVICES[60] = b""
    from mkfw.hal_esp32 import Esp32Hal
    profile = dict(ESP32_PROFILE)
    profile["oled"] = 60
    app = App(Esp32Hal(12, "/tmp/"), profile, 0, boot_window=False)
    tel = FakeTelemetry()
    ctl = control.install(app.server, tel)
    ctl.on_message(b"t/control", msg(v=1, id="r-oled", cmd="say", text="Tidy up!"))
    app.poll(5)
    assert tel.sent[0]["data"]["done"] == "shown", tel.sent
    frames = [e for e in fake_machine.LOG if e[0] == "writeto" and e[1] == 60 and len(e[2]) == 1025]
    assert frames and frames[-1][2][0] == 0x40 and any(frames[-1][2][1:])      # a frame with lit pixels


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
