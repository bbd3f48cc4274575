"""Device-side telemetry (MicroPython-compatible): numbered readings that survive reboots and outages.

``install(server, hal, config)`` registers the MK_TELEMETRY (0x03) sysex handler and a poller.

* Every record gets the next ``seq``; ``seq`` only grows, across reboots too: the next free number is
  reserved in ``hal.save_state`` in blocks of 16, and a boot continues from the reserved value.
* Records wait in the outbox (``mkfw.outbox``): on boards with a filesystem a ring of append-only
  segment files on flash (at least an hour at one reading a second; it survives a power cut and is
  delivered after the reboot), else a bounded RAM buffer. When it is full the oldest records go
  first; records that go before they were delivered are counted in ``dropped`` (reported in the
  status topic and in every payload, ``"dropped": N``). Delivered records stay for replay until
  pushed out.
* Replay requests are validated and rate-limited (``mkfw.replay``); WiFi kits set their clock by NTP
  (``mkfw.ntp``, config key ``ntp``).
* With a broker in the config and ``hal.network_ready()``, records are published with QoS 1 through
  ``hal.mqtt_client(...)`` (umqtt.simple's API; ``mqtts://`` checked against the kit's CA, ``mkfw.tls``): retained ``online`` status, an ``offline`` last will,
  and a subscription to ``.../replay`` whose requests are answered from the outbox followed by a
  ``replay_done`` event that lists what the outbox no longer holds. A lost connection is retried by
  itself with a growing pause (0.5 s .. 10 s); undelivered records wait meanwhile.
* Tethered kits: each new record also goes to the host as a MK_TELEMETRY RECORD sysex; the host's
  bridge acknowledges with ACK ``upto=SEQ`` (delivered), asks REPLAY ``from=A to=B`` and sets the
  wall clock with CLOCK ``time=ISO``. PUT ``name=value`` lines are a lesson's ``kit.publish``.
* EVENT ``event=NAME`` + ``data.KEY=JSON`` lines is a lesson's ``kit.event``: the event is published
  on ``.../event`` when the kit is online and always echoed to the host as an EVENT (flag 1: published,
  0: for the bridge to publish).
"""

import json

from . import ntp, outbox, replay, tls, wire

SUB_PUT = wire.MK_TELEMETRY_PUT
SUB_RECORD = wire.MK_TELEMETRY_RECORD
SUB_ACK = wire.MK_TELEMETRY_ACK
SUB_REPLAY = wire.MK_TELEMETRY_REPLAY
SUB_CLOCK = wire.MK_TELEMETRY_CLOCK
SUB_EVENT = wire.MK_TELEMETRY_EVENT
SEQ_BLOCK = 16
CAPACITY = outbox.RAM_CAPACITY   # records kept on a board without a filesystem
MAX_PER_POLL = 32
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"


def ticks_diff(a, b):
    return ((a - b + 0x20000000) & 0x3FFFFFFF) - 0x20000000


def valid_name(name):
    if not 1 <= len(name) <= 32:
        return False
    for c in name:
        if c not in _NAME_CHARS:
            return False
    return True


def _days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def parse_iso_ms(text):
    """``2026-11-23T13:00:05.120Z`` (UTC or with a +hh:mm offset) -> milliseconds since 1970."""
    text = text.strip()
    if len(text) < 20 or text[4] != "-" or text[10] != "T":
        raise ValueError("bad time")
    y, mo, d = int(text[0:4]), int(text[5:7]), int(text[8:10])
    hh, mm, ss = int(text[11:13]), int(text[14:16]), int(text[17:19])
    rest = text[19:]
    ms = 0
    if rest.startswith("."):
        i = 1
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac = (rest[1:i] + "000")[:3]
        ms = int(frac)
        rest = rest[i:]
    offset = 0
    if rest in ("Z", "z"):
        offset = 0
    elif len(rest) == 6 and rest[0] in "+-" and rest[3] == ":":
        offset = (int(rest[1:3]) * 60 + int(rest[4:6])) * (1 if rest[0] == "+" else -1)
    else:
        raise ValueError("bad time zone")
    days = _days_from_civil(y, mo, d)
    return ((days * 86400 + hh * 3600 + mm * 60 + ss - offset * 60) * 1000) + ms


