"""The hardware layer on an ESP32 running MicroPython (``machine``, ``dht``, ``network``).

Only imported on a board: ``machine.Pin``/``ADC``/``PWM``/``SoftI2C``, ``machine.time_pulse_us`` for
the HC-SR04, the ``dht`` driver for DHT11/DHT22, ``network`` + ``umqtt.simple`` for telemetry
(``mqtts://`` through ``mkfw.tls`` with the class CA in ``/ca.der``; NTP also sets the RTC, since the
TLS library checks the broker certificate's dates against it).
"""

import json
import time

import machine

from . import wire
from .hal import Hal
from .tls import CA_FILE, umqtt_client

CONFIG_FILE = "makerkit.json"
STATE_FILE = "mkfw_state.json"
PWM_FREQ = 1000


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    try:
        import os
        os.rename(tmp, path)
    except OSError:
        with open(path, "w") as f:
            json.dump(obj, f)


def _set_rtc(secs):
    """Set the board's RTC to ``secs`` (seconds since the port's epoch, as ``ntptime.time()`` gives)."""
    try:
        t = time.gmtime(secs)
        machine.RTC().datetime((t[0], t[1], t[2], t[6] + 1, t[3], t[4], t[5], 0))
    except (AttributeError, OSError, ValueError, TypeError):
        pass                     # a port without an RTC: its clock is the computer's already


class Esp32Hal(Hal):
    has_repl = True
    has_network = True

    def __init__(self, adc_bits=12, root="/"):
        self.root = root if root.endswith("/") else root + "/"
        self._pins = {}
        self._pwm = {}
        self._adc = {}
        self._i2c = None
        self._oled = None
        self._adc_bits = adc_bits

    def ticks_ms(self):
        return time.ticks_ms()

    def _pin(self, pin, mode=None, pull=None):
        p = self._pins.get(pin)
        if p is None or mode is not None:
            if mode is None:
                mode = machine.Pin.IN
            p = machine.Pin(pin, mode, pull) if pull is not None else machine.Pin(pin, mode)
            self._pins[pin] = p
        return p

    def _stop_pwm(self, pin):
        pwm = self._pwm.pop(pin, None)
        if pwm is not None:
            pwm.deinit()

    def configure(self, pin, mode):
        self._stop_pwm(pin)
        self._adc.pop(pin, None)
        if mode == wire.OUTPUT:
            self._pin(pin, machine.Pin.OUT)
        elif mode == wire.PULLUP:
            self._pin(pin, machine.Pin.IN, machine.Pin.PULL_UP)
        elif mode == wire.INPUT or mode == wire.SONAR:
            self._pin(pin, machine.Pin.IN)
        elif mode == wire.ANALOG:
            adc = machine.ADC(machine.Pin(pin))
            adc.atten(machine.ADC.ATTN_11DB)
            self._adc[pin] = adc
        elif mode == wire.PWM:
            self._pwm[pin] = machine.PWM(machine.Pin(pin), freq=PWM_FREQ, duty=0)
        elif mode == wire.SERVO:
            self._pwm[pin] = machine.PWM(machine.Pin(pin), freq=50, duty=0)
        elif mode == wire.TONE:
            self._pin(pin, machine.Pin.OUT).value(0)
        elif mode == wire.DHT:
            self._pins.pop(pin, None)

    def digital_read(self, pin):
        return self._pin(pin).value()

    def digital_write(self, pin, value):
        p = self._pins.get(pin)
        if p is None:
            p = self._pin(pin, machine.Pin.OUT)
        p.value(1 if value else 0)

    def analog_read(self, pin):
        adc = self._adc.get(pin)
        if adc is None:
            adc = machine.ADC(machine.Pin(pin))
            adc.atten(machine.ADC.ATTN_11DB)
            self._adc[pin] = adc
        return adc.read_u16() >> (16 - self._adc_bits)

    def pwm_write(self, pin, value, bits):
        pwm = self._pwm.get(pin)
        if pwm is None:
            pwm = self._pwm[pin] = machine.PWM(machine.Pin(pin), freq=PWM_FREQ, duty=0)
        top = (1 << bits) - 1
        pwm.duty_u16(value * 65535 // top if top else 0)

    def servo_write(self, pin, pulse_us):
        pwm = self._pwm.get(pin)
        if pwm is None:
            pwm = self._pwm[pin] = machine.PWM(machine.Pin(pin), freq=50, duty=0)
        pwm.duty_ns(pulse_us * 1000)

    def tone(self, pin, freq_hz):
        self._stop_pwm(pin)
        if freq_hz:
            self._pwm[pin] = machine.PWM(machine.Pin(pin), freq=freq_hz, duty_u16=32768)
        else:
            self._pin(pin, machine.Pin.OUT).value(0)

    def i2c_setup(self, sda, scl, freq=100000):
        self._i2c = machine.SoftI2C(sda=machine.Pin(sda), scl=machine.Pin(scl), freq=freq)
        self._oled = None

    def i2c_write(self, address, data, stop=True):
        self._i2c.writeto(address, data, stop)

    def i2c_read(self, address, count, stop=True):
        return self._i2c.readfrom(address, count, stop)

    def show_text(self, text, address):
        if self._i2c is None:
            return False
        if self._oled is None:
            from .oled import Ssd1306
            self._oled = Ssd1306(self._i2c, address)
        self._oled.show_text(text)
        return True

    def sonar_cm(self, trigger, echo):
        trig = self._pin(trigger)
        trig.value(0)
        time.sleep_us(2)
        trig.value(1)
        time.sleep_us(10)
        trig.value(0)
        us = machine.time_pulse_us(self._pin(echo), 1, 30000)
        if us < 0:
            return 0
        return us // 58

    def dht_read(self, pin, kind):
        import dht
        sensor = (dht.DHT11 if kind == 11 else dht.DHT22)(machine.Pin(pin))
        sensor.measure()  # raises OSError (ETIMEDOUT) when nothing answers
        return sensor.temperature(), sensor.humidity()

    def load_config(self):
        return _read_json(self.root + CONFIG_FILE)

    def save_config(self, config):
        _write_json(self.root + CONFIG_FILE, config)

    def load_state(self):
        return _read_json(self.root + STATE_FILE)

    def save_state(self, state):
        _write_json(self.root + STATE_FILE, state)

    def flash(self):
        from .flashfs import OsFlash
        return OsFlash(self.root)

    def hardware_id(self):
        import binascii
        return binascii.hexlify(machine.unique_id()).decode()   # the factory MAC, kept by an erase

    def network_ready(self):
        try:
            import network
        except ImportError:
            return False
        return network.WLAN(network.STA_IF).isconnected()

    def connect_wifi(self, ssid, password):
        import network
        wlan = network.WLAN(network.STA_IF)
        wlan.active(True)
        if not wlan.isconnected():
            wlan.connect(ssid, password)

    def ntp_time(self, server=""):
        if not self.network_ready():
            return None
        try:
            import ntptime
            if server:
                ntptime.host = server
            secs = ntptime.time()       # seconds since the port's epoch (2000 on older ESP32 ports)
        except Exception:              # no answer (OSError, timeout), no DNS, no ntptime module
            return None
        _set_rtc(secs)
        if time.gmtime(0)[0] == 2000:
            secs += 946684800
        return secs * 1000

    def load_ca(self):
        try:
            with open(self.root + CA_FILE, "rb") as f:
                return f.read() or None
        except OSError:
            return None

    def mqtt_client(self, client_id, server, port, user=None, password=None, cadata=None):
        from umqtt.simple import MQTTClient
        return umqtt_client(MQTTClient, client_id, server, port, user, password, 30, cadata)
