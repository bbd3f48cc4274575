"""A recording stand-in for MicroPython's ``machine`` (and ``dht``) on an ESP32, for the unix port.

The ``micropython`` command's ``machine`` has no Pin/ADC/PWM/I2C; these fakes follow the ESP32
port's signatures so ``mkfw.hal_esp32`` can run at the hardware boundary. Every call is logged.
"""

LOG = []
LEVELS = {}       # pin -> level read by Pin.value()
ADC_U16 = {}      # pin -> read_u16() value
PULSE_US = [-2]   # what time_pulse_us returns (-2: timeout)
I2C_DEVICES = {}  # address -> bytes returned by readfrom
DHT = {}          # pin -> (temperature, humidity)


class Pin:
    IN = 1
    OUT = 3
    PULL_UP = 2

    def __init__(self, id, mode=-1, pull=-1):
        self.id = id
        LOG.append(("Pin", id, mode, pull))

    def value(self, v=None):
        if v is None:
            return LEVELS.get(self.id, 0)
        LOG.append(("value", self.id, v))
        LEVELS[self.id] = v


class ADC:
    ATTN_11DB = 3

    def __init__(self, pin):
        self.pin = pin.id

    def atten(self, a):
        LOG.append(("atten", self.pin, a))

    def read_u16(self):
        return ADC_U16.get(self.pin, 0)


class PWM:
    def __init__(self, pin, freq=0, duty=None, duty_u16=None):
        self.pin = pin.id
        LOG.append(("PWM", self.pin, freq, duty, duty_u16))

    def duty_u16(self, d):
        LOG.append(("duty_u16", self.pin, d))

    def duty_ns(self, ns):
        LOG.append(("duty_ns", self.pin, ns))

    def deinit(self):
        LOG.append(("deinit", self.pin))


class SoftI2C:
    def __init__(self, sda, scl, freq=400000):
        LOG.append(("SoftI2C", sda.id, scl.id, freq))

    def writeto(self, addr, buf, stop=True):
        if addr not in I2C_DEVICES:
            raise OSError(19)
        LOG.append(("writeto", addr, bytes(buf), stop))

    def readfrom(self, addr, n, stop=True):
        if addr not in I2C_DEVICES:
            raise OSError(19)
        return I2C_DEVICES[addr][:n]


def unique_id():
    return b"\xa4\xcf\x12\xab\x34\xcd"        # an ESP32's factory MAC


def time_pulse_us(pin, level, timeout_us):
    LOG.append(("time_pulse_us", pin.id, level, timeout_us))
    return PULSE_US[0]


class _Dht:
    def __init__(self, pin):
        self.pin = pin.id

    def measure(self):
        if self.pin not in DHT:
            raise OSError(116)

    def temperature(self):
        return DHT[self.pin][0]

    def humidity(self):
        return DHT[self.pin][1]


class DhtModule:
    DHT11 = _Dht
    DHT22 = _Dht


class RTC:
    def datetime(self, value=None):
        LOG.append(("rtc.datetime", value))


class NtptimeModule:
    """``ntptime``: ``time()`` answers ``NTP_SECS[0]`` (seconds since the port's epoch), None: no answer."""
    host = "pool.ntp.org"

    @staticmethod
    def time():
        if NTP_SECS[0] is None:
            raise OSError(110)
        return NTP_SECS[0]


NTP_SECS = [None]


class _Wlan:
    """``network.WLAN(network.STA_IF)``: joined at once; the unix port's own sockets are its WiFi."""

    def __init__(self, interface):
        self.interface = interface

    def active(self, on=None):
        return True

    def connect(self, ssid, password):
        LOG.append(("wlan.connect", ssid))          # never the password: the log is printed on failures

    def isconnected(self):
        return True


class NetworkModule:
    STA_IF = 0
    WLAN = _Wlan


def install(network=False):
    """Put the fakes in place of ``machine`` and ``dht``; with ``network`` also of ``network`` (a kit on
    WiFi, for the runs that reach a broker on this computer)."""
    import sys
    sys.modules["machine"] = sys.modules[__name__]
    sys.modules["dht"] = DhtModule
    if network:
        sys.modules["network"] = NetworkModule
        sys.modules["ntptime"] = NtptimeModule
