"""The class as the dashboard sees it: one tile per kit, kept from the MQTT messages and the store.

The MQTT thread calls :meth:`ClassState.on_message`; the web server's loop takes the changes every
few tens of milliseconds (:meth:`ClassState.take_changes`) and sends them to the open pages as one
batch. Everything is bounded, so a dashboard left open for a school day does not grow: at most
:data:`MAX_KITS` tiles, :data:`MAX_NAMES` readings per kit, and a sparkline of
:data:`SPARK_POINTS` points per reading (one point per :data:`SPARK_STEP` seconds; the latest value
is always shown). Payloads follow docs/TELEMETRY.md; anything else is ignored (the collector, not
the dashboard, quarantines it).
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque

from ..portfolio.lesson_results import OUTCOMES
from ..protocol import control as ctl
from ..protocol import telemetry as tm

MAX_KITS = 500          # tiles at most (a flood of made-up kit ids cannot grow the dashboard)
MAX_NAMES = 32          # readings per kit (the contract's limit per message)
SPARK_POINTS = 120      # points per sparkline
SPARK_STEP = 0.5        # seconds: at most one sparkline point per reading this often (120 points = 1 minute)
STALE_AFTER = 10.0      # seconds without a reading from an online kit that had been reporting: it stands out
MAX_TEXT = 64           # characters kept of a lesson name or a checkpoint label
LESSON_EVENT = "lesson"  # {"lesson": ID, "state": "running" | "ended", "mode": "run" | "check", "outcome": ...}


def _short(value, limit: int = MAX_TEXT) -> str:
    return str(value)[:limit] if value is not None else ""


class KitTile:
    """What one kit's tile shows. Written under :class:`ClassState`'s lock only."""

    __slots__ = ("class_id", "kit", "status", "readings", "units", "spark", "spark_at", "last_reading",
                 "last_reading_wall", "stale", "lesson", "lesson_at", "running", "checkpoint", "check", "holder",
                 "holder_kind", "holder_name", "fw", "last_ack")

    def __init__(self, class_id: str, kit: str):
        self.class_id, self.kit = class_id, kit
        self.status = ""                          # "online", "offline" or "" (never said)
        self.readings: dict[str, float] = {}
        self.units: dict[str, str] = {}
        self.spark: dict[str, deque] = {}
        self.spark_at = 0.0                       # monotonic time of the last sparkline point
        self.last_reading = 0.0                   # monotonic; 0 = never
        self.last_reading_wall = 0.0              # epoch seconds, for "N s ago"
        self.stale = False
        self.lesson = ""                          # the kit's lesson: its "lesson" events, else its newest stored run
        self.lesson_at = ""                       # ISO time of what said so (the newer one wins)
        self.running = False                      # a "lesson" event said it runs now
        self.checkpoint = ""
        self.check: dict | None = None            # the newest check of that lesson: lesson, outcome, at
        self.holder = ""
        self.holder_kind = ""                     # "student", "group" or ""
        self.holder_name = ""
        self.fw = ""
        self.last_ack: dict | None = None

    @property
    def key(self) -> str:
        return f"{self.class_id}/{self.kit}"

    def full(self, names: bool) -> dict:
        doc = {"id": self.key, "class": self.class_id, "kit": self.kit, "status": self.status,
               "readings": dict(self.readings), "units": dict(self.units),
               "spark": {n: list(p) for n, p in self.spark.items()}, "stale": self.stale,
               "seen": self.last_reading_wall, "lesson": self.lesson, "running": self.running,
               "checkpoint": self.checkpoint,
               "check": self.check, "fw": self.fw, "ack": self.last_ack}
        doc.update(self.holder_doc(names))
        return doc

    def holder_doc(self, names: bool) -> dict:
        return {"holder": (self.holder_name if names and self.holder_name else self.holder),
                "holder_id": self.holder, "holder_kind": self.holder_kind}


class ClassState:
    """Tiles of the watched classes (``classes`` empty: every class the login may see)."""

    def __init__(self, classes: list[str] | tuple[str, ...] = ()):
        self.classes = tuple(classes)
        self.tiles: dict[str, KitTile] = {}
        self.names = False                        # display names instead of pseudonymous ids (the teacher's switch)
        self.ignored = 0                          # messages not shown (wrong shape, too many kits)
        self.messages = 0
        self._changes: dict[str, dict] = {}
        self._lock = threading.Lock()

    # -- from MQTT (the network thread) ---------------------------------------------------------
    def on_message(self, topic: str, payload: bytes, now: float | None = None) -> None:
        try:
            where = tm.parse_topic(topic)
            if self.classes and where.class_id not in self.classes or where.kit == tm.CLASS_SEGMENT:
                raise ValueError(topic)
            doc = json.loads(payload)
            if not isinstance(doc, dict):
                raise ValueError(topic)
        except (ValueError, UnicodeDecodeError, tm.TelemetryRejected):
            self.ignored += 1
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            self.messages += 1
            tile = self._tile(where.class_id, where.kit)
            if tile is None:
                self.ignored += 1
            elif where.kind == "telemetry":
                self._telemetry(tile, doc, now)
            elif where.kind == "status":
                self._status(tile, doc)
            elif where.kind == "event":
                self._event(tile, doc)

    def _tile(self, class_id: str, kit: str) -> KitTile | None:
        key = f"{class_id}/{kit}"
        tile = self.tiles.get(key)
        if tile is None and len(self.tiles) < MAX_KITS:
            tile = self.tiles[key] = KitTile(class_id, kit)
            self._changes[key] = tile.full(self.names)
        return tile

    def _change(self, tile: KitTile) -> dict:
        change = self._changes.get(tile.key)
        if change is None:
            change = self._changes[tile.key] = {"id": tile.key}
        return change

    def _telemetry(self, tile: KitTile, doc: dict, now: float) -> None:
        readings = doc.get("readings")
        if not isinstance(readings, dict):
            return
        change = self._change(tile)
        values = change.setdefault("readings", {})
        add_point = now - tile.spark_at >= SPARK_STEP
        if add_point:
            tile.spark_at = now
            points = change.setdefault("points", {})
        for name, value in readings.items():
            if (type(value) not in (int, float) or not math.isfinite(value)
                    or (name not in tile.readings and len(tile.readings) >= MAX_NAMES)):
                continue
            name = _short(name, 32)
            tile.readings[name] = values[name] = value
            if add_point:
                spark = tile.spark.get(name)
                if spark is None:
                    spark = tile.spark[name] = deque(maxlen=SPARK_POINTS)
                spark.append(value)
                points[name] = value
        units = doc.get("units")
        if isinstance(units, dict):
            for name, unit in units.items():
                if name in tile.readings and isinstance(unit, str) and tile.units.get(name) != unit[:16]:
                    tile.units[name] = change.setdefault("units", {})[name] = unit[:16]
        tile.last_reading = now
        tile.last_reading_wall = change["seen"] = time.time()
        if tile.stale:
            tile.stale = change["stale"] = False

    def _status(self, tile: KitTile, doc: dict) -> None:
        state = doc.get("state")
        if state not in ("online", "offline"):
            return
        change = self._change(tile)
        tile.status = change["status"] = state
        if isinstance(doc.get("fw"), str):
            tile.fw = change["fw"] = _short(doc["fw"])
        if state == "offline" and tile.stale:
            tile.stale = change["stale"] = False

    def _event(self, tile: KitTile, doc: dict) -> None:
        name = doc.get("event")
        data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
        change = self._change(tile)
        if name == ctl.ACK_EVENT:
            tile.last_ack = change["ack"] = {"id": _short(data.get("id")), "done": _short(data.get("done")),
                                             "at": time.time()}
            return
        if isinstance(data.get("lesson"), str) and data["lesson"]:
            self._set_lesson(tile, _short(data["lesson"]), tm.iso_utc(time.time()),
                             running=data.get("state") == "running" if name == LESSON_EVENT else tile.running)
        if name == LESSON_EVENT and tile.lesson and data.get("mode") == "check" and data.get("outcome") in OUTCOMES:
            self._set_check(tile, {"lesson": tile.lesson, "outcome": data["outcome"], "at": tile.lesson_at})
        if name == "checkpoint":
            label = data.get("label", data.get("step"))
            tile.checkpoint = change["checkpoint"] = _short(label) if label is not None else ""

    def _set_lesson(self, tile: KitTile, lesson: str, at: str, *, running: bool) -> None:
        change = self._change(tile)
        if lesson != tile.lesson:
            tile.lesson = change["lesson"] = lesson
            tile.checkpoint = change["checkpoint"] = ""
            if tile.check and tile.check["lesson"] != lesson:
                tile.check = change["check"] = None
        tile.lesson_at = at
        if running != tile.running:
            tile.running = change["running"] = running

    def _set_check(self, tile: KitTile, check: dict | None) -> None:
        if check != tile.check:
            tile.check = self._change(tile)["check"] = check

    # -- from the store (a background thread) ---------------------------------------------------
    def set_roster(self, class_id: str, kits: list[str], holders: dict[str, dict], names: dict[str, str],
                   groups: dict[str, str], runs: dict[str, dict], checks: dict | None = None) -> None:
        """The class's registered kits (they get a tile even while silent), who holds each, each kit's
        newest lesson run and the newest check of each (kit, lesson)."""
        checks = checks or {}
        with self._lock:
            for kit in sorted(set(kits) | set(holders) | set(runs)):
                tile = self._tile(class_id, kit)
                if tile is None:
                    continue
                hold = holders.get(kit) or {}
                holder = hold.get("student") or hold.get("group") or ""
                kind = "student" if hold.get("student") else "group" if hold.get("group") else ""
                name = names.get(holder, "") if kind == "student" else groups.get(holder, "")
                if (holder, kind, name) != (tile.holder, tile.holder_kind, tile.holder_name):
                    tile.holder, tile.holder_kind, tile.holder_name = holder, kind, name
                    self._change(tile).update(tile.holder_doc(self.names))
                self._stored_lesson(tile, runs.get(kit), checks)

    def _stored_lesson(self, tile: KitTile, run: dict | None, checks: dict) -> None:
        """A stored run newer than what the tile knows names the lesson (it ended: it is recorded at its
        end); the tile's lesson's newest stored check is its outcome unless a live one is newer."""
        if run and run["ran_at"] > tile.lesson_at:
            self._set_lesson(tile, _short(run["lesson_id"]), run["ran_at"], running=False)
        stored = checks.get((tile.kit, tile.lesson)) if tile.lesson else None
        if stored is None:
            return
        check = {"lesson": tile.lesson, "outcome": stored["outcome"], "at": stored["ran_at"]}
        if tile.check is None or tile.check["lesson"] != tile.lesson or check["at"] >= tile.check["at"]:
            self._set_check(tile, check)

    def show_names(self, on: bool) -> None:
        with self._lock:
            self.names = bool(on)
            for tile in self.tiles.values():
                self._change(tile).update(tile.holder_doc(self.names))

    # -- to the pages (the server's loop) -------------------------------------------------------
    def check_stale(self, now: float | None = None) -> None:
        """Mark online kits that stopped reporting (and unmark those that came back)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for tile in self.tiles.values():
                stale = bool(tile.last_reading and tile.status != "offline" and now - tile.last_reading > STALE_AFTER)
                if stale != tile.stale:
                    tile.stale = self._change(tile)["stale"] = stale

    def take_changes(self) -> list[dict]:
        with self._lock:
            out = list(self._changes.values())
            self._changes = {}
        return out

    def snapshot(self, class_id: str | None = None) -> list[dict]:
        with self._lock:
            return [t.full(self.names) for key, t in sorted(self.tiles.items())
                    if class_id is None or t.class_id == class_id]
