"""Board profiles: ``boards/*.toml`` parsed into frozen :class:`BoardProfile` objects.

A profile names the chip, the USB IDs its USB-serial bridge shows (hints only: a CH340 sits on
Nanos and ESP32s alike), the baud rates, the pins as printed on the board with their Firmata
numbers and abilities, and how the board is flashed. ``load_board("uno")`` returns one;
malformed files raise :class:`~makerkit.errors.CatalogError` naming the file and the key.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import CatalogError, PinError, UnknownBoardError
from ..resources import data_dir
from ._toml import Fields, read_toml

SCHEMA_VERSION = 1
FAMILIES = ("avr", "esp32")
FLASH_METHODS = ("stk500v1", "stk500v2", "esptool")
INSTALLS = ("flash", "deploy")   # makerkit's firmware: a .hex flashed, or mkfw deployed onto MicroPython
EXTRA_BOARDS_ENV = "MAKERKIT_BOARDS"   # more folders of board profiles (os.pathsep between them)
_HEX4 = re.compile(r"^[0-9A-Fa-f]{4}$")
_PIN_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class UsbId:
    vid: int
    pid: int
    bridge: str
    note: str = ""

    @property
    def text(self) -> str:
        return f"{self.vid:04X}:{self.pid:04X}"


@dataclass(frozen=True)
class PinInfo:
    """One physical pin: its printed name, its Firmata pin number and what it can do."""
    name: str
    number: int
    digital_in: bool
    digital_out: bool
    analog_channel: int | None
    pwm: bool
    reserved: bool

    @property
    def modes(self) -> tuple[str, ...]:
        out = []
        if self.digital_in:
            out.append("input")
        if self.digital_out:
            out.append("output")
        if self.analog_channel is not None:
            out.append("analog")
        if self.pwm:
            out.append("pwm")
        if self.digital_out:
            out.append("servo")
        return tuple(out)


@dataclass(frozen=True)
class BoardProfile:
    id: str
    name: str
    name_zh: str
    family: str
    chip: str
    flash_method: str
    flash_baud: int
    flash_baud_fallback: tuple[int, ...]
    flash_size: int
    bootloader_size: int
    ram_size: int
    default_baud: int
    firmata_baud: int
    firmware: str
    adc_bits: int
    pwm_bits: int
    native_usb: bool
    usb: tuple[UsbId, ...]
    pins: tuple[PinInfo, ...]
    aliases: dict[str, str] = field(hash=False)
    led_builtin: str | None
    i2c_sda: str
    i2c_scl: str
    onboard: dict[str, object] = field(hash=False)
    path: Path = field(hash=False, compare=False)
    # what the board is like, as the host needs to know it (no code asks for the family)
    install: str = "flash"                 # "flash": makerkit's .hex; "deploy": mkfw onto MicroPython
    has_repl: bool = False                 # a MicroPython REPL on its serial port
    has_network: bool = False              # WiFi: the kit publishes telemetry itself
    has_filesystem: bool = False           # a flash filesystem (config, the telemetry outbox)
    boot_silent: bool = False              # says nothing while its bootloader runs (a connect may switch baud)
    stock_firmata: bool = False            # runs stock StandardFirmata, so its pin count may identify it
    machine_names: tuple[str, ...] = ()    # what MicroPython's os.uname().machine contains on it

    def firmware_command(self, port: str = "PORT") -> str:
        """The command that puts makerkit's firmware on this board."""
        if self.install == "deploy":
            return f"makerkit deploy --port {port}"
        return f"makerkit flash --board {self.id} --port {port}"

    # -- pin look-ups --------------------------------------------------------------------------
    def pin(self, name: str | int, *, mode: str | None = None) -> PinInfo:
        """Find a pin by printed name (``"D13"``, ``"A0"``, ``"GPIO2"``, ``"LED_BUILTIN"``) or
        Firmata number, optionally checking it can do ``mode`` (input/output/analog/pwm/servo).
        Raises :class:`PinError` listing the valid pins."""
        info = self._lookup(name)
        if info is None:
            names = ", ".join(p.name for p in self.pins if not p.reserved)
            if str(name).strip().upper() == "LED_BUILTIN":
                raise PinError(
                    en=f"The {self.name} has no plain built-in LED that makerkit can switch. "
                       f"Wire an LED (with a 220 ohm resistor) to one of: {names}.",
                    zh=f"{self.name_zh} 没有可以直接开关的板载 LED。请把一个 LED（串联 220 欧电阻）接到这些引脚之一：{names}。",
                    board=self.id, pin=name)
            raise PinError(
                en=f"The {self.name} has no pin called {name!r}. Its pins are: {names}.",
                zh=f"{self.name_zh} 上没有叫 {name!r} 的引脚。可用的引脚有：{names}。",
                board=self.id, pin=name)
        if mode is not None and mode not in info.modes:
            able = ", ".join(p.name for p in self.pins if mode in p.modes and not p.reserved)
            raise PinError(
                en=f"Pin {info.name} on the {self.name} cannot do {mode}. Pins that can: {able}.",
                zh=f"{self.name_zh} 的 {info.name} 引脚不支持 {mode}。支持的引脚有：{able}。",
                board=self.id, pin=info.name, mode=mode)
        return info

    def _lookup(self, name: str | int) -> PinInfo | None:
        if isinstance(name, bool):
            return None
        if isinstance(name, int):
            return next((p for p in self.pins if p.number == name), None)
        key = str(name).strip().upper()
        key = self.aliases.get(key, key)
        found = next((p for p in self.pins if p.name == key), None)
        if found is None and key.isdigit():  # "13" on an Uno, "2" on an ESP32
            found = next((p for p in self.pins if p.number == int(key)), None)
        return found

    def pin_by_number(self, number: int) -> PinInfo | None:
        return next((p for p in self.pins if p.number == number), None)

    def analog_pin(self, channel: int) -> PinInfo | None:
        return next((p for p in self.pins if p.analog_channel == channel), None)

    @property
    def max_pin(self) -> int:
        return max(p.number for p in self.pins)

    @property
    def app_flash_size(self) -> int:
        return self.flash_size - self.bootloader_size


