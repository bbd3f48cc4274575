"""One source for the wire constants: ``mkfw/wire.py``.

The MicroPython firmware uses it directly, the host builds its names and enums from it
(``makerkit.protocol.firmata_const``, the simulator's world), and the AVR firmware's ``mk.h`` is
checked here against it, constant by constant: a value that differs, a shared constant missing on
either side, or a new ``#define`` in ``mk.h`` that is neither shared nor listed as AVR-only fails
with the constant's name.
"""

from __future__ import annotations

import re
from enum import IntEnum
from pathlib import Path

import pytest

from makerkit.protocol import firmata_const
from mkfw import wire

MK_H = Path(__file__).resolve().parents[2] / "firmware" / "arduino" / "makerkit" / "mk.h"

# mk.h name -> mkfw.wire name, where the C spelling differs (pin modes also lose "PIN_MODE_")
ALIASES = {"MK_FW_NAME": "FIRMWARE_NAME", "MK_FW_VERSION": "FIRMWARE_VERSION", "MK_FW_MAJOR": "FIRMWARE_MAJOR",
           "MK_FW_MINOR": "FIRMWARE_MINOR", "MK_PROTO": "PROTO", "PIN_MODE_NONE": "UNAVAILABLE"}
# defines of mk.h that are the AVR build's own business, not wire constants
AVR_ONLY = {
    "MK_H": "the include guard",
    "MK_BAUD": "the AVR's serial speed (the board profiles carry each board's)",
    "MK_BOARD": "which board the build is for",
    "TOTAL_PINS": "board layout", "TOTAL_ANALOG": "board layout", "FIRST_ANALOG_PIN": "board layout",
    "SYSEX_MAX": "the AVR's receive buffer (MicroPython's parser and the host have their own)",
}
# constants of mkfw.wire the AVR firmware has no use for
NOT_ON_AVR = {
    "MK_CONTROL": "a teacher's stop / say reaches an AVR kit through the host's bridge, not as a sysex",
    "SHIFT": "a Firmata mode neither firmware offers", "ONEWIRE": "a Firmata mode neither firmware offers",
    "STEPPER": "a Firmata mode neither firmware offers", "ENCODER": "a Firmata mode neither firmware offers",
    "SERIAL": "a Firmata mode neither firmware offers",
}

_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)(?:[ \t]+(.*?))?\s*$", re.M)
_ENUM = re.compile(r"\benum\b[^{;]*\{([^}]*)\}", re.S)
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def _value(text: str):
    """A define's value as Python sees it: an int, a str, or the raw text when it is neither."""
    text = text.strip()
    if text.startswith('"'):
        end = text.index('"', 1)
        return text[1:end]
    text = _COMMENTS.sub("", text).strip()
    try:
        return int(text.rstrip("uUlL"), 0)
    except ValueError:
        return text


def parse_header(source: str) -> dict[str, list]:
    """Every ``#define NAME VALUE`` and every enum member of a C header, name -> values (a name
    defined in several ``#if`` branches has several)."""
    found: dict[str, list] = {}
    for name, raw in _DEFINE.findall(source):
        found.setdefault(name, []).append(_value(raw) if raw else None)
    for body in _ENUM.findall(_COMMENTS.sub("", source)):
        nxt = 0
        for item in filter(None, (part.strip() for part in body.split(","))):
            name, _, raw = (s.strip() for s in item.partition("="))
            nxt = _value(raw) if raw else nxt
            found.setdefault(name, []).append(nxt)
            nxt = nxt + 1 if isinstance(nxt, int) else nxt
    return found


def wire_constants(module=wire) -> dict:
    """The wire constants of ``mkfw.wire``: its upper-case names bound to an int or a str."""
    return {name: value for name, value in vars(module).items()
            if name.isupper() and not name.startswith("_") and isinstance(value, (int, str))}


def wire_name(c_name: str) -> str:
    if c_name in ALIASES:
        return ALIASES[c_name]
    return c_name[len("PIN_MODE_"):] if c_name.startswith("PIN_MODE_") else c_name


def _show(value) -> str:
    return f"0x{value:02X}" if isinstance(value, int) and not isinstance(value, bool) else repr(value)


