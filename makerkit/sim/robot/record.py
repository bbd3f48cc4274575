"""The record of one robot run: JSON, versioned ``"v": 1``, everything needed to judge and to draw it.

::

    {"v": 1, "kind": "makerkit-robot-run",
     "lesson": "20-line-follow", "board": "uno", "mode": "check", "script": "starter.py",
     "made_at": "2025-03-02T09:15:00+08:00", "seconds": 40.0, "outcome": "passed",
     "arena": {... the arena, as makerkit.catalog.arenas.Arena.as_dict() ...},
     "robot": {"radius_cm": 9, "wheel_base_cm": 13, "sonar": [{"x_cm", "y_cm", "angle_deg"}],
               "line": [{"role", "x_cm", "y_cm"}]},
     "path": [[t, x, y, heading_deg, left_cm_s, right_cm_s], ...],      # every 50 ms
     "events": [{"t", "kind": "contact", "x", "y", "en", "zh"}],
     "sonar": [[t, sensor, cm, hit_x, hit_y], ...],                     # cm 0: no echo
     "marks": [{"x", "y", "status": "fail", "en", "zh"}],               # where a checker found something
     "findings": [{"status", "en", "zh", "fix_en", "fix_zh"}]}

Times are seconds since the robot was put at the start, lengths cm. :func:`load_record` reads one
back and says in both languages what is wrong with a file that is not a record.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Iterable

from ...errors import UsageError

VERSION = 1
KIND = "makerkit-robot-run"


def _r(value: float, digits: int = 2) -> float:
    return round(float(value), digits)


def build_record(robot, *, lesson: str = "", board: str = "", mode: str = "run", script: str = "",
                 outcome: str = "", findings: Iterable[dict] = ()) -> dict:
    """The record of ``robot``'s run so far (a :class:`~makerkit.sim.robot.SimRobot`)."""
    body, spec = robot.body, robot.spec
    return {
        "v": VERSION, "kind": KIND, "lesson": lesson, "board": board, "mode": mode, "script": script,
        "made_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "seconds": _r(body.seconds(), 3), "outcome": outcome,
        "arena": robot.arena.as_dict(),
        "robot": {"radius_cm": spec.radius, "wheel_base_cm": spec.wheel_base,
                  "sonar": [{"x_cm": m.x, "y_cm": m.y, "angle_deg": m.angle} for m in spec.sonars],
                  "line": [{"role": m.pin, "x_cm": m.x, "y_cm": m.y} for m in spec.lines]},
        "path": [[_r(s.t, 3), _r(s.x), _r(s.y), _r(s.heading), _r(s.left), _r(s.right)] for s in body.samples],
        "events": [{"t": _r(e.t, 3), "kind": e.kind, "x": _r(e.x), "y": _r(e.y), "en": e.en, "zh": e.zh}
                   for e in body.events],
        "sonar": [list(h) for h in robot.hits()],
        "marks": list(robot.marks),
        "findings": [dict(f) for f in findings],
    }


def save_record(record: dict, path: str | Path) -> Path:
    """Write ``record`` as UTF-8 JSON to ``path`` (its folder is made); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


def load_record(path: str | Path) -> dict:
    """A record written by :func:`save_record`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(en=f"Cannot read the robot run record {path}: {exc}",
                         zh=f"无法读取机器人运行记录 {path}：{exc}") from exc
    if not isinstance(data, dict) or data.get("kind") != KIND or data.get("v") != VERSION:
        raise UsageError(en=f"{path} is not a makerkit robot run record (version {VERSION}).",
                         zh=f"{path} 不是 makerkit 机器人运行记录（版本 {VERSION}）。",
                         hint_en="Give the .json file that `makerkit lesson run` or `lesson check` saved.",
                         hint_zh="请使用 `makerkit lesson run` 或 `lesson check` 保存的 .json 文件。")
    return data
