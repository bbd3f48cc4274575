"""Firmata and makerkit command bytes, sysex ids and modes (see ``firmware/PROTOCOL.md``).

The values come from the firmware's :mod:`mkfw.wire`, the one source of the wire constants (the
firmware cannot import the host, so the host imports it). The names here are the host's: the same
as in ``mkfw.wire``, and the pin and I2C modes as :class:`~enum.IntEnum`.
``tests/protocol/test_wire_constants.py`` checks these, ``mkfw.wire`` and the AVR ``mk.h`` agree.
"""

from __future__ import annotations

from enum import IntEnum

from mkfw import wire as _wire

# --- command bytes --------------------------------------------------------------------------------
DIGITAL_MESSAGE = _wire.DIGITAL_MESSAGE
ANALOG_MESSAGE = _wire.ANALOG_MESSAGE
REPORT_ANALOG = _wire.REPORT_ANALOG
REPORT_DIGITAL = _wire.REPORT_DIGITAL
START_SYSEX = _wire.START_SYSEX
SET_PIN_MODE = _wire.SET_PIN_MODE
SET_DIGITAL_PIN_VALUE = _wire.SET_DIGITAL_PIN_VALUE
END_SYSEX = _wire.END_SYSEX
REPORT_VERSION = _wire.REPORT_VERSION
SYSTEM_RESET = _wire.SYSTEM_RESET

# --- sysex commands -------------------------------------------------------------------------------
MK_IDENTITY = _wire.MK_IDENTITY
MK_CONFIG = _wire.MK_CONFIG
MK_TELEMETRY = _wire.MK_TELEMETRY
MK_REPL = _wire.MK_REPL
MK_CONTROL = _wire.MK_CONTROL     # board->host: a teacher's stop / say reached the kit (docs/TELEMETRY.md §4a)
MK_ERROR = _wire.MK_ERROR
TONE_DATA = _wire.TONE_DATA
SONAR_CONFIG = _wire.SONAR_CONFIG
SONAR_DATA = _wire.SONAR_DATA
ANALOG_MAPPING_QUERY = _wire.ANALOG_MAPPING_QUERY
ANALOG_MAPPING_RESPONSE = _wire.ANALOG_MAPPING_RESPONSE
CAPABILITY_QUERY = _wire.CAPABILITY_QUERY
CAPABILITY_RESPONSE = _wire.CAPABILITY_RESPONSE
PIN_STATE_QUERY = _wire.PIN_STATE_QUERY
PIN_STATE_RESPONSE = _wire.PIN_STATE_RESPONSE
EXTENDED_ANALOG = _wire.EXTENDED_ANALOG
SERVO_CONFIG = _wire.SERVO_CONFIG
STRING_DATA = _wire.STRING_DATA
DHTSENSOR_DATA = _wire.DHTSENSOR_DATA
I2C_REQUEST = _wire.I2C_REQUEST
I2C_REPLY = _wire.I2C_REPLY
I2C_CONFIG = _wire.I2C_CONFIG
REPORT_FIRMWARE = _wire.REPORT_FIRMWARE
SAMPLING_INTERVAL = _wire.SAMPLING_INTERVAL

# --- sub-commands ---------------------------------------------------------------------------------
MK_CONFIG_SET = _wire.MK_CONFIG_SET
MK_CONFIG_GET = _wire.MK_CONFIG_GET
MK_CONFIG_RESULT = _wire.MK_CONFIG_RESULT
MK_TELEMETRY_PUT = _wire.MK_TELEMETRY_PUT
MK_TELEMETRY_RECORD = _wire.MK_TELEMETRY_RECORD
MK_TELEMETRY_ACK = _wire.MK_TELEMETRY_ACK
MK_TELEMETRY_REPLAY = _wire.MK_TELEMETRY_REPLAY
MK_TELEMETRY_CLOCK = _wire.MK_TELEMETRY_CLOCK
MK_TELEMETRY_EVENT = _wire.MK_TELEMETRY_EVENT   # host->board: a lesson event; board->host: the event
TONE_TONE = _wire.TONE_TONE
TONE_NO_TONE = _wire.TONE_NO_TONE
DHT_RESPONSE = _wire.DHT_RESPONSE
DHT_ATTACH_DHT11 = _wire.DHT_ATTACH_DHT11
DHT_ATTACH_DHT22 = _wire.DHT_ATTACH_DHT22
DHT_DETACH = _wire.DHT_DETACH
DHT_ERROR = _wire.DHT_ERROR

PROTOCOL_VERSION = (_wire.FIRMATA_MAJOR, _wire.FIRMATA_MINOR)
MAX_SYSEX = 65536  # host only: a sysex longer than this is garbage (protects the buffer from a runaway stream)


class PinMode(IntEnum):
    INPUT = _wire.INPUT
    OUTPUT = _wire.OUTPUT
    ANALOG = _wire.ANALOG
    PWM = _wire.PWM
    SERVO = _wire.SERVO
    SHIFT = _wire.SHIFT
    I2C = _wire.I2C
    ONEWIRE = _wire.ONEWIRE
    STEPPER = _wire.STEPPER
    ENCODER = _wire.ENCODER
    SERIAL = _wire.SERIAL
    PULLUP = _wire.PULLUP
    SONAR = _wire.SONAR
    TONE = _wire.TONE
    DHT = _wire.DHT
    UNAVAILABLE = _wire.UNAVAILABLE


class I2cMode(IntEnum):
    """The read/write mode in bits 3-4 of an I2C_REQUEST's second byte."""
    WRITE = _wire.I2C_WRITE
    READ = _wire.I2C_READ
    READ_CONTINUOUS = _wire.I2C_READ_CONTINUOUS
    STOP = _wire.I2C_STOP_READING
