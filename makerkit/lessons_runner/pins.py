"""``kit.pins``: the lesson's pins for the board in use, so a lesson script names no board's pin.

A lesson's ``[pins.default]`` and ``[pins.<board>]`` tables say which pin each part of the wiring
table uses ("led", "button", "dht"...). Inside a lesson the script reads them from its kit::

    led = kit.led(kit.pins.led)          # D13 on an Uno, GPIO2 on an ESP32, P8 on the mPython board
    button = kit.button(kit.pins["button"])

The names are the printed pin names of the board (``LED_BUILTIN`` becomes ``D13``), so what the
script prints matches the wiring table the student followed. A role the lesson does not have raises
:class:`~makerkit.errors.PinError` naming the roles it has.
"""

from __future__ import annotations

from typing import Iterator, Mapping

from ..errors import PinError


class LessonPins(Mapping):
    """Role -> printed pin name, readable as ``pins.led`` or ``pins["led"]`` (see the module docstring)."""

    def __init__(self, roles: Mapping[str, str], board_id: str = ""):
        self.__dict__["_roles"] = dict(roles)
        self.__dict__["_board"] = board_id

    @classmethod
    def for_board(cls, lesson, board) -> "LessonPins":
        """The pins of ``lesson`` on ``board`` (a BoardProfile), as the board prints them."""
        out = {}
        for role, name in lesson.pins_for(board.id).items():
            try:
                out[role] = board.pin(name).name
            except PinError:
                out[role] = name      # the script's own use of it explains the problem
        return cls(out, board.id)

    def __getitem__(self, role: str) -> str:
        try:
            return self._roles[role]
        except KeyError:
            raise self._missing(role) from None

    def __getattr__(self, role: str) -> str:
        if role.startswith("__"):
            raise AttributeError(role)
        return self[role]

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError("kit.pins is read-only: the lesson's wiring table decides the pins")

    def __iter__(self) -> Iterator[str]:
        return iter(self._roles)

    def __len__(self) -> int:
        return len(self._roles)

    def __dir__(self):
        return sorted(self._roles)

    def __repr__(self) -> str:
        inside = ", ".join(f"{role}={pin!r}" for role, pin in self._roles.items())
        return f"pins({inside})"

    def _missing(self, role: str) -> PinError:
        known = ", ".join(self._roles) or "-"
        return PinError(
            en=f"This lesson's wiring table has no part called {role!r}. kit.pins has: {known}.",
            zh=f"这节课的接线表里没有叫 {role!r} 的元件。kit.pins 里有：{known}。",
            hint_en="Use one of those names, for example kit.pins.led; `makerkit lesson show ID` shows the wiring.",
            hint_zh="请用上面列出的名字，例如 kit.pins.led；`makerkit lesson show 课程号` 可以看接线表。",
            role=role, board=self._board)


__all__ = ["LessonPins"]