def _choice(f: Fields, key: str, allowed, default=None) -> str:
    value = f.str(key) if default is None else f.str(key, default)
    if value not in allowed:
        raise f.fail(key, f"one of {', '.join(allowed)}")
    return value


def _parse_usb(f: Fields, path: Path) -> tuple:
    usb = []
    for i, entry in enumerate(f.get("usb", list, "a list of [[usb]] tables", [])):
        if not isinstance(entry, dict):
            raise f.fail(f"usb[{i}]", "a table")
        u = Fields(entry, path, f"usb[{i}].")
        vid, pid = u.str("vid"), u.str("pid")
        for key, value in (("vid", vid), ("pid", pid)):
            if not _HEX4.match(value):
                raise u.fail(key, "four hexadecimal digits, such as \"1A86\"")
        usb.append(UsbId(int(vid, 16), int(pid, 16), u.str("bridge"), u.str("note", "")))
    return tuple(usb)


@dataclass(frozen=True)
class _PinTable:
    pins: tuple
    aliases: dict
    led: str | None
    sda: str
    scl: str


def _parse_pins(f: Fields) -> _PinTable:
    """The ``[pins]`` table: every name a Firmata number, every list naming pins of ``pins.digital``."""
    p = f.table("pins")
    digital = p.get("digital", dict, "a table of printed name = Firmata pin number")
    for name, number in digital.items():
        if not _PIN_NAME.match(name):
            raise p.fail(f"digital.{name}", "a pin name in capitals, such as D13 or GPIO2")
        if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= 127:
            raise p.fail(f"digital.{name}", "a Firmata pin number from 0 to 127")
    if len(set(digital.values())) != len(digital):
        raise p.fail("digital", "a table whose pin numbers are all different")
    lists = {key: p.str_list(key, []) for key in ("analog", "pwm", "reserved", "input_only", "analog_only")}
    for key, names in lists.items():
        for name in names:
            if name not in digital:
                raise p.fail(key, f"a list of pins from pins.digital ('{name}' is not one)")
    aliases = {k.upper(): v for k, v in p.get("aliases", dict, "a table of alias = pin name", {}).items()}
    for alias, target in aliases.items():
        if target not in digital:
            raise p.fail(f"aliases.{alias}", f"a pin from pins.digital ('{target}' is not one)")
    led = p.str("led_builtin", None)
    if led is not None and led not in digital:
        raise p.fail("led_builtin", "a pin from pins.digital")
    if led is not None:
        aliases.setdefault("LED_BUILTIN", led)
    i2c = p.table("i2c")
    sda, scl = i2c.str("sda"), i2c.str("scl")
    for key, name in (("sda", sda), ("scl", scl)):
        if name not in digital:
            raise i2c.fail(key, "a pin from pins.digital")
    analog, pwm, reserved = lists["analog"], set(lists["pwm"]), set(lists["reserved"])
    input_only, analog_only = set(lists["input_only"]), set(lists["analog_only"])
    pins = tuple(sorted((
        PinInfo(name=name, number=number,
                digital_in=name not in analog_only,
                digital_out=name not in analog_only and name not in input_only,
                analog_channel=analog.index(name) if name in analog else None,
                pwm=name in pwm, reserved=name in reserved)
        for name, number in digital.items()), key=lambda pin: pin.number))
    return _PinTable(pins, aliases, led, sda, scl)


