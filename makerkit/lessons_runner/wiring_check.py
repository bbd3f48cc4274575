"""Before a lesson's code runs: check the wires of its wiring table on the kit in use.

:func:`plan_wiring` reads the lesson's wiring table for the board (``[[wiring.<board>]]`` or
``[[wiring.default]]``) and its pins (``[pins.*]``) and says, for each wired part it can check, what
kind of part it is and which wires it has: a lesson part whose id is a registry kind or role
(``dht``, ``button``, ``distance``, ``motors``, ``line``...), or whose pins table role is one
(``line_left``: the part before the ``_``), or an I2C part of :data:`~makerkit.catalog.parts.I2C_PARTS`
(``aht20``). Rows on GND, 5V or 3V3 are the part's power wires: shown to the student, not probed.

:func:`check_wiring` then asks each part's host class to check it (``check_wiring(kit, wired)``, named
by the parts registry) and gathers every fault into a :class:`WiringReport`: every fault, not only
the first, so a student fixes them all at once. The ``makerkit lesson run`` and ``check`` commands run
it before the student's code on a real kit and on the virtual kit alike (there it costs a few
simulated milliseconds, and finds the faults a test or a teacher put in with ``--sim-fault``);
``--skip-wiring-check`` skips it. A failed check exits with :data:`EXIT_WIRING_FAULT`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from ..catalog.lessons import Lesson, WireRow
from ..catalog.parts import PARTS, Part, i2c_part
from ..device.wiring import Wire, WiredPart, WiringFault, fault, is_supply
from ..errors import DisconnectedError, FeatureNotSupportedError, MakerkitError, PinError
from .findings import EXIT_WIRING_FAULT

_BY_FACTORY = {p.factory: p for p in PARTS}
_CHECKED = [p for p in PARTS if p.wiring_check]   # the parts that can check their own wires
_ALIASES = {"bumper": "button"}   # a robot's bumper is a micro switch, wired and checked as a button


@dataclass(frozen=True)
class WiringReport:
    """What the wiring check found on one kit: ``checked`` the parts it looked at, ``faults`` every
    problem (``warnings`` are the ones that do not stop the lesson), ``unchecked`` the parts it could
    not look at because the kit's firmware cannot drive them (an HC-SR04 on stock StandardFirmata),
    each with why and what to flash: no wiring fault, the lesson goes on and says it again."""
    lesson_id: str
    board: str
    checked: tuple[WiredPart, ...] = ()
    faults: tuple[WiringFault, ...] = ()
    unchecked: tuple[WiringFault, ...] = ()

    @property
    def errors(self) -> tuple[WiringFault, ...]:
        return tuple(f for f in self.faults if not f.warning)

    @property
    def warnings(self) -> tuple[WiringFault, ...]:
        return tuple(f for f in self.faults if f.warning)

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else EXIT_WIRING_FAULT


# --- which parts the wiring table wires, and how --------------------------------------------------

def _registry_part(key: str, name_en: str, legs: str) -> Part | None:
    """The registry entry a lesson part id or role names ("dht" -> DHT11, "line_left" -> LineSensor)."""
    for candidate in (key, key.split("_")[0], key.rstrip("0123456789")):
        candidate = _ALIASES.get(candidate, candidate)
        if candidate in _BY_FACTORY:
            return _BY_FACTORY[candidate]
        kinds = [p for p in _CHECKED if p.lesson_role == candidate]
        if kinds:       # the variant the table names, else the plain one (the first without marks)
            marked = [p for p in kinds if p.marked_in(name_en, legs)]
            return (marked or [p for p in kinds if not (p.name_marks or p.leg_marks)] or kinds)[0]
    return None


def _wire(row: WireRow, board, roles: dict[int, str]) -> Wire:
    try:
        number = board.pin(row.pin).number
    except PinError:
        return Wire(row.pin, row.leg.en, row.leg.zh, signal=False)
    return Wire(row.pin, row.leg.en, row.leg.zh, signal=True, role=roles.get(number, ""))


def _role_numbers(lesson: Lesson, board) -> dict[int, str]:
    """Firmata pin number -> the lesson role whose pin it is, on ``board``."""
    out: dict[int, str] = {}
    for role, name in lesson.pins_for(board.id).items():
        try:
            out.setdefault(board.pin(name).number, role)
        except PinError:
            continue
    return out


def _groups(lesson: Lesson, board) -> list[tuple[str, tuple[Wire, ...]]]:
    """The wiring table's rows by part, each with its wires; a "board" row is a part of its own."""
    roles = _role_numbers(lesson, board)
    groups: dict[str, list[Wire]] = {}
    for i, row in enumerate(lesson.wiring_for(board.id)):
        key = f"board#{i}" if row.part == "board" else row.part
        groups.setdefault(key, []).append(_wire(row, board, roles))
    return [(key, tuple(wires)) for key, wires in groups.items()]


