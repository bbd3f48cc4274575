"""Teacher controls on the kit (MicroPython-compatible): ``stop`` and ``say`` from the class broker.

``install(server, telemetry)`` subscribes the kit to its own control topic
(``makerkit/v1/{class}/{kit}/control``) and its class's (``makerkit/v1/{class}/_class/control``)
through ``telemetry.on_control``. A message (docs/TELEMETRY.md §4a) is
``{"v":1,"id":"<request id>","cmd":"stop"|"say","text":"...","by":"..."}``:

* ``stop`` turns every output off at once: digital outputs low (LEDs, motor drivers), PWM duty 0,
  tones off; servos keep their last pulse, so an arm holds its position instead of dropping.
* ``say`` shows ``text`` on the kit's OLED where the board has one (profile key ``oled``, the
  display's I2C address) through ``hal.show_text``; otherwise it is handed to the host.

Either way the host (a running lesson, or ``makerkit bridge``) hears of it as an MK_CONTROL sysex
(firmware/PROTOCOL.md), and the kit answers on its event topic with a ``control_ack`` event carrying
the request id and what it did. Anything malformed (not JSON, too big, wrong types, unknown command)
is counted in ``ignored`` and, when it carries a usable id, answered ``refused``; it never raises
into the MQTT loop. Acks are sent from the poller, not from inside the MQTT callback, because a QoS 1
publish inside ``check_msg`` would read further messages re-entrantly.
"""

import json

from . import wire

MAX_MESSAGE = 1024       # bytes of one control message
MAX_TEXT = 200           # characters a ``say`` may carry (a 128x64 OLED shows 8 lines of 16)
MAX_ID = 64
MAX_BY = 64
RECENT_IDS = 8           # a message reaching the kit on both topics is obeyed once
COMMANDS = ("stop", "say")


def check(msg):
    """``(doc, problem)``: the validated message and None, or the best-known doc and a reason."""
    if len(msg) > MAX_MESSAGE:
        return None, "too_large"
    try:
        doc = json.loads(msg)
    except (ValueError, UnicodeError):
        return None, "bad_json"
    if not isinstance(doc, dict):
        return None, "bad_json"
    rid = doc.get("id")
    if not isinstance(rid, str) or not 1 <= len(rid) <= MAX_ID:
        return None, "bad_id"
    if doc.get("v") != 1:
        return doc, "bad_version"
    cmd = doc.get("cmd")
    if cmd not in COMMANDS:
        return doc, "bad_cmd"
    by = doc.get("by", "")
    if not isinstance(by, str) or len(by) > MAX_BY:
        return doc, "bad_by"
    if cmd == "say":
        text = doc.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            return doc, "bad_text"
    return doc, None


def stop_outputs(server):
    """Every output off now; returns how many pins were turned off. Servos hold their position."""
    count = 0
    for pin in server.modes:
        mode = server.modes[pin]
        if pin not in server.configured:
            continue
        if mode == wire.OUTPUT:
            server.hal.digital_write(pin, 0)
            server.values[pin] = 0
        elif mode == wire.PWM:
            server.hal.pwm_write(pin, 0, server.profile.pwm_bits)
            server.values[pin] = 0
        elif mode == wire.TONE:
            server.hal.tone(pin, 0)
            server.values[pin] = 0
        else:
            continue
        count += 1
    return count


class Control:
    def __init__(self, server, telemetry):
        self.server = server
        self.telemetry = telemetry
        self.oled = server.profile.data.get("oled")
        self.ignored = 0
        self.obeyed = 0
        self.last_text = ""
        self._display_ready = False
        self._recent = []
        self._acks = []

    def on_message(self, topic, msg):
        """The MQTT callback's share: never raises."""
        try:
            self._handle(msg)
        except Exception:  # a broken display or host link must not take the MQTT loop down
            self.ignored += 1

    def _handle(self, msg):
        doc, problem = check(msg)
        if doc is None:
            self.ignored += 1
            return
        rid = doc["id"]
        if rid in self._recent:
            return
        self._recent.append(rid)
        if len(self._recent) > RECENT_IDS:
            self._recent.pop(0)
        if problem is not None:
            self.ignored += 1
            self._acks.append({"id": rid, "cmd": str(doc.get("cmd"))[:16], "done": "refused", "reason": problem})
            return
        self._acks.append(self.run(doc))

    def run(self, doc):
        """Obey a validated message; returns the ack data."""
        cmd = doc["cmd"]
        ack = {"id": doc["id"], "cmd": cmd}
        note = {"cmd": cmd, "id": doc["id"], "by": doc.get("by", "")}
        if cmd == "stop":
            ack["done"] = "stopped"
            ack["outputs"] = stop_outputs(self.server)
        else:
            text = doc["text"]
            self.last_text = text
            note["text"] = text
            shown = False
            if self.oled:
                shown = self._show(text)
            ack["done"] = "shown" if shown else "passed"
            note["shown"] = shown
        self.obeyed += 1
        self.server.send_json(wire.MK_CONTROL, note)
        return ack

    def _show(self, text):
        server = self.server
        if not self._display_ready and len(server.profile.i2c_pins) == 2:
            sda, scl = server.profile.i2c_pins
            server.hal.i2c_setup(sda, scl)
            self._display_ready = True
        try:
            return bool(server.hal.show_text(text, self.oled))
        except OSError:      # the display does not answer: the host still gets the text
            return False

    def poll(self, now_ms):
        while self._acks:
            tel = self.telemetry
            if not tel.connected:
                return None
            ack = self._acks.pop(0)
            tel.event("control_ack", doc=tel.event_doc("control_ack", ack))
        return None


def install(server, telemetry):
    """Hook teacher controls into the telemetry's MQTT session; returns the Control."""
    control = Control(server, telemetry)
    telemetry.on_control = control.on_message
    server.add_poller(control.poll)
    if "control" not in server.features:
        server.features.append("control")
    server.control = control
    return control
