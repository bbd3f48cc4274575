"""Firmata wire constants and byte helpers shared by the firmware modules (MicroPython-compatible).

This is the one source of the wire constants: the host builds its names and enums from it
(``makerkit/protocol/firmata_const.py``, the simulator), and ``tests/protocol/test_wire_constants.py``
checks the AVR firmware's ``firmware/arduino/makerkit/mk.h`` against it. Plain names and plain
numbers only: this module runs on the board (no enum, no dataclasses).
"""

# command bytes (host <-> board)
DIGITAL_MESSAGE = 0x90
ANALOG_MESSAGE = 0xE0
REPORT_ANALOG = 0xC0
REPORT_DIGITAL = 0xD0
SET_PIN_MODE = 0xF4
SET_DIGITAL_PIN_VALUE = 0xF5
REPORT_VERSION = 0xF9
SYSTEM_RESET = 0xFF
START_SYSEX = 0xF0
END_SYSEX = 0xF7

# sysex commands
MK_IDENTITY = 0x01
MK_CONFIG = 0x02
MK_TELEMETRY = 0x03
MK_REPL = 0x04
MK_CONTROL = 0x05     # board->host: a teacher's stop / say reached the kit (docs/TELEMETRY.md)
MK_ERROR = 0x0F
TONE_DATA = 0x5F
SONAR_CONFIG = 0x62
SONAR_DATA = 0x63
ANALOG_MAPPING_QUERY = 0x69
ANALOG_MAPPING_RESPONSE = 0x6A
CAPABILITY_QUERY = 0x6B
CAPABILITY_RESPONSE = 0x6C
PIN_STATE_QUERY = 0x6D
PIN_STATE_RESPONSE = 0x6E
EXTENDED_ANALOG = 0x6F
SERVO_CONFIG = 0x70
STRING_DATA = 0x71
DHTSENSOR_DATA = 0x74
I2C_REQUEST = 0x76
I2C_REPLY = 0x77
I2C_CONFIG = 0x78
REPORT_FIRMWARE = 0x79
SAMPLING_INTERVAL = 0x7A

# sub-commands (the first payload byte of a sysex)
MK_CONFIG_SET = 0x00
MK_CONFIG_GET = 0x01
MK_CONFIG_RESULT = 0x02
MK_TELEMETRY_PUT = 0x00
MK_TELEMETRY_RECORD = 0x01
MK_TELEMETRY_ACK = 0x02
MK_TELEMETRY_REPLAY = 0x03
MK_TELEMETRY_CLOCK = 0x04
MK_TELEMETRY_EVENT = 0x05   # host->board: a lesson event; board->host: the event, published or for the bridge
TONE_TONE = 0x00
TONE_NO_TONE = 0x01
DHT_RESPONSE = 0x00
DHT_ATTACH_DHT11 = 0x01
DHT_ATTACH_DHT22 = 0x02
DHT_DETACH = 0x03
DHT_ERROR = 0x7F

# pin modes
INPUT = 0x00
OUTPUT = 0x01
ANALOG = 0x02
PWM = 0x03
SERVO = 0x04
SHIFT = 0x05          # SHIFT to SERIAL: standard Firmata modes this firmware does not offer
I2C = 0x06
ONEWIRE = 0x07
STEPPER = 0x08
ENCODER = 0x09
SERIAL = 0x0A
PULLUP = 0x0B
SONAR = 0x0C
TONE = 0x0D
DHT = 0x0F
UNAVAILABLE = 0x7F    # in a capability or pin-state answer: the pin has no mode
MODE_NAMES = {INPUT: "input", OUTPUT: "output", ANALOG: "analog", PWM: "pwm", SERVO: "servo",
              I2C: "i2c", PULLUP: "pullup", SONAR: "sonar", TONE: "tone", DHT: "dht"}

# I2C request modes (bits 3-4 of the second byte)
I2C_WRITE = 0
I2C_READ = 1
I2C_READ_CONTINUOUS = 2
I2C_STOP_READING = 3

FIRMATA_MAJOR = 2
FIRMATA_MINOR = 6
FIRMWARE_NAME = "makerkit"
FIRMWARE_VERSION = "1.0.0"
FIRMWARE_MAJOR = 1
FIRMWARE_MINOR = 0
PROTO = 1


def pack7(data):
    """Encoder7Bit: the byte stream as a bit stream, LSB first, cut into 7-bit groups."""
    out = bytearray()
    acc = 0
    bits = 0
    for b in data:
        acc |= b << bits
        bits += 8
        while bits >= 7:
            out.append(acc & 0x7F)
            acc >>= 7
            bits -= 7
    if bits:
        out.append(acc & 0x7F)
    return bytes(out)


def unpack7(data):
    """The inverse of pack7; trailing bits that make no whole byte are dropped."""
    out = bytearray()
    acc = 0
    bits = 0
    for b in data:
        acc |= (b & 0x7F) << bits
        bits += 7
        if bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    return bytes(out)


def two7(value):
    """A 14-bit value as two 7-bit bytes, LSB first."""
    return bytes((value & 0x7F, (value >> 7) & 0x7F))


def pairs_to_bytes(data):
    """Firmata's '14-bit pairs' (LSB, MSB) back into bytes (values above 255 are truncated)."""
    out = bytearray()
    for i in range(0, len(data) - 1, 2):
        out.append((data[i] & 0x7F) | ((data[i + 1] & 0x7F) << 7) & 0xFF)
    return bytes(out)


def bytes_to_pairs(data):
    out = bytearray()
    for b in data:
        out.append(b & 0x7F)
        out.append((b >> 7) & 0x7F)
    return bytes(out)


def multi7(data):
    """A value sent as 7-bit bytes, LSB first (EXTENDED_ANALOG, PIN_STATE_RESPONSE)."""
    value = 0
    shift = 0
    for b in data:
        value |= (b & 0x7F) << shift
        shift += 7
    return value


def to_multi7(value):
    out = bytearray((value & 0x7F,))
    value >>= 7
    while value:
        out.append(value & 0x7F)
        value >>= 7
    return bytes(out)


def sysex(command, payload=b""):
    return bytes((START_SYSEX, command)) + bytes(payload) + bytes((END_SYSEX,))


def text_lines(payload):
    """Unpack a host->board text payload of key=value lines into a list of (key, value)."""
    text = unpack7(payload).decode("utf-8")
    out = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        i = line.find("=")
        if i < 0:
            out.append((line, None))
        else:
            out.append((line[:i].strip(), line[i + 1:]))
    return out