def _wired(lesson: Lesson, key: str, wires: tuple[Wire, ...]) -> WiredPart | None:
    part_id = key.split("#")[0]
    part = lesson.part(part_id)
    name_en, name_zh = (part.name.en, part.name.zh) if part else (part_id, part_id)
    legs = " ".join(w.leg_en for w in wires)
    i2c = i2c_part(part_id) or i2c_part(name_en)
    if i2c is not None and part_id != "board":
        return WiredPart("i2c", part_id, name_en, name_zh, wires, address=i2c.addresses)
    keys = ([] if part_id == "board" else [part_id]) + [w.role for w in wires if w.role]
    for k in keys:
        entry = _registry_part(k, name_en, legs)
        if entry is not None:
            pull_up = not any(is_supply(w.pin) for w in wires)
            return WiredPart(entry.factory, part_id, name_en, name_zh, wires, pull_up=pull_up)
    return None


def plan_wiring(lesson: Lesson, board) -> list[WiredPart]:
    """The parts of ``lesson``'s wiring table on ``board`` that the wiring check knows how to check."""
    planned = []
    for key, wires in _groups(lesson, board):
        wired = _wired(lesson, key, wires)
        if wired is not None and (wired.kind == "i2c" or _BY_FACTORY[wired.kind].wiring_check):
            planned.append(wired)
    return planned


# --- running the checks -------------------------------------------------------------------------

def _checker(wired: WiredPart):
    if wired.kind == "i2c":
        return importlib.import_module("makerkit.device.i2c").check_wiring
    entry = _BY_FACTORY[wired.kind]
    cls = getattr(importlib.import_module(entry.module), entry.cls)
    return getattr(cls, entry.wiring_check)


def _shared_pins(planned: list[WiredPart]) -> list[WiringFault]:
    """Two parts of the table on one pin: a fault of the table itself (checked before the kit is)."""
    seen: dict[str, WiredPart] = {}
    faults = []
    for wired in planned:
        for wire in wired.signals:
            other = seen.setdefault(wire.pin.upper(), wired)
            if other is not wired:
                faults.append(fault(
                    wired, (wire,),
                    f"{wire.pin} is wired to both the {other.name_en} and the {wired.name_en}.",
                    f"{wire.pin} 同时接了{other.name_zh}和{wired.name_zh}。",
                    "One pin can serve one part: tell your teacher, the lesson's wiring table needs fixing.",
                    "一个引脚只能接一个元件：请告诉老师，课程的接线表需要修改。"))
    return faults


def _firmware_lacks(kit: Any, wired: WiredPart) -> WiringFault | None:
    """Why ``wired`` cannot be checked on ``kit`` (its firmware lacks the part's feature), or None."""
    feature = None if wired.kind == "i2c" else _BY_FACTORY[wired.kind].feature
    if feature is None:
        return None
    try:
        kit.require(feature)
    except FeatureNotSupportedError as exc:
        why = exc.message_en[:1].lower() + exc.message_en[1:]
        return fault(wired, None, f"Not checked: {why}", f"没有检查：{exc.message_zh}",
                     exc.hint_en, exc.hint_zh, warning=True)
    return None


def check_wiring(lesson: Lesson, kit: Any) -> WiringReport:
    """Check the wires of ``lesson``'s table for ``kit``'s board on ``kit`` (see the module docstring).
    Raises only when the kit itself is lost."""
    planned = plan_wiring(lesson, kit.board)
    faults = _shared_pins(planned)
    unchecked = {id(w): note for w in planned if (note := _firmware_lacks(kit, w)) is not None}
    for wired in planned:
        if id(wired) in unchecked:
            continue
        try:
            faults.extend(_checker(wired)(kit, wired))
        except DisconnectedError:
            raise
        except MakerkitError as exc:    # a part that misbehaved in a way its check did not foresee
            faults.append(fault(wired, None, exc.message_en, exc.message_zh, exc.hint_en, exc.hint_zh))
    return WiringReport(lesson.id, kit.board.id, tuple(w for w in planned if id(w) not in unchecked), tuple(faults),
                        tuple(unchecked.values()))


__all__ = ["WiringReport", "check_wiring", "plan_wiring"]
