"""I2C, tone, HC-SR04 sonar and DHT sensors for the Firmata server (MicroPython-compatible).

Message IDs and formats follow StandardFirmata (I2C), FirmataExpress (TONE_DATA, SONAR) and
ConfigurableFirmata's dhtsensor.md (DHTSENSOR_DATA); see firmware/PROTOCOL.md.
"""

from . import wire
from .server import ticks_diff

SONAR_PERIOD_MS = 50
DHT_MIN_INTERVAL_MS = 500
DHT_DEFAULT_INTERVAL_MS = 2000


class I2cFeature:
    def __init__(self, server):
        self.server = server
        self.ready = False
        self.delay_us = 0
        self.continuous = []  # (address, register or None, count, stop)
        server.add_sysex_handler(wire.I2C_CONFIG, self.on_config)
        server.add_sysex_handler(wire.I2C_REQUEST, self.on_request)
        server.add_sample_hook(self.on_sample)
        server.add_reset_hook(self.on_reset)

    def on_reset(self):
        self.continuous = []

    def _setup(self):
        if not self.ready:
            sda, scl = self.server.profile.i2c_pins
            for pin in (sda, scl):
                self.server.modes[pin] = wire.I2C
            self.server.hal.i2c_setup(sda, scl)
            self.ready = True

    def on_config(self, server, payload, now):
        self.delay_us = (payload[0] | (payload[1] << 7)) if len(payload) >= 2 else 0
        self.ready = False
        self._setup()

    def on_request(self, server, payload, now):
        address = payload[0] | ((payload[1] & 0x07) << 7 if payload[1] & 0x20 else 0)
        mode = (payload[1] >> 3) & 0x03
        stop = not (payload[1] & 0x40)
        self._setup()
        data = wire.pairs_to_bytes(payload[2:])
        if mode == wire.I2C_WRITE:
            try:
                server.hal.i2c_write(address, data, stop)
            except OSError:
                server.error("i2c_nack", wire.I2C_REQUEST, detail="0x%02x" % address)
            return
        if mode == wire.I2C_STOP_READING:
            self.continuous = [c for c in self.continuous if c[0] != address]
            return
        values = [payload[i] | (payload[i + 1] << 7) for i in range(2, len(payload) - 1, 2)]
        if len(values) >= 2:
            register, count = values[0], values[1]
        elif len(values) == 1:
            register, count = None, values[0]
        else:
            server.error("bad_request", wire.I2C_REQUEST)
            return
        if mode == wire.I2C_READ:
            self.read(address, register, count, stop)
        else:
            self.continuous = [c for c in self.continuous if not (c[0] == address and c[1] == register)]
            self.continuous.append((address, register, count, stop))

    def read(self, address, register, count, stop):
        server = self.server
        try:
            if register is not None:
                server.hal.i2c_write(address, bytes((register & 0xFF,)), stop)
            data = server.hal.i2c_read(address, count, True)
        except OSError:
            server.error("i2c_nack", wire.I2C_REQUEST, detail="0x%02x" % address)
            return False
        reply = wire.two7(address) + wire.two7(0 if register is None else register) + wire.bytes_to_pairs(data)
        server.send_sysex(wire.I2C_REPLY, reply)
        return True

    def on_sample(self, now):
        for address, register, count, stop in list(self.continuous):
            if not self.read(address, register, count, stop):
                self.continuous = [c for c in self.continuous if c[0] != address]


class ToneFeature:
    def __init__(self, server):
        self.server = server
        self.ends = {}  # pin -> tick when the tone stops
        server.add_sysex_handler(wire.TONE_DATA, self.on_tone)
        server.add_poller(self.poll)
        server.add_reset_hook(self.on_reset)

    def on_reset(self):
        self.ends = {}

    def on_tone(self, server, payload, now):
        sub, pin = payload[0], payload[1]
        if sub == wire.TONE_TONE:
            freq = payload[2] | (payload[3] << 7)
            duration = (payload[4] | (payload[5] << 7)) if len(payload) >= 6 else 0
            if server.modes.get(pin) != wire.TONE and not server.set_mode(pin, wire.TONE, wire.TONE_DATA):
                return
            server.hal.tone(pin, freq)
            server.values[pin] = freq
            if duration and freq:
                self.ends[pin] = now + duration
            elif pin in self.ends:
                del self.ends[pin]
        elif sub == wire.TONE_NO_TONE:
            if server.modes.get(pin) == wire.TONE:
                server.hal.tone(pin, 0)
                server.values[pin] = 0
            if pin in self.ends:
                del self.ends[pin]
        else:
            server.error("bad_request", wire.TONE_DATA, pin)

    def poll(self, now):
        if not self.ends:
            return None
        for pin in list(self.ends):
            if ticks_diff(now, self.ends[pin]) >= 0:
                del self.ends[pin]
                if self.server.modes.get(pin) == wire.TONE:
                    self.server.hal.tone(pin, 0)
                    self.server.values[pin] = 0
        return None


