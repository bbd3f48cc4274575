"""Place each reading in time, trusting a device's clock only when it is plausible.

A record carries ``boot`` and ``uptime_ms``, and ``time`` once the kit knows the wall-clock time.
For each ``(class, kit, inc, boot)`` the collector keeps an estimate of the wall-clock moment of that
boot:

* from the device's own time (``time - uptime``) when records have a plausible one: inside
  :data:`EARLIEST` .. the collector's clock + :data:`FUTURE_SLACK` (a kit whose clock says 0001 or 9999
  is not believed; its reading is stored with the collector's estimate and flagged ``time_implausible``).
  The estimate is the median of the first :data:`KEEP` such samples of the boot, so one bad early
  sample (a first NTP answer that was wrong, a clock set by hand) does not decide it alone;
* otherwise from the receive time: a message is never received before it was taken, so the smallest
  ``received - uptime`` seen is the best bound (later ones may have waited in a kit's buffer).

A reading's ``taken_at`` is then boot moment + uptime; if that lands outside the plausible window
(an uptime of centuries) the receive time is used and the record flagged ``uptime_implausible``.

The collector's own wall clock may jump (an NTP correction, a clock set by hand). A boot placed from
receive times stays on the clock it was placed with: each estimate remembers the wall-minus-monotonic
offset of its moment, and later receive times are moved back onto that clock before they are compared.
So readings of one boot stay dated as far apart as the kit's uptime says, whichever way the laptop's
clock moved in between; a boot first seen after the jump is placed on the new clock.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from ..protocol.telemetry import TelemetryRecord, iso_utc

EARLIEST = datetime(2020, 1, 1, tzinfo=timezone.utc).timestamp()
FUTURE_SLACK = 86400.0        # seconds a device clock may run ahead of the collector's
KEEP = 5                      # device-time samples per boot whose median places the boot
MAX_BOOTS = 50_000            # boots remembered (oldest forgotten first): memory stays bounded
JUMP = 2.0                    # seconds the wall clock may drift against the monotonic one before it is a jump


def _ts(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def plausible(when: float, now: float) -> bool:
    return EARLIEST <= when <= now + FUTURE_SLACK


class TimeBase:
    def __init__(self, known: dict[tuple, tuple[float, str]] | None = None):
        # key -> (epoch, source); device-time boots also keep their first samples
        self.epochs: dict[tuple, tuple[float, str]] = dict(known or {})
        self._samples: dict[tuple, list[float]] = {}
        self._offset = time.time() - time.monotonic()   # what the wall clock says against the monotonic one
        self._placed = {key: self._offset for key in self.epochs}   # the clock each estimate is on
        self.clock_jumps = 0
        self._observed = False

    def observe_clock(self, wall: float, monotonic: float) -> None:
        """The caller's wall and monotonic clocks read at one moment (the batch's receive time)."""
        offset = wall - monotonic
        if self._observed and abs(offset - self._offset) > JUMP:
            self.clock_jumps += 1
        self._offset, self._observed = offset, True

    def _remember(self, key: tuple, value: tuple[float, str]) -> None:
        if key not in self.epochs and len(self.epochs) >= MAX_BOOTS:
            oldest = next(iter(self.epochs))
            del self.epochs[oldest]
            self._samples.pop(oldest, None)
            self._placed.pop(oldest, None)
        self.epochs[key] = value
        self._placed.setdefault(key, self._offset)

    def stamp(self, record: TelemetryRecord, received: float) -> tuple[str, str, str]:
        """Return ``(taken_at ISO, source, flags)``: source ``device`` | ``boot`` | ``received``."""
        key = (record.class_id, record.kit, record.inc, record.boot)
        up = record.uptime_ms / 1000
        flags = ""
        if record.time is not None or record.raw_time is not None:
            when = _ts(record.time) if record.time is not None else None
            if when is not None and plausible(when, received):
                self._device_sample(key, when - up)
                return record.time, "device", ""
            flags = "time_implausible"
        known = self._from_receive(key, received - up, self._offset)
        taken = known[0] + up
        if not plausible(taken, received):
            return iso_utc(received), "received", ",".join(f for f in (flags, "uptime_implausible") if f)
        return iso_utc(taken), "boot", flags

    def _device_sample(self, key: tuple, epoch: float) -> None:
        samples = self._samples.setdefault(key, [])
        if len(samples) >= KEEP:
            return
        samples.append(epoch)
        ordered = sorted(samples)
        self._remember(key, (ordered[(len(ordered) - 1) // 2], "device"))

    def _from_receive(self, key: tuple, candidate: float, offset: float) -> tuple[float, str]:
        known = self.epochs.get(key)
        if known is not None:
            candidate -= offset - self._placed.get(key, offset)     # back onto the clock the boot was placed with
        if known is None or (known[1] != "device" and candidate < known[0]):
            if known is None:
                self._placed[key] = offset
            known = (candidate, "boot")
            self._remember(key, known)
        return known