def _parse(path: Path) -> BoardProfile:
    f = Fields(read_toml(path), path)
    schema = f.int("schema")
    if schema != SCHEMA_VERSION:
        raise f.fail("schema", f"{SCHEMA_VERSION} (this makerkit reads board schema {SCHEMA_VERSION})")
    family = _choice(f, "family", FAMILIES)
    method = _choice(f, "flash_method", FLASH_METHODS)
    install = _choice(f, "install", INSTALLS, "flash")
    board_id = f.str("id")
    if board_id != path.stem:
        raise f.fail("id", f"the file name without .toml ('{path.stem}')")
    usb = _parse_usb(f, path)
    table = _parse_pins(f)
    return BoardProfile(
        id=board_id, name=f.str("name"), name_zh=f.str("name_zh", f.data.get("name", board_id)),
        family=family, chip=f.str("chip"), flash_method=method, flash_baud=f.int("flash_baud"),
        flash_baud_fallback=tuple(f.int_list("flash_baud_fallback", [])),
        flash_size=f.int("flash_size"), bootloader_size=f.int("bootloader_size", 0),
        ram_size=f.int("ram_size"), default_baud=f.int("default_baud"),
        firmata_baud=f.int("firmata_baud", 57600), firmware=f.str("firmware", ""),
        adc_bits=f.int("adc_bits"), pwm_bits=f.int("pwm_bits"),
        native_usb=f.bool("native_usb", False), usb=usb, pins=table.pins, aliases=table.aliases,
        led_builtin=table.led, i2c_sda=table.sda, i2c_scl=table.scl,
        onboard=dict(f.get("onboard", dict, "a table", {})), path=path,
        install=install, has_repl=f.bool("has_repl", False), has_network=f.bool("has_network", False),
        has_filesystem=f.bool("has_filesystem", False), boot_silent=f.bool("boot_silent", False),
        stock_firmata=f.bool("stock_firmata", False),
        machine_names=tuple(name.upper() for name in f.str_list("machine_names", [])))


def boards_dir() -> Path:
    return data_dir("boards")


@lru_cache(maxsize=None)
def _load_all(directory: str) -> dict[str, BoardProfile]:
    out = {}
    for path in sorted(Path(directory).glob("*.toml")):
        profile = _parse(path)
        out[profile.id] = profile
    return out


def load_boards(directory: Path | None = None) -> dict[str, BoardProfile]:
    """All board profiles, by id: those in ``directory`` (the shipped ones when None), then those in
    the folders named by ``MAKERKIT_BOARDS`` (a school's own boards: one TOML file each)."""
    if directory is not None:
        return dict(_load_all(str(directory)))
    boards = dict(_load_all(str(boards_dir())))
    for extra in filter(None, os.environ.get(EXTRA_BOARDS_ENV, "").split(os.pathsep)):
        if Path(extra).is_dir():
            boards.update(_load_all(str(Path(extra).resolve())))
    return boards


def board_ids() -> list[str]:
    return sorted(load_boards())


def load_board(board: str | BoardProfile, directory: Path | None = None) -> BoardProfile:
    """One profile by id (``"uno"``, ``"esp32"``, ...) or a path to a ``.toml`` file."""
    if isinstance(board, BoardProfile):
        return board
    if str(board).endswith(".toml"):
        return _parse(Path(board))
    boards = load_boards(directory)
    key = str(board).strip().lower().replace("_", "").replace("-", "")
    aliases = {"arduinouno": "uno", "arduinonano": "nano", "mega": "mega2560", "arduinomega": "mega2560",
               "esp32devkitc": "esp32", "s3": "esp32s3", "掌控板": "mpython", "handpy": "mpython"}
    key = aliases.get(key, key)
    if key not in boards:
        raise UnknownBoardError(
            en=f"makerkit does not know a board called {board!r}. Known boards: {', '.join(sorted(boards))}.",
            zh=f"makerkit 不认识叫 {board!r} 的开发板。支持的开发板：{', '.join(sorted(boards))}。")
    return boards[key]


def match_usb(vid: int | None, pid: int | None) -> list[tuple[BoardProfile, UsbId]]:
    """Profiles whose USB IDs match; several when a bridge chip is shared (CH340...)."""
    if vid is None or pid is None:
        return []
    return [(b, u) for b in load_boards().values() for u in b.usb if u.vid == vid and u.pid == pid]
