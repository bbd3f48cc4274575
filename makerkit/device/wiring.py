"""Wiring checks: what the firmware can tell about a part's wires before a program uses it.

A lesson's wiring table says which board pin goes to which leg of which part. Before the student's
code starts, :mod:`makerkit.lessons_runner.wiring_check` hands each wired part to its host class:
``cls.check_wiring(kit, wired)`` (the parts registry's ``wiring_check`` names that classmethod)
returns a list of :class:`WiringFault`. A check makes the part itself (a DHT11 is made, read and
closed), so it tests what the student's program will use, and it leaves every pin free again.

A check never raises for a wiring problem: it returns a fault that names the wires to look at
(the board pin as printed and the part's leg, from the wiring table) and what to do, in both
languages. Only a lost kit (:class:`~makerkit.errors.DisconnectedError`) ends a check early.

Every wait here is bounded by the kit's clock (simulated seconds on a virtual kit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..errors import DeviceError, FeatureNotSupportedError, NoAnswerError, PinError
from ..i18n import current_language
from ..protocol import firmata as fm

SAMPLE_STEP = 0.02     # seconds between two looks at a level while a check samples it
SETTLE_TIMEOUT = 1.0   # seconds to wait for the board's answer that ends the reports before it
SUPPLY_PINS = frozenset({"5V", "3V3", "3.3V", "VCC", "VIN", "+5V", "+3V3"})

# What a part that cannot even be made tells the student (a taken pin, a pin that cannot do it...).
TROUBLE = (PinError, DeviceError, NoAnswerError)


@dataclass(frozen=True)
class Wire:
    """One row of the wiring table: the board pin as printed, and the part's leg it goes to."""
    pin: str
    leg_en: str
    leg_zh: str
    signal: bool = True    # a pin the firmware can look at (not GND, 5V, 3V3)
    role: str = ""         # the lesson role whose pin this is ("trigger"), "" when none

    def text(self, lang: str | None = None) -> str:
        leg = self.leg_zh if (lang or current_language()) == "zh" else self.leg_en
        return f"{self.pin} ↔ {leg}"


@dataclass(frozen=True)
class WiredPart:
    """A part as the lesson wires it on one board."""
    kind: str                      # its registry kind ("dht11", "button"), or "i2c"
    part_id: str                   # its id in the lesson ("dht")
    name_en: str
    name_zh: str
    wires: tuple[Wire, ...]
    address: tuple[int, ...] = ()  # an I2C part: the addresses it answers at, the usual one first
    pull_up: bool = True           # a button: read with the pull-up (wired to GND, not to 5V)

    @property
    def signals(self) -> tuple[Wire, ...]:
        return tuple(w for w in self.wires if w.signal)

    def wire_for(self, *words: str) -> Wire | None:
        """The signal wire whose lesson role or English leg mentions one of ``words`` ("trig")."""
        for wire in self.signals:
            text = f"{wire.role} {wire.leg_en}".lower()
            if any(word in text for word in words):
                return wire
        return None

    def name(self, lang: str | None = None) -> str:
        return self.name_zh if (lang or current_language()) == "zh" else self.name_en


@dataclass(frozen=True)
class WiringFault:
    """Something wrong with one part's wires. A ``warning`` is shown but does not stop the lesson."""
    part_en: str
    part_zh: str
    wires: tuple[Wire, ...]        # the wires to look at
    en: str
    zh: str
    fix_en: str
    fix_zh: str
    warning: bool = False

    def _lang(self, lang: str | None) -> bool:
        return (lang or current_language()) == "zh"

    def part(self, lang: str | None = None) -> str:
        return self.part_zh if self._lang(lang) else self.part_en

    def message(self, lang: str | None = None) -> str:
        return self.zh if self._lang(lang) else self.en

    def fix(self, lang: str | None = None) -> str:
        return self.fix_zh if self._lang(lang) else self.fix_en

    def look_at(self, lang: str | None = None) -> str:
        """The wires to look at, one after the other: "D4 ↔ S (signal); 5V ↔ + (VCC)"."""
        return ("；" if self._lang(lang) else "; ").join(w.text(lang) for w in self.wires)


def fault(wired: WiredPart, wires: Iterable[Wire] | None, en: str, zh: str, fix_en: str, fix_zh: str,
          *, warning: bool = False) -> WiringFault:
    """A fault of ``wired``; ``wires`` None means all of the part's wires."""
    return WiringFault(wired.name_en, wired.name_zh, tuple(wired.wires if wires is None else wires),
                       en, zh, fix_en, fix_zh, warning)


def open_part(make: Callable[[], object], wired: WiredPart,
              wires: Iterable[Wire] | None = None) -> tuple[object | None, WiringFault | None]:
    """Make the part (``make()``); when it cannot be made (a pin taken or unusable), return the fault
    that says why instead. Firmware without the part's feature (stock StandardFirmata and a DHT) is
    no wiring fault: (None, None), the part is not checked, and the lesson says what to flash."""
    try:
        return make(), None
    except FeatureNotSupportedError:
        return None, None
    except TROUBLE as exc:
        return None, fault(wired, wires, exc.message_en, exc.message_zh, exc.hint_en, exc.hint_zh)


def settle(kit) -> None:
    """Wait until every report the board sent before it saw the commands sent so far has arrived.

    A port report on its way when a pin became an input still says the pin's old level (a new
    motor driver probe reads 0 on a real Uno); Firmata answers in order, so a protocol-version round
    trip behind the commands ends after every such report. A board that does not answer is left to
    the check's own reads to find. The in-process virtual kit reports only after it has taken every
    command in, so nothing stale is on its way: it costs no simulated time there."""
    client = getattr(kit, "client", None)
    if client is None or getattr(kit, "sim", None) is not None:
        return
    try:
        client.request(fm.report_version(), expect=fm.ProtocolVersion, timeout=SETTLE_TIMEOUT)
    except NoAnswerError:
        pass


def sample(kit, read: Callable[[], object], seconds: float, step: float = SAMPLE_STEP) -> list:
    """``read()`` now and every ``step`` seconds for ``seconds`` (on the kit's clock), once the
    board's reports are up to date (:func:`settle`)."""
    settle(kit)
    values = [read()]
    deadline = kit.time() + seconds
    while kit.time() + step <= deadline + 1e-9:
        kit.sleep(step)
        values.append(read())
    return values


def within(kit, seconds: float, attempt: Callable[[], bool], step: float = 0.1) -> bool:
    """Call ``attempt()`` until it returns True (then True) or ``seconds`` pass (then False)."""
    deadline = kit.time() + seconds
    while True:
        if attempt():
            return True
        if kit.time() >= deadline - 1e-9:
            return False
        kit.sleep(min(step, max(0.0, deadline - kit.time())))


def is_supply(pin: str) -> bool:
    """A wiring-table pin that is a supply rail (5V, 3V3, VCC)."""
    return pin.strip().upper() in SUPPLY_PINS


def onboard_use(board, pin: str) -> str | None:
    """What the board itself has on ``pin`` ("buzzer", "button_a"), or None."""
    try:
        number = board.pin(pin).number
    except PinError:
        return None
    for use, name in board.onboard.items():
        if isinstance(name, str):
            try:
                if board.pin(name).number == number:
                    return use
            except PinError:
                continue
    return None