def header_problems(defines: dict[str, list], shared: dict) -> list[str]:
    """What disagrees between a header's defines and the wire constants, one line per constant."""
    problems = []
    in_header = set()
    for c_name, values in sorted(defines.items()):
        if c_name in AVR_ONLY:
            continue
        name = wire_name(c_name)
        in_header.add(name)
        if name not in shared:
            problems.append(f"mk.h {c_name} is not in mkfw/wire.py (add it there, or to AVR_ONLY with why)")
            continue
        for value in values:
            if value != shared[name]:
                problems.append(f"mk.h {c_name} = {_show(value)} but mkfw/wire.py {name} = {_show(shared[name])}")
    for name in sorted(set(shared) - in_header - set(NOT_ON_AVR)):
        problems.append(f"mkfw/wire.py {name} = {_show(shared[name])} is missing from mk.h "
                        f"(add it there, or to NOT_ON_AVR with why)")
    return problems


def test_mk_h_agrees_with_wire_py():
    problems = header_problems(parse_header(MK_H.read_text(encoding="utf-8")), wire_constants())
    assert not problems, "the AVR firmware and mkfw/wire.py disagree:\n" + "\n".join(problems)


def test_the_exception_lists_name_real_constants():
    defines = parse_header(MK_H.read_text(encoding="utf-8"))
    shared = wire_constants()
    assert set(AVR_ONLY) <= set(defines), set(AVR_ONLY) - set(defines)
    assert not {wire_name(n) for n in AVR_ONLY} & set(shared), "an AVR-only define is now a wire constant"
    assert set(NOT_ON_AVR) <= set(shared), set(NOT_ON_AVR) - set(shared)
    assert not set(NOT_ON_AVR) & {wire_name(n) for n in defines}, "mk.h defines a constant listed as NOT_ON_AVR"


def test_a_difference_is_reported_by_name():
    shared = {"START_SYSEX": 0xF0, "PWM": 0x03, "DHT_ERROR": 0x7F, "FIRMWARE_NAME": "makerkit", "TONE_TONE": 0}
    header = """
        #define START_SYSEX 0xF0   // a comment
        #define PIN_MODE_PWM 0x04
        #define MK_FW_NAME "makerk1t"
        #define MK_BAUD 115200
        #define NEW_THING 7
        enum { TONE_TONE = 1 };
    """
    problems = header_problems(parse_header(header), shared)
    assert problems == ["mk.h MK_FW_NAME = 'makerk1t' but mkfw/wire.py FIRMWARE_NAME = 'makerkit'",
                        "mk.h NEW_THING is not in mkfw/wire.py (add it there, or to AVR_ONLY with why)",
                        "mk.h PIN_MODE_PWM = 0x04 but mkfw/wire.py PWM = 0x03",
                        "mk.h TONE_TONE = 0x01 but mkfw/wire.py TONE_TONE = 0x00",
                        "mkfw/wire.py DHT_ERROR = 0x7F is missing from mk.h (add it there, or to NOT_ON_AVR with why)"]


def test_the_parser_reads_defines_and_enums():
    found = parse_header('#define A 0x10\n#define B 12u // x\n#define S "v 1"\n#define G\n'
                         "enum mode { X, Y = 5, Z }; /* enum { W = 9 } */")
    assert found == {"A": [16], "B": [12], "S": ["v 1"], "G": [None], "X": [0], "Y": [5], "Z": [6]}


def test_the_host_names_are_the_wire_constants():
    shared = wire_constants()
    host = {name: value for name, value in vars(firmata_const).items()
            if name.isupper() and isinstance(value, int) and not isinstance(value, IntEnum)}
    common = set(host) & set(shared)
    assert len(common) >= 50, sorted(common)
    assert {n: host[n] for n in common} == {n: shared[n] for n in common}
    assert set(host) - set(shared) == {"MAX_SYSEX"}   # the host's own buffer bound, not a wire constant
    assert {m.name: m.value for m in firmata_const.PinMode} == {n: shared[n] for n in firmata_const.PinMode.__members__}
    assert [m.value for m in firmata_const.I2cMode] == [wire.I2C_WRITE, wire.I2C_READ, wire.I2C_READ_CONTINUOUS,
                                                        wire.I2C_STOP_READING]
    assert firmata_const.PROTOCOL_VERSION == (wire.FIRMATA_MAJOR, wire.FIRMATA_MINOR)


@pytest.mark.parametrize("name", ["INPUT", "OUTPUT", "PULLUP", "PWM", "SERVO", "TONE"])
def test_the_simulated_world_uses_the_wire_modes(name):
    from makerkit.sim import world
    assert getattr(world, name) == getattr(wire, name)
