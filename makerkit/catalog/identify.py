"""Which board a firmware that does not name it runs on: the one rule, from its pin table.

makerkit's firmware says its board in its identity; stock StandardFirmata does not, but its
capability table lists one entry per pin, so the pin count tells an Uno (20 pins) from a Nano (22)
or a Mega (70). ``connect`` and ``probe`` both ask this.
"""

from __future__ import annotations

from .boards import BoardProfile, load_boards


def board_from_pin_count(count: int, candidates: tuple[str, ...] | None = None) -> BoardProfile | None:
    """The one board profile with ``count`` pins among ``candidates`` (board ids the USB IDs
    suggest), or among the boards that run stock Firmata when there are none; None when no board
    or more than one fits."""
    profiles = load_boards()
    if candidates:
        pool = [profiles[b] for b in candidates if b in profiles]
    else:
        pool = [b for b in profiles.values() if b.stock_firmata]
    fits = [b for b in pool if b.max_pin + 1 == count]
    return fits[0] if len(fits) == 1 else None


__all__ = ["board_from_pin_count"]
