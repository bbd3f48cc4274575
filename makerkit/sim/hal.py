"""The firmware's hardware layer on the simulated board: ``mkfw``'s HAL over a :class:`World`.

``SimHal`` is what ``firmware/micropython/mkfw/hal_esp32.py`` is on a real ESP32: pins, ADC, PWM,
servo pulses, tones, I2C, the HC-SR04 and DHT sensors, plus the flash filesystem for
``/makerkit.json``, the boot/sequence counters and the class CA (``/ca.der``, for ``mqtts://``).
"""

from __future__ import annotations

import errno
import json

from mkfw.tls import CA_FILE, umqtt_client

from ..resources import packaged_firmware_build
from .fs import SimFs
from .world import World

CONFIG_PATH = "/makerkit.json"
STATE_PATH = "/mkfw_state.json"
HW_PATH = "/mkfw_hw.json"
CA_PATH = "/" + CA_FILE


class SimHal:
    def __init__(self, world: World, fs: SimFs, *, adc_bits: int, has_repl: bool, has_network: bool,
                 clock_ms, mqtt_factory=None, has_flash: bool = False):
        self.world = world
        self.fs = fs
        self.adc_bits = adc_bits
        self.has_repl = has_repl
        self.has_network = has_network
        self.has_flash = has_flash        # a MicroPython board: the firmware keeps its outbox in its flash
        #: what an NTP server on the virtual network answers: a callable returning the wall-clock time
        #: in ms since 1970 (e.g. the simulated wall time), or None for no NTP server reachable
        self.ntp_clock = None
        self.ntp_queries = 0
        self._clock_ms = clock_ms
        self._mqtt_factory = mqtt_factory
        self.network_up = has_network   # the virtual WiFi is there whenever an SSID is configured
        self._ssid = ""

    def ticks_ms(self) -> int:
        return self._clock_ms()

    # --- pins ----------------------------------------------------------------------------------------
    def configure(self, pin, mode):
        self.world.hw_configure(pin, mode)

    def digital_read(self, pin):
        return self.world.hw_read(pin)

    def digital_write(self, pin, value):
        self.world.hw_write(pin, value)

    def analog_read(self, pin):
        top = (1 << self.adc_bits) - 1
        return int(round(self.world.hw_analog(pin) * top))

    def pwm_write(self, pin, value, bits):
        top = (1 << bits) - 1
        self.world.hw_pwm(pin, value / top if top else 0.0)

    def servo_write(self, pin, pulse_us):
        self.world.hw_servo(pin, pulse_us)

    def tone(self, pin, freq_hz):
        self.world.hw_tone(pin, freq_hz)

    def show_text(self, text, address):
        """The board's OLED (the 掌控板's at I2C 60): the world keeps what it shows."""
        return self.world.hw_show_text(text, address)

    # --- buses and sensors ------------------------------------------------------------------------------
    def i2c_setup(self, sda, scl, freq=100000):
        pass

    def _i2c(self, address):
        device = self.world.i2c_devices.get(address)
        if device is None:
            raise OSError(errno.ENODEV, "no I2C device at 0x%02x" % address)
        return device

    def i2c_write(self, address, data, stop=True):
        self._i2c(address).write(bytes(data), stop)

    def i2c_read(self, address, count, stop=True):
        return bytes(self._i2c(address).read(count, stop))

    def sonar_cm(self, trigger, echo):
        return self.world.hw_sonar(trigger, echo)

    def dht_read(self, pin, kind):
        return self.world.hw_dht(pin, kind)

    # --- storage ------------------------------------------------------------------------------------------
    def _load(self, path):
        try:
            value = json.loads(self.fs.read(path).decode("utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def load_config(self):
        # a virtual kit no deploy has configured runs this makerkit's own firmware files: its build
        if not self.fs.exists(CONFIG_PATH):
            self._ssid = ""
            return {"build": packaged_firmware_build()}
        config = self._load(CONFIG_PATH)
        self._ssid = config.get("wifi_ssid") or ""
        return config

    def save_config(self, config):
        self.fs.write(CONFIG_PATH, json.dumps(config).encode("utf-8"))
        self._ssid = config.get("wifi_ssid") or ""

    def load_state(self):
        return self._load(STATE_PATH)

    def flash(self):
        """The filesystem the firmware's outbox lives in (``mkfw.flashfs``'s methods), or None."""
        return self.fs if self.has_flash else None

    def save_state(self, state):
        self.fs.write(STATE_PATH, json.dumps(state).encode("utf-8"))

    def hardware_id(self):
        """A virtual MAC (12 hex digits, locally administered), made once and kept in the kit's flash
        (``/mkfw_hw.json``), so the kit keeps its identity across deploys as a board keeps its MAC."""
        hw = self._load(HW_PATH).get("hw")
        if not isinstance(hw, str) or not hw:
            import secrets
            hw = "02" + secrets.token_hex(5)
            self.fs.write(HW_PATH, json.dumps({"hw": hw}).encode("utf-8"))
        return hw

    # --- network ------------------------------------------------------------------------------------------
    def network_ready(self):
        # the SSID the firmware booted with or last saved (as a board joins WiFi with its config)
        return bool(self.has_network and self.network_up and self._ssid)

    def ntp_time(self, server=""):
        """What ``ntptime`` gets on a board: the wall-clock time in ms since 1970, or None."""
        if not self.network_ready() or self.ntp_clock is None:
            return None
        self.ntp_queries += 1
        return int(self.ntp_clock())

    def load_ca(self):
        """The class CA (DER) ``makerkit deploy`` put in ``/ca.der`` for ``mqtts://``, or None."""
        try:
            return self.fs.read(CA_PATH) or None
        except OSError:
            return None

    def mqtt_client(self, client_id, server, port, user=None, password=None, cadata=None):
        if not self.network_ready():
            raise OSError(errno.ENETUNREACH, "no network")
        factory = self._mqtt_factory
        if factory is None:
            from ..mqtt.umqtt import MQTTClient as factory
        # the firmware's own TLS set-up, on CPython's ssl (the same SSLContext calls as MicroPython's)
        return umqtt_client(factory, client_id, server, port, user, password, 30, cadata)