class SonarFeature:
    def __init__(self, server):
        self.server = server
        self.sonars = {}  # trigger -> [echo, next due tick]
        server.add_sysex_handler(wire.SONAR_CONFIG, self.on_config)
        server.add_poller(self.poll)
        server.add_reset_hook(self.on_reset)

    def on_reset(self):
        self.sonars = {}

    def on_config(self, server, payload, now):
        trigger, echo = payload[0], payload[1]
        if not server.profile.can(trigger, wire.OUTPUT):
            server.error("bad_mode", wire.SONAR_CONFIG, trigger)
            return
        if not server.set_mode(echo, wire.SONAR, wire.SONAR_CONFIG):
            return
        server.hal.configure(trigger, wire.OUTPUT)
        server.modes[trigger] = wire.SONAR
        self.sonars[trigger] = [echo, now]

    def poll(self, now):
        if not self.sonars:
            return None
        out = bytearray()
        for trigger in list(self.sonars):
            entry = self.sonars[trigger]
            if self.server.modes.get(trigger) != wire.SONAR:
                del self.sonars[trigger]
                continue
            if ticks_diff(now, entry[1]) >= 0:
                entry[1] = now + SONAR_PERIOD_MS
                try:
                    cm = int(self.server.hal.sonar_cm(trigger, entry[0]))
                except OSError:
                    cm = 0
                cm = max(0, min(cm, 0x3FFF))
                out.extend(wire.sysex(wire.SONAR_DATA, bytes((trigger,)) + wire.two7(cm)))
        return bytes(out)


class DhtFeature:
    def __init__(self, server):
        self.server = server
        self.sensors = {}  # pin -> [kind, interval, next due tick]
        server.add_sysex_handler(wire.DHTSENSOR_DATA, self.on_dht)
        server.add_poller(self.poll)
        server.add_reset_hook(self.on_reset)

    def on_reset(self):
        self.sensors = {}

    def on_dht(self, server, payload, now):
        sub, pin = payload[0], payload[1]
        if sub in (wire.DHT_ATTACH_DHT11, wire.DHT_ATTACH_DHT22):
            interval = DHT_DEFAULT_INTERVAL_MS
            if len(payload) >= 5:
                interval = max(DHT_MIN_INTERVAL_MS, payload[3] | (payload[4] << 7))
            if server.set_mode(pin, wire.DHT, wire.DHTSENSOR_DATA):
                self.sensors[pin] = [11 if sub == wire.DHT_ATTACH_DHT11 else 22, interval, now]
        elif sub == wire.DHT_DETACH:
            if pin in self.sensors:
                del self.sensors[pin]
                server.set_mode(pin, wire.INPUT, wire.DHTSENSOR_DATA)
        else:
            server.error("bad_request", wire.DHTSENSOR_DATA, pin)

    def poll(self, now):
        if not self.sensors:
            return None
        out = bytearray()
        for pin in list(self.sensors):
            entry = self.sensors[pin]
            if self.server.modes.get(pin) != wire.DHT:
                del self.sensors[pin]
                continue
            if ticks_diff(now, entry[2]) < 0:
                continue
            entry[2] = now + entry[1]
            try:
                temperature, humidity = self.server.hal.dht_read(pin, entry[0])
            except OSError:
                out.extend(wire.sysex(wire.DHTSENSOR_DATA, bytes((wire.DHT_ERROR, pin))))
                continue
            t = int(round(temperature * 10)) & 0x3FFF
            h = max(0, int(round(humidity * 10))) & 0x3FFF
            out.extend(wire.sysex(wire.DHTSENSOR_DATA, bytes((wire.DHT_RESPONSE, pin)) + wire.two7(t) + wire.two7(h)))
        return bytes(out)


def install(server):
    return [I2cFeature(server), ToneFeature(server), SonarFeature(server), DhtFeature(server)]
