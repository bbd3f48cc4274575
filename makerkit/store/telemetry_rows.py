"""Readings, the quarantine and sequence gaps: the collector's side of the store."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Iterable

from ..protocol.telemetry import KitKey
from .records import QUARANTINE_KEEP, Flood, Gap, Quarantined, StoredRecord, now_iso

_INSERT_TELEMETRY = (
    "INSERT INTO telemetry (class_id, kit_id, inc, seq, boot, uptime_ms, device_time, received_at, taken_at, "
    "time_source, flags, readings, units) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (class_id, kit_id, inc, seq) DO NOTHING")
_INSERT_QUARANTINE = ("INSERT INTO quarantine (received_at, topic, payload, size, sha256, reason, detail) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)")
_UPSERT_FLOOD = (
    "INSERT INTO quarantine_floods (topic, reason, first_at, last_at, messages, bytes) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (topic, reason) DO UPDATE SET last_at = excluded.last_at, "
    "messages = quarantine_floods.messages + excluded.messages, bytes = quarantine_floods.bytes + excluded.bytes")
_SEEN = "UPDATE kits SET last_seen = ? WHERE class_id = ? AND id = ? AND (last_seen IS NULL OR last_seen < ?)"

_units_json: dict[tuple, str] = {}


def _readings_json(readings: dict) -> str:
    # names are [a-z0-9_] (nothing to escape) and values finite floats, whose repr is valid JSON
    return "{" + ",".join(f'"{k}":{v!r}' for k, v in readings.items()) + "}"


def _unit_text(units: dict) -> str | None:
    if not units:
        return None
    key = tuple(units.items())
    text = _units_json.get(key)          # a kit sends the same units again and again
    if text is None:
        if len(_units_json) > 10000:
            _units_json.clear()
        text = _units_json[key] = json.dumps(units, ensure_ascii=False, separators=(",", ":"))
    return text


def _same_readings(stored: str, readings: dict) -> bool:
    if stored == _readings_json(readings):
        return True
    try:
        return json.loads(stored) == {k: float(v) for k, v in readings.items()}
    except ValueError:
        return False


def _row(item: StoredRecord) -> tuple:
    r = item.record
    device_time = r.time if r.time is not None else (r.raw_time[:40] if r.raw_time else None)
    return (r.class_id, r.kit, r.inc, r.seq, r.boot, r.uptime_ms, device_time, item.received_at, item.taken_at,
            item.time_source, item.flags, _readings_json(r.readings), _unit_text(r.units))


def quarantine_row(q: Quarantined) -> tuple:
    data = bytes(q.payload)
    return (q.received_at, _clean(q.topic[:1024]), data[:QUARANTINE_KEEP], len(data),
            hashlib.sha256(data).hexdigest(), q.reason, _clean(q.detail[:2000]))


def _clean(text: str) -> str:
    """Text columns hold no NUL (PostgreSQL refuses it) and no lone surrogates (not UTF-8)."""
    return text.replace("\x00", "\\0").encode("utf-8", "backslashreplace").decode("utf-8")


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class TelemetryRows:
    """Mixed into :class:`~makerkit.store.base.Store` (which supplies ``_execute``, ``_executemany``
    and ``_transaction``)."""

    def write_batch(self, records: list[StoredRecord], quarantined: Iterable[Quarantined] = (), *,
                    payloads: list[bytes] | None = None, reused: list | None = None,
                    floods: Iterable[Flood] = (), statuses: Iterable[tuple] = ()) -> int:
        """Store a batch in one durable transaction; returns how many records were new.

        When this returns, the rows are on disk (SQLite ``synchronous=FULL``; PostgreSQL commit),
        so the caller may acknowledge the messages. A record whose ``(class, kit, inc, seq)`` is
        already stored with the same content (boot, uptime, readings) is a redelivery and skipped
        silently; one with different content goes to the quarantine as ``seq_reused`` in the same
        transaction. ``payloads`` (the messages' bytes, parallel to ``records``) keeps those byte for
        byte; ``reused`` (a list) receives them so the caller can count them. Quarantined payloads keep
        their first 4 KiB with their length and SHA-256; ``floods`` are summaries of refused messages
        not kept one by one; ``statuses`` are ``(class, kit, inc, hw, firmware, seen)`` from the kits'
        online messages, recorded in the inventory of registered kits.
        """
        quarantined = list(quarantined)
        with self._transaction():
            added = self._executemany(_INSERT_TELEMETRY, [_row(r) for r in records]) if records else 0
            if added < len(records):
                clash = self._seq_reused(records, payloads)
                if clash:
                    quarantined += clash
                    if reused is not None:
                        reused.extend(clash)
            if quarantined:
                self._executemany(_INSERT_QUARANTINE, [quarantine_row(q) for q in quarantined])
            floods = list(floods)
            if floods:
                self._executemany(_UPSERT_FLOOD, [tuple(f) for f in floods])
            if records:
                self._mark_seen(records)
            for cls, kit, inc, hw, fw, seen in statuses:
                self.kit_status(cls, kit, inc=inc, hw_id=hw, firmware=fw, seen=seen)
        return added

    def _mark_seen(self, records: list[StoredRecord]) -> None:
        latest: dict[tuple[str, str], str] = {}
        for item in records:
            k = (item.record.class_id, item.record.kit)
            if latest.get(k, "") < item.received_at:
                latest[k] = item.received_at
        self._executemany(_SEEN, [(at, cls, kit, at) for (cls, kit), at in latest.items()])

    def _seq_reused(self, records: list[StoredRecord], payloads: list[bytes] | None) -> list[Quarantined]:
        """Records whose key is stored with other content (one range query per kit)."""
        by_kit: dict[KitKey, list[int]] = {}
        for i, item in enumerate(records):
            by_kit.setdefault(item.record.key, []).append(i)
        out = []
        for key, idx in by_kit.items():
            seqs = [records[i].record.seq for i in idx]
            stored = {seq: (boot, up, readings) for seq, boot, up, readings in self._execute(
                "SELECT seq, boot, uptime_ms, readings FROM telemetry WHERE class_id = ? AND kit_id = ? AND inc = ? "
                "AND seq BETWEEN ? AND ?", (*key, min(seqs), max(seqs)))}
            for i in idx:
                item = records[i]
                r = item.record
                have = stored.get(r.seq)
                if have is None or (have[0], have[1]) == (r.boot, r.uptime_ms) and \
                        _same_readings(have[2], r.readings):
                    continue
                payload = payloads[i] if payloads is not None else json.dumps(
                    {"v": 1, "seq": r.seq, "boot": r.boot, "uptime_ms": r.uptime_ms, "readings": r.readings},
                    separators=(",", ":")).encode()
                out.append(Quarantined(
                    item.received_at, f"makerkit/v1/{r.class_id}/{r.kit}/telemetry", payload, "seq_reused",
                    f"seq {r.seq} of kit {r.kit} (class {r.class_id}, incarnation {r.inc or '-'}) is already stored "
                    f"with other content (stored: boot {have[0]}, uptime_ms {have[1]}; this one: boot {r.boot}, "
                    f"uptime_ms {r.uptime_ms}): the kit numbers its readings again from an old seq without a new "
                    "incarnation. Update its firmware (makerkit deploy), which starts a new incarnation when its "
                    "memory is wiped."))
        return out

    # -- reading back ----------------------------------------------------------------------------
    def count(self, kit: str | None = None, class_id: str | None = None) -> int:
        sql, params = "SELECT COUNT(*) FROM telemetry", []
        cond = []
        if kit is not None:
            cond.append("kit_id = ?"); params.append(kit)
        if class_id is not None:
            cond.append("class_id = ?"); params.append(class_id)
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        return self._execute(sql, params)[0][0]

    def seqs(self, key: KitKey, first: int | None = None, last: int | None = None) -> list[int]:
        """The stored sequence numbers of one kit incarnation (optionally within ``first..last``), ascending."""
        lo = 0 if first is None else first
        hi = 2 ** 63 - 1 if last is None else last
        return [row[0] for row in self._execute(
            "SELECT seq FROM telemetry WHERE class_id = ? AND kit_id = ? AND inc = ? AND seq BETWEEN ? AND ? "
            "ORDER BY seq", (*key, lo, hi))]

    def kit_heads(self) -> dict[KitKey, int]:
        """Each kit incarnation's highest stored seq: where the collector's gap tracking starts."""
        rows = self._execute("SELECT class_id, kit_id, inc, MAX(seq) FROM telemetry GROUP BY class_id, kit_id, inc")
        return {KitKey(cls, kit, inc): seq for cls, kit, inc, seq in rows}

    def boot_epochs(self) -> dict[tuple[str, str, str, int], tuple[float, str]]:
        """(class, kit, inc, boot) -> (epoch estimate, source) from what is stored, so a restarted
        collector places new readings of a running boot where the last one left them."""
        out: dict[tuple[str, str, str, int], tuple[float, str]] = {}
        for cls, kit, inc, boot, taken, up, src in self._execute(
                "SELECT t.class_id, t.kit_id, t.inc, t.boot, t.taken_at, t.uptime_ms, t.time_source FROM telemetry t "
                "JOIN (SELECT class_id, kit_id, inc, boot, MAX(seq) AS m FROM telemetry "
                "WHERE time_source IN ('device', 'boot') GROUP BY class_id, kit_id, inc, boot) h "
                "ON t.class_id = h.class_id AND t.kit_id = h.kit_id AND t.inc = h.inc AND t.seq = h.m"):
            try:
                out[(cls, kit, inc, boot)] = (_epoch(taken) - up / 1000, src)
            except (ValueError, OverflowError):
                continue
        return out

    # -- quarantine --------------------------------------------------------------------------------
    def quarantined(self, limit: int | None = None) -> list[dict]:
        sql = "SELECT id, received_at, topic, payload, size, sha256, reason, detail FROM quarantine ORDER BY id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [{"id": i, "received_at": t, "topic": topic, "payload": bytes(p), "size": size, "sha256": sha,
                 "reason": r, "detail": d} for i, t, topic, p, size, sha, r, d in self._execute(sql)]

    def quarantine_count(self) -> int:
        return self._execute("SELECT COUNT(*) FROM quarantine")[0][0]

    def quarantine_floods(self) -> list[Flood]:
        return [Flood(*row) for row in self._execute(
            "SELECT topic, reason, first_at, last_at, messages, bytes FROM quarantine_floods ORDER BY topic, reason")]

    # -- gaps --------------------------------------------------------------------------------------
    def add_gaps(self, gaps: list[Gap]) -> None:
        if not gaps:
            return
        with self._transaction():
            self._executemany(
                "INSERT INTO gaps (class_id, kit_id, inc, first_seq, last_seq, state, detected_at, requests, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (class_id, kit_id, inc, first_seq) DO NOTHING",
                [(g.class_id, g.kit, g.inc, g.first, g.last, g.state, g.detected_at, g.requests, g.note) for g in gaps])

    def gaps(self, state: str | None = None, kit: str | None = None, class_id: str | None = None) -> list[Gap]:
        sql = "SELECT class_id, kit_id, first_seq, last_seq, state, detected_at, requests, note, inc FROM gaps"
        cond, params = [], []
        for column, value in (("state", state), ("kit_id", kit), ("class_id", class_id)):
            if value:
                cond.append(f"{column} = ?"); params.append(value)
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        return [Gap(*row) for row in self._execute(sql + " ORDER BY class_id, kit_id, inc, first_seq", params)]

    def update_gap(self, key: KitKey, first: int, *, state: str | None = None, requests: int | None = None,
                   note: str | None = None) -> None:
        sets, params = [], []
        if state is not None:
            sets.append("state = ?"); params.append(state)
            if state != "open":
                sets.append("closed_at = ?"); params.append(now_iso())
        if requests is not None:
            sets.append("requests = ?"); params.append(requests)
        if note is not None:
            sets.append("note = ?"); params.append(note)
        with self._transaction():
            self._execute(f"UPDATE gaps SET {', '.join(sets)} WHERE class_id = ? AND kit_id = ? AND inc = ? "
                          "AND first_seq = ?", (*params, *key, first))
