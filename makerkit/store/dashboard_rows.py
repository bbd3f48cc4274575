"""What a live dashboard reads from the portfolio: the class's holders now, each kit's latest lesson
run, a kit's readings over a span (thinned to a bounded number of rows), its lesson runs, and the
newest quarantined messages. Every query here is bounded: a dashboard runs for a whole school day."""

from __future__ import annotations

import json

MAX_ROWS = 3000          # rows one chart query returns at most (a term at a reading a second is millions)


class DashboardRows:
    """Mixed into :class:`~makerkit.store.base.Store`."""

    def current_holders(self, class_id: str) -> dict[str, dict]:
        """kit -> ``{"student": id | None, "group": id | None}`` for the holds still running."""
        rows = self._execute("SELECT kit_id, student_id, group_id FROM assignments WHERE class_id = ? AND until IS NULL",
                             (class_id,))
        return {kit: {"student": sid, "group": gid} for kit, sid, gid in rows}

    def latest_lesson_runs(self, class_id: str) -> dict[str, dict]:
        """kit -> its newest lesson run (``lesson_id``, ``mode``, ``outcome``, ``ran_at``)."""
        rows = self._execute(
            "SELECT r.kit_id, r.lesson_id, r.mode, r.outcome, r.ran_at FROM lesson_runs r JOIN "
            "(SELECT kit_id, MAX(id) AS m FROM lesson_runs WHERE class_id = ? AND kit_id IS NOT NULL GROUP BY kit_id) x "
            "ON r.id = x.m", (class_id,))
        return {kit: {"lesson_id": lesson, "mode": mode, "outcome": outcome, "ran_at": ran_at}
                for kit, lesson, mode, outcome, ran_at in rows}

    def latest_lesson_checks(self, class_id: str) -> dict[tuple[str, str], dict]:
        """(kit, lesson) -> the newest *check* of that lesson on that kit (``outcome``, ``ran_at``): what a
        tile shows as the running lesson's last checker outcome. At most kits x lessons rows."""
        rows = self._execute(
            "SELECT r.kit_id, r.lesson_id, r.outcome, r.ran_at FROM lesson_runs r JOIN "
            "(SELECT MAX(id) AS m FROM lesson_runs WHERE class_id = ? AND kit_id IS NOT NULL AND mode = 'check' "
            "GROUP BY kit_id, lesson_id) x ON r.id = x.m", (class_id,))
        return {(kit, lesson): {"outcome": outcome, "ran_at": ran_at} for kit, lesson, outcome, ran_at in rows}

    def kit_lesson_runs(self, class_id: str, kit: str, limit: int = 50) -> list[dict]:
        """The kit's newest lesson runs, newest first, with the checker's findings."""
        rows = self._execute(
            "SELECT id, lesson_id, mode, outcome, ran_at, student_id, group_id, findings FROM lesson_runs "
            f"WHERE class_id = ? AND kit_id = ? ORDER BY id DESC LIMIT {int(limit)}", (class_id, kit))
        return [{"id": i, "lesson_id": lesson, "mode": mode, "outcome": outcome, "ran_at": ran_at, "student": sid,
                 "group": gid, "findings": json.loads(findings or "[]")}
                for i, lesson, mode, outcome, ran_at, sid, gid, findings in rows]

    def readings_thinned(self, class_id: str, kit: str, since: str, until: str | None = None,
                         limit: int = MAX_ROWS) -> list[tuple]:
        """``(taken_at, readings JSON, units JSON)`` of a kit in ``[since, until)``, at most about
        ``limit`` rows: every n-th ``seq`` when there are more (a chart of a term needs its shape only)."""
        params = (class_id, kit, since, until, until)
        where = ("WHERE class_id = ? AND kit_id = ? AND taken_at >= ? AND (CAST(? AS TEXT) IS NULL OR taken_at < ?)")
        count = self._execute(f"SELECT COUNT(*) FROM telemetry {where}", params)[0][0]
        every = max(1, -(-count // max(1, limit)))
        thin = f" AND seq % {every} = 0" if every > 1 else ""
        return self._execute(f"SELECT taken_at, readings, units FROM telemetry {where}{thin} ORDER BY taken_at", params)

    def recent_quarantine(self, limit: int = 50) -> list[dict]:
        """The newest quarantined messages, newest first (payload cut to 200 bytes)."""
        rows = self._execute("SELECT id, received_at, topic, reason, detail, payload FROM quarantine "
                             f"ORDER BY id DESC LIMIT {int(limit)}")
        return [{"id": i, "received_at": t, "topic": topic, "reason": r, "detail": d,
                 "payload": bytes(p[:200]).decode("utf-8", "replace")} for i, t, topic, r, d, p in rows]
