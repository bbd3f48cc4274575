"""Firmata and makerkit command bytes, sysex ids and modes (see ``firmware/PROTOCOL.md``)."""

from __future__ import annotations

from enum import IntEnum

# --- command bytes --------------------------------------------------------------------------------
DIGITAL_MESSAGE = 0x90
ANALOG_MESSAGE = 0xE0
REPORT_ANALOG = 0xC0
REPORT_DIGITAL = 0xD0
START_SYSEX = 0xF0
SET_PIN_MODE = 0xF4
SET_DIGITAL_PIN_VALUE = 0xF5
END_SYSEX = 0xF7
REPORT_VERSION = 0xF9
SYSTEM_RESET = 0xFF

# --- sysex commands -------------------------------------------------------------------------------
MK_IDENTITY = 0x01
MK_CONFIG = 0x02
MK_TELEMETRY = 0x03
MK_REPL = 0x04
MK_CONTROL = 0x05     # board->host: a teacher's stop / say reached the kit (docs/TELEMETRY.md §4a)
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

# sub-commands
MK_CONFIG_SET, MK_CONFIG_GET, MK_CONFIG_RESULT = 0x00, 0x01, 0x02
MK_TELEMETRY_PUT, MK_TELEMETRY_RECORD, MK_TELEMETRY_ACK, MK_TELEMETRY_REPLAY, MK_TELEMETRY_CLOCK = range(5)
MK_TELEMETRY_EVENT = 0x05   # host->board: a lesson event; board->host: the event, published or for the bridge
TONE_TONE, TONE_NO_TONE = 0x00, 0x01
DHT_RESPONSE, DHT_ATTACH_DHT11, DHT_ATTACH_DHT22, DHT_DETACH, DHT_ERROR = 0x00, 0x01, 0x02, 0x03, 0x7F

PROTOCOL_VERSION = (2, 6)
MAX_SYSEX = 65536  # a sysex longer than this is garbage (protects the buffer from a runaway stream)


class PinMode(IntEnum):
    INPUT = 0x00
    OUTPUT = 0x01
    ANALOG = 0x02
    PWM = 0x03
    SERVO = 0x04
    SHIFT = 0x05
    I2C = 0x06
    ONEWIRE = 0x07
    STEPPER = 0x08
    ENCODER = 0x09
    SERIAL = 0x0A
    PULLUP = 0x0B
    SONAR = 0x0C
    TONE = 0x0D
    DHT = 0x0F
    UNAVAILABLE = 0x7F


class I2cMode(IntEnum):
    WRITE = 0b00
    READ = 0b01
    READ_CONTINUOUS = 0b10
    STOP = 0b11