def format_iso_ms(epoch_ms):
    secs, ms = divmod(int(epoch_ms), 1000)
    days, rem = divmod(secs, 86400)
    y, m, d = _civil_from_days(days)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (y, m, d, rem // 3600, rem // 60 % 60, rem % 60, ms)


class Telemetry:
    def __init__(self, hal, config, boot=None, capacity=CAPACITY):
        self.hal = hal
        self.config = config
        state = hal.load_state() or {}
        self.boot = boot if boot is not None else int(state.get("boot", 0))
        self.next_seq = max(1, int(state.get("seq", 1)))
        self._reserved = self.next_seq
        self._reserve()
        self.capacity = capacity
        self.outbox = outbox.open_outbox(hal, capacity)
        self.outbox.renumbered(self.next_seq)
        self.replay_gate = replay.ReplayGate()
        self.ntp = ntp.NtpClock(hal, config)
        self.epoch_ms = None      # wall-clock ms at uptime 0, once known
        self.uptime_ms = 0
        self._last_tick = None
        self.units = {}
        self._sources = []
        self._source_units = {}
        self._next_sample = None
        self._replays = []        # [from, to, next seq to send, outbox position], oldest first
        self._out = bytearray()
        self.client = None
        self.connected = False
        self._next_attempt = 0
        self._backoff = 500
        self._next_ping = 0
        self.publish_errors = 0
        self.net_error = ""       # why the last connection attempt failed (mkfw.tls codes), "" once connected
        self.on_control = None    # mkfw.control's handler for teacher controls, when installed

    # --- numbering and buffer -------------------------------------------------------------
    def _reserve(self):
        self._reserved = self.next_seq + SEQ_BLOCK
        state = self.hal.load_state() or {}
        state["seq"] = self._reserved
        self.hal.save_state(state)

    def add_source(self, fn, units=None):
        """``fn(now_ms) -> {name: value}`` sampled every ``interval`` seconds of the config."""
        self._sources.append(fn)
        self._source_units.update(units or {})

    def set_clock(self, iso_text):
        self.epoch_ms = parse_iso_ms(iso_text) - self.uptime_ms

    def _tick(self, now_ms):
        if self._last_tick is not None:
            step = ticks_diff(now_ms, self._last_tick)
            if step > 0:
                self.uptime_ms += step
        self._last_tick = now_ms

    def record(self, readings, units=None, now_ms=None):
        """Number, stamp and buffer one set of readings; returns its ``seq``."""
        if now_ms is not None:
            self._tick(now_ms)
        clean = {}
        for name in readings:
            value = readings[name]
            if not valid_name(name) or isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(name)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(name)
            clean[name] = value
        if not 1 <= len(clean) <= 32:
            raise ValueError("readings")
        if units:
            for name in units:
                self.units[name] = units[name]
        seq = self.next_seq
        self.next_seq += 1
        if self.next_seq >= self._reserved:
            self._reserve()
        doc = {"v": 1, "seq": seq, "boot": self.boot, "uptime_ms": self.uptime_ms}
        self._stamp_inc(doc)
        if self.epoch_ms is not None:
            doc["time"] = format_iso_ms(self.epoch_ms + self.uptime_ms)
        doc["readings"] = clean
        used = {}
        for name in clean:
            if name in self.units and self.units[name]:
                used[name] = self.units[name]
        if used:
            doc["units"] = used
        self.outbox.make_room()
        if self.outbox.dropped:
            doc["dropped"] = self.outbox.dropped
        payload = json.dumps(doc).encode("utf-8")
        self.outbox.append(seq, payload)
        self._out.extend(wire.sysex(wire.MK_TELEMETRY, bytes((SUB_RECORD,)) + wire.pack7(payload)))
        return seq

    @property
    def dropped(self):
        return self.outbox.dropped

    @property
    def delivered_upto(self):
        return self.outbox.acked

    def pending(self):
        return self.outbox.pending()

    def ack(self, upto):
        """Everything up to ``upto`` is safe elsewhere (broker PUBACK or the bridge's disk)."""
        self.outbox.ack(upto)

    def missing(self, first, last):
        """Ranges of ``first..last`` that were assigned but are no longer in the outbox
        (``last - first`` is bounded by the replay checks)."""
        last = min(last, self.next_seq - 1)
        if first > last:
            return []
        return self.outbox.missing(first, last)

    # --- topics ---------------------------------------------------------------------------------
    def _topic(self, kind):
        return "makerkit/v1/%s/%s/%s" % (self.config.get("class") or "", self.config.get("kit") or "", kind)

    def _stamp_inc(self, doc):
        # the incarnation (config "inc", set by makerkit deploy); kits without one send none
        if self.config.get("inc"):
            doc["inc"] = self.config["inc"]

    def _status(self, state):
        doc = {"v": 1, "state": state, "boot": self.boot, "seq": self.next_seq - 1, "dropped": self.dropped}
        self._stamp_inc(doc)
        try:
            hw = self.hal.hardware_id()
        except Exception:  # a hardware layer without an id (the headless kit, older ports)
            hw = ""
        if hw:
            doc["hw"] = hw[:32]
        doc["fw"] = "%s %s" % (wire.FIRMWARE_NAME, wire.FIRMWARE_VERSION)
        if self.config.get("build"):
            doc["fw"] += "+" + self.config["build"]
        if state == "online":
            doc["buffered"] = self.pending()
        ignored = self.replay_gate.ignored + self.replay_gate.invalid
        if ignored:
            doc["replays_ignored"] = ignored
        return json.dumps(doc)

    def _network_wanted(self):
        c = self.config
        return bool(c.get("broker") and c.get("kit") and c.get("class")) and self.hal.network_ready()

    # --- MQTT -------------------------------------------------------------------------------------
    def _on_message(self, topic, msg):
        if self.on_control is not None and bytes(topic).endswith(b"/control"):
            self.on_control(topic, msg)
            return
        wanted = self.replay_gate.admit(msg, self.uptime_ms)
        if wanted is not None:
            self._replays.append([wanted[0], wanted[1], wanted[0], None])

    def _connect(self, now_ms):
        client = tls.open_client(self.hal, "mk-%s-%s" % (self.config["class"], self.config["kit"]),
                                 self.config["broker"], self.config.get("username"), self.config.get("password"))
        client.set_callback(self._on_message)
        client.set_last_will(self._topic("status"), self._status("offline"), True, 1)
        client.connect()
        self.client = client
        client.subscribe(self._topic("replay"), 1)
        if self.on_control is not None:
            client.subscribe(self._topic("control"), 1)
            client.subscribe("makerkit/v1/%s/_class/control" % self.config["class"], 1)
        client.publish(self._topic("status"), self._status("online"), True, 1)
        self.connected = True
        self.net_error = ""
        self._backoff = 500
        self._next_ping = now_ms + 30000

    def _drop_connection(self, now_ms):
        self.publish_errors += 1
        self.connected = False
        if self.client is not None:
            try:
                self.client.close_socket() if hasattr(self.client, "close_socket") else self.client.disconnect()
            except Exception:
                pass
        self.client = None
        self._next_attempt = now_ms + self._backoff
        self._backoff = min(self._backoff * 2, 10000)

    def _mqtt_step(self, now_ms):
        if not self.connected:
            if ticks_diff(now_ms, self._next_attempt) < 0:
                return
            try:
                self._connect(now_ms)
            except Exception as exc:
                self.net_error = tls.error_code(exc)
                self._drop_connection(now_ms)
                return
        try:
            for _ in range(8):
                if self.client.check_msg() is None:
                    break
            sent = self._answer_replays()
            for seq, payload in self.outbox.undelivered(MAX_PER_POLL - sent):
                self.client.publish(self._topic("telemetry"), payload, False, 1)   # returns on PUBACK
                self.outbox.ack(seq)
            if ticks_diff(now_ms, self._next_ping) >= 0:
                self.client.ping()
                self._next_ping = now_ms + 30000
        except Exception:
            self._drop_connection(now_ms)

    def _answer_replays(self):
        """Go on with the oldest replay requests, at most MAX_PER_POLL records per poll; returns how
        many records went out. Each finished request ends with its ``replay_done`` event."""
        sent = 0
        while self._replays and sent < MAX_PER_POLL:
            job = self._replays[0]
            got, job[3] = self.outbox.records(job[2], job[1], MAX_PER_POLL - sent, job[3])
            for seq, payload in got:
                self.client.publish(self._topic("telemetry"), payload, False, 1)
                sent += 1
            if got:
                job[2] = got[-1][0] + 1
            if job[3] is None or job[2] > job[1]:
                self._replays.pop(0)
                done = {"v": 1, "event": "replay_done", "from": job[0], "to": job[1],
                        "missing": self.missing(job[0], job[1]), "boot": self.boot}
                self._stamp_inc(done)
                self.client.publish(self._topic("event"), json.dumps(done), False, 1)
        return sent

    def event_doc(self, name, data=None):
        """The v1 event payload for a lesson event, stamped with this boot, uptime and (when known) time."""
        doc = {"v": 1, "event": name, "boot": self.boot, "uptime_ms": self.uptime_ms}
        self._stamp_inc(doc)
        if self.epoch_ms is not None:
            doc["time"] = format_iso_ms(self.epoch_ms + self.uptime_ms)
        if data:
            doc["data"] = data
        return doc

    def event(self, name, data=None, now_ms=None, doc=None):
        """Publish a lesson event (checkpoint, button) on ``.../event`` when connected; QoS 1, not buffered."""
        if now_ms is not None:
            self._tick(now_ms)
        if not self.connected:
            return False
        if doc is None:
            doc = self.event_doc(name, data)
        try:
            self.client.publish(self._topic("event"), json.dumps(doc), False, 1)
            return True
        except Exception:
            self._drop_connection(self._last_tick or 0)
            return False

    def _host_event(self, server, lines):
        name = None
        data = {}
        bad = None
        for key, value in lines:
            if key == "event":
                name = value
            elif key.startswith("data.") and valid_name(key[5:]) and value is not None:
                try:
                    data[key[5:]] = json.loads(value)
                except ValueError:
                    bad = key[5:]
            else:
                bad = key
        if name is None or not valid_name(name):
            bad = "event=%s" % name
        if bad is None:
            doc = self.event_doc(name, data)
            text = json.dumps(doc)
            if len(text) > 4096:
                bad = "size"
        if bad is not None:
            server.send_json(wire.MK_ERROR, {"code": "bad_event", "cmd": wire.MK_TELEMETRY,
                                             "en": "Event %s: use a name and data keys of a-z, 0-9, _ (at most 32) "
                                                   "and at most 4096 bytes." % bad,
                                             "zh": "事件 %s 不合法：名称和数据键只能用 a-z、0-9、_（最多 32 个字符），"
                                                   "总共最多 4096 字节。" % bad})
            return
        sent = self._network_wanted() and self.event(name, doc=doc)
        self._out.extend(wire.sysex(wire.MK_TELEMETRY, bytes((SUB_EVENT, 1 if sent else 0))
                                    + wire.pack7(text.encode("utf-8"))))

    # --- firmware hooks ---------------------------------------------------------------------------
    def poll(self, now_ms):
        self._tick(now_ms)
        interval = self.config.get("interval") or 0
        if self._sources and interval:
            if self._next_sample is None or self._next_sample - self.uptime_ms > interval * 1000:
                self._next_sample = self.uptime_ms + interval * 1000
            elif self.uptime_ms >= self._next_sample:
                self._next_sample += interval * 1000
                readings = {}
                for fn in self._sources:
                    try:
                        readings.update(fn(now_ms) or {})
                    except OSError:
                        pass
                if readings:
                    self.record(readings, {k: self._source_units[k] for k in readings if k in self._source_units})
        if self.hal.network_ready():
            wall = self.ntp.step(self.uptime_ms)
            if wall is not None:
                self.epoch_ms = wall - self.uptime_ms
        if self._network_wanted():
            self._mqtt_step(now_ms)
        elif self.connected:
            self._drop_connection(now_ms)
        self.outbox.save(self.uptime_ms)
        if not self._out:
            return b""
        out = bytes(self._out)
        self._out = bytearray()
        return out

    def handle_sysex(self, server, payload, now_ms):
        self._tick(now_ms)
        sub = payload[0]
        if sub == SUB_PUT:
            readings = {}
            units = {}
            for key, value in wire.text_lines(payload[1:]):
                if key.startswith("unit."):
                    units[key[5:]] = value or ""
                else:
                    try:
                        readings[key] = float(value)
                    except (TypeError, ValueError):
                        readings[key] = None
            try:
                self.record(readings, units)
            except ValueError as exc:
                server.send_json(wire.MK_ERROR, {"code": "bad_reading", "cmd": wire.MK_TELEMETRY,
                                                 "en": "Reading %s is not a number with a name of a-z, 0-9, _." % exc,
                                                 "zh": "读数 %s 不是数字，或名称不只包含 a-z、0-9、_。" % exc})
        elif sub == SUB_ACK:
            pairs = dict(wire.text_lines(payload[1:]))
            self.ack(int(pairs["upto"]))
        elif sub == SUB_REPLAY:
            self._host_replay(dict(wire.text_lines(payload[1:])))
        elif sub == SUB_CLOCK:
            pairs = dict(wire.text_lines(payload[1:]))
            self.set_clock(pairs["time"])
        elif sub == SUB_EVENT:
            self._host_event(server, wire.text_lines(payload[1:]))
        else:
            raise ValueError("sub")


    def _host_replay(self, pairs):
        """REPLAY from the bridge (the kit's own host: validated, not rate-limited)."""
        try:
            wanted = replay.check(int(pairs["from"]), int(pairs["to"]))
        except (KeyError, TypeError, ValueError):
            wanted = None
        if wanted is None:
            self.replay_gate.invalid += 1
            return
        nxt, pos = wanted[0], None
        while True:
            got, pos = self.outbox.records(nxt, wanted[1], MAX_PER_POLL, pos)
            for seq, data in got:
                self._out.extend(wire.sysex(wire.MK_TELEMETRY, bytes((SUB_RECORD,)) + wire.pack7(data)))
            if pos is None:
                return
            nxt = got[-1][0] + 1


def install(server, hal, config):
    """Register MK_TELEMETRY and the telemetry poller on a FirmataServer; returns the Telemetry."""
    boot = getattr(server, "boot", None) or None
    tel = Telemetry(hal, config, boot=boot)
    server.add_sysex_handler(wire.MK_TELEMETRY, tel.handle_sysex)
    server.add_poller(tel.poll)
    if "telemetry" not in server.features:
        server.features.append("telemetry")
    server.telemetry = tel
    return tel
