"""Grading helpers for robot lessons: each judges the simulated robot's run and returns one finding
that says, in both languages, WHERE it went wrong (cm along the track, coordinates, which
checkpoint), and marks that place on the run's picture (``run.robot.mark``)::

    from makerkit.lessons_runner import robot_checks as rc

    def check(run):
        return [rc.no_collision(run), rc.stays_on_line(run, max_off_cm=15), rc.lap(run, within=40)]

On a real kit (no simulated robot) each returns ``run.needs_sim(...)``: a real robot's path is not
seen by the host. Places are cm in the arena (x to the right, y up, as on the picture).
"""

from __future__ import annotations

import math

from ..sim.robot.geometry import Polyline
from ..sim.robot.kinematics import mounted

_NEEDS = ("where the robot drove", "机器人开过的路线")
REJOIN_CM = 20.0          # a robot that finds the line again further along than this has cut across: no lap


def _robot(run):
    return getattr(run, "robot", None)


def _skip(run):
    return run.needs_sim(*_NEEDS)


def _fail(run, x: float, y: float, en: str, zh: str, fix_en: str, fix_zh: str):
    run.robot.mark(x, y, "fail", en, zh)
    return run.fail(en, zh, fix_en, fix_zh)


def _ok(run, en: str, zh: str, at: tuple[float, float] | None = None):
    if at is not None:
        run.robot.mark(at[0], at[1], "pass", en, zh)
    return run.ok(en, zh)


def _xy(x: float, y: float) -> str:
    return f"({x:.0f}, {y:.0f}) cm"


def _xy_zh(x: float, y: float) -> str:
    return f"({x:.0f}, {y:.0f}) 厘米处"


def travelled_cm(run) -> float:
    """How far the robot's middle moved during the run, in cm."""
    samples = run.robot.body.samples
    return sum(math.hypot(b.x - a.x, b.y - a.y) for a, b in zip(samples, samples[1:]))


# --- contacts ---------------------------------------------------------------------------------------

def no_collision(run):
    """Passes when the robot never touched a wall or an obstacle."""
    robot = _robot(run)
    if robot is None:
        return _skip(run)
    contacts = robot.body.events
    if not contacts:
        return run.ok("The robot never touched a wall or an obstacle.", "机器人一次也没有碰到墙或障碍物。")
    first = contacts[0]
    more_en = f" ({len(contacts)} touches in all)" if len(contacts) > 1 else ""
    more_zh = f"（一共碰了 {len(contacts)} 次）" if len(contacts) > 1 else ""
    finding = _fail(run, first.x, first.y,
                 f"At {first.t:.1f} s the robot {first.en}{more_en}.",
                 f"第 {first.t:.1f} 秒，机器人{first.zh}{more_zh}。",
                 "Measure the distance ahead often (kit.sleep(0.05) in the loop) and turn away sooner: when "
                 "something is closer than about 40 cm, or the bumper is pressed.",
                 "经常测量前方的距离（循环里 kit.sleep(0.05)），并且早一点转开：前方不到 40 厘米，或者碰撞开关被按下，就转弯。")
    for later in contacts[1:5]:
        robot.mark(later.x, later.y, "fail", f"At {later.t:.1f} s the robot {later.en}.",
                   f"第 {later.t:.1f} 秒，机器人{later.zh}。")
    return finding


def travelled(run, at_least_cm: float):
    """Passes when the robot moved at least ``at_least_cm`` (it did not just stand or spin)."""
    robot = _robot(run)
    if robot is None:
        return _skip(run)
    far = travelled_cm(run)
    if far >= at_least_cm:
        return run.ok(f"The robot drove {far / 100:.1f} m.", f"机器人一共开了 {far / 100:.1f} 米。")
    x, y, _ = robot.pose
    return _fail(run, x, y,
                 f"The robot drove only {far:.0f} cm in {run.elapsed:.0f} s and stopped at {_xy(x, y)}; "
                 f"it should drive at least {at_least_cm / 100:.1f} m.",
                 f"机器人在 {run.elapsed:.0f} 秒里只开了 {far:.0f} 厘米，停在 {_xy_zh(x, y)}；应该至少开 {at_least_cm / 100:.1f} 米。",
                 "Keep the wheels turning: after turning away from something, drive forwards again.",
                 "让轮子一直转：转开以后，要继续向前开。")


def stopped_at_end(run):
    """Passes when the robot's wheels stood still when the run ended."""
    robot = _robot(run)
    if robot is None:
        return _skip(run)
    last = robot.body.samples[-1]
    if not (last.left or last.right):
        return run.ok(f"The robot stood still at the end, at {_xy(last.x, last.y)}.",
                      f"最后小车停在了 {_xy_zh(last.x, last.y)}。")
    return _fail(run, last.x, last.y,
                 f"The wheels were still turning when the run ended after {last.t:.0f} s, at {_xy(last.x, last.y)}.",
                 f"运行结束（{last.t:.0f} 秒）的时候，轮子还在转，小车在 {_xy_zh(last.x, last.y)}。",
                 "When the robot is done, stop the motors with wheels.stop() and end the loop (break).",
                 "小车完成任务后，用 wheels.stop() 让电机停下，并且结束循环（break）。")


# --- zones ------------------------------------------------------------------------------------------

def _zone(run, zone_id: str):
    zone = run.robot.arena.zone(zone_id)
    if zone is None:
        raise ValueError(f"the arena {run.robot.arena.id} has no goal or checkpoint {zone_id!r}")
    return zone


def _closest(samples, shape, after: float = -1.0):
    """(distance from the zone's middle, sample) of the sample nearest to it after ``after``."""
    cx, cy = shape.centre
    best = (math.inf, None)
    for s in samples:
        if s.t > after:
            d = math.hypot(s.x - cx, s.y - cy)
            if d < best[0]:
                best = (d, s)
    return best


def _entered(samples, shape, after: float = -1.0):
    return next((s for s in samples if s.t > after and shape.contains(s.x, s.y)), None)


def goal_reached(run, zone_id: str = "goal", *, within: float | None = None, stop_inside: bool = False):
    """Passes when the robot's middle got into the goal (within ``within`` seconds); with
    ``stop_inside`` it must also be there, stopped, when the run ends."""
    robot = _robot(run)
    if robot is None:
        return _skip(run)
    zone = _zone(run, zone_id)
    samples = robot.body.samples
    got = _entered(samples, zone.shape)
    cx, cy = zone.shape.centre
    if got is None:
        d, s = _closest(samples, zone.shape)
        return _fail(run, s.x, s.y,
                     f"The robot never reached {zone.name.en} at {_xy(cx, cy)}: the closest it came was {d:.0f} cm "
                     f"from its middle, at {_xy(s.x, s.y)} at {s.t:.1f} s.",
                     f"机器人没有到达{zone.name.zh}（{_xy_zh(cx, cy)}）：最近的时候离它的中心 {d:.0f} 厘米，"
                     f"在第 {s.t:.1f} 秒，位置 {_xy_zh(s.x, s.y)}。",
                     "Watch the run's picture: see where the robot went off the way, and change what it does there.",
                     "看运行图：找到机器人在哪里走偏了，再改这一段的程序。")
    if within is not None and got.t > within:
        return _fail(run, got.x, got.y,
                     f"The robot reached {zone.name.en} after {got.t:.1f} s; it must get there within {within:g} s.",
                     f"机器人用了 {got.t:.1f} 秒才到达{zone.name.zh}；要在 {within:g} 秒内到达。",
                     "Drive faster where the way is clear, and waste fewer turns.",
                     "路上没有障碍的地方开快一点，少走回头路。")
    if stop_inside:
        end = samples[-1]
        if not zone.shape.contains(end.x, end.y):
            return _fail(run, end.x, end.y,
                         f"The robot got into {zone.name.en} at {got.t:.1f} s but ended at {_xy(end.x, end.y)}, outside it.",
                         f"机器人在第 {got.t:.1f} 秒进入了{zone.name.zh}，可是最后停在 {_xy_zh(end.x, end.y)}，在它外面。",
                         "Stop the motors (wheels.stop()) as soon as the robot is in place.",
                         "机器人一到位置就让电机停下（wheels.stop()）。")
    return _ok(run, f"The robot reached {zone.name.en} after {got.t:.1f} s.",
               f"机器人用 {got.t:.1f} 秒到达了{zone.name.zh}。", (got.x, got.y))


def checkpoints_in_order(run, ids: list[str] | None = None, *, then: str | None = None):
    """Passes when the robot passed the arena's checkpoints (or ``ids``) one after the other, and
    then the zone ``then`` (the start again, for a round trip)."""
    robot = _robot(run)
    if robot is None:
        return _skip(run)
    arena = robot.arena
    zones = [arena.zone(i) for i in ids] if ids else list(arena.checkpoints)
    if then:
        zones.append(_zone(run, then))
    samples, after, done = robot.body.samples, -1.0, []
    for number, zone in enumerate(zones, start=1):
        got = _entered(samples, zone.shape, after)
        if got is None:
            return _missed(run, zone, number, done, after)
        done.append((zone, got))
        after = got.t
    last = done[-1][1]
    names_en = ", ".join(z.name.en for z, _ in done)
    names_zh = "、".join(z.name.zh for z, _ in done)
    return _ok(run, f"The robot passed {names_en} in order ({last.t:.1f} s).",
               f"机器人按顺序经过了{names_zh}（{last.t:.1f} 秒）。", (last.x, last.y))


def _missed(run, zone, number: int, done: list, after: float):
    cx, cy = zone.shape.centre
    d, s = _closest(run.robot.body.samples, zone.shape, after)
    if done:
        prev, at = done[-1]
        before_en = f"The robot passed {prev.name.en} at {at.t:.1f} s but then"
        before_zh = f"机器人在第 {at.t:.1f} 秒经过了{prev.name.zh}，可是之后"
    else:
        before_en, before_zh = "The robot", "机器人"
    if s is None:
        x, y, _ = run.robot.pose
        where_en, where_zh = f"it stopped at {_xy(x, y)}", f"它停在了 {_xy_zh(x, y)}"
    else:
        x, y = s.x, s.y
        where_en = f"the closest it came was {d:.0f} cm, at {_xy(x, y)} at {s.t:.1f} s"
        where_zh = f"最近的时候离它 {d:.0f} 厘米，在第 {s.t:.1f} 秒，位置 {_xy_zh(x, y)}"
    return _fail(run, x, y,
                 f"{before_en} never reached {zone.name.en} (number {number}, at {_xy(cx, cy)}): {where_en}.",
                 f"{before_zh}没有到达{zone.name.zh}（第 {number} 个，在 {_xy_zh(cx, cy)}）：{where_zh}。",
                 "Look at the picture: if the robot turned too far or not far enough, change the turning time; "
                 "if a side is too short or too long, change the driving time.",
                 "看运行图：如果转弯转多了或转少了，就改转弯的时间；如果一条边太短或太长，就改直行的时间。")


# --- the track --------------------------------------------------------------------------------------

def _tracker(robot):
    """Where the robot's line sensors look, on average (its middle when it has none)."""
    mounts = robot.spec.lines
    if not mounts:
        return 0.0, 0.0
    return (sum(m.x for m in mounts) / len(mounts), sum(m.y for m in mounts) / len(mounts))


def _along(robot):
    """[(sample, cm from the tape's middle, cm along the track from the start, the way the robot
    faced at the start)] for the run's path."""
    line = Polyline(robot.arena.track.points, robot.arena.track.closed)
    dx, dy = _tracker(robot)
    raw = []
    for s in robot.body.samples:
        px, py = mounted((s.x, s.y, math.radians(s.heading)), dx, dy)
        raw.append((s, *line.project(px, py)))
    first = raw[0][0]
    s0 = raw[0][2]
    ahead = line.point_at(s0 + 1.0)
    here = line.point_at(s0)
    heading = math.radians(first.heading)
    way = 1.0 if (ahead[0] - here[0]) * math.cos(heading) + (ahead[1] - here[1]) * math.sin(heading) >= 0 else -1.0
    out = []
    for s, d, along in raw:
        rel = way * (along - s0)
        out.append((s, d, rel % line.length if line.closed else rel))
    return line, out


def _near_en(robot, x: float, y: float) -> tuple[str, str]:
    """", near the right-hand bend" for the checkpoint nearest to (x, y) within 40 cm."""
    best = min(((math.hypot(x - z.shape.centre[0], y - z.shape.centre[1]), z) for z in robot.arena.checkpoints),
               default=(math.inf, None), key=lambda pair: pair[0])
    if best[1] is None or best[0] > 40:
        return "", ""
    return f", near {best[1].name.en}", f"，在{best[1].name.zh}附近"


def stays_on_line(run, *, max_off_cm: float = 15.0, tolerance_cm: float = 6.0):
    """Passes when the robot never drove more than ``max_off_cm`` with its line sensors more than
    ``tolerance_cm`` from the middle of the tape."""
    robot = _robot(run)
    if robot is None:
        return _skip(run)
    if robot.arena.track is None:
        raise ValueError(f"the arena {robot.arena.id} has no track")
    _, points = _along(robot)
    episodes = []                                 # [where it left the line, cm driven off it, found again]
    for prev, here in zip(points, points[1:]):
        if here[1] > tolerance_cm:
            if not episodes or episodes[-1][2] is not None:
                episodes.append([prev, 0.0, None])
            episodes[-1][1] += math.hypot(here[0].x - prev[0].x, here[0].y - prev[0].y)
        elif episodes and episodes[-1][2] is None:
            episodes[-1][2] = True
    worst = max(episodes, key=lambda e: e[1], default=None)
    if worst is None or worst[1] <= max_off_cm:
        return run.ok(f"The robot stayed on the line (never more than {max_off_cm:g} cm off it).",
                      f"机器人一直沿着黑线走（离开黑线从没超过 {max_off_cm:g} 厘米）。")
    (s, _, along), off, back = worst
    near_en, near_zh = _near_en(robot, s.x, s.y)
    end_en = f"drove {off:.0f} cm before it found it again" if back else f"drove {off:.0f} cm and never found it again"
    end_zh = f"开了 {off:.0f} 厘米才找回来" if back else f"开了 {off:.0f} 厘米，再也没有找回来"
    return _fail(run, s.x, s.y,
                 f"At {along / 100:.2f} m along the track ({_xy(s.x, s.y)}{near_en}, at {s.t:.1f} s) the robot "
                 f"left the line and {end_en}.",
                 f"在赛道 {along / 100:.2f} 米处（{_xy_zh(s.x, s.y)}{near_zh}，第 {s.t:.1f} 秒），机器人离开了黑线，{end_zh}。",
                 "When a side sensor sees the line, turn towards that side at once; slow down in the bends, "
                 "and read the sensors often (kit.sleep(0.01) in the loop).",
                 "哪一边的传感器看到黑线，就马上往那一边转；弯道里开慢一点；经常读传感器（循环里 kit.sleep(0.01)）。")


def lap(run, *, within: float, tolerance_cm: float = 6.0):
    """Passes when the robot went once round the closed track within ``within`` seconds, following
    it (its progress along the tape, measured where its line sensors look; a robot that lost the line
    and found it again more than :data:`REJOIN_CM` further on has cut across, and starts again)."""
    robot = _robot(run)
    if robot is None:
        return _skip(run)
    line, points = _along(robot)
    if not line.closed:
        raise ValueError(f"the track of the arena {robot.arena.id} is not closed: there is no lap")
    progress, best, done, last = 0.0, (0.0, points[0][0]), None, points[0]
    for here in points[1:]:
        if here[1] > tolerance_cm:
            continue                              # off the line: no progress counts
        step = (here[2] - last[2] + line.length / 2) % line.length - line.length / 2
        last = here
        if abs(step) > REJOIN_CM:                 # back on the line somewhere else: the lap starts again
            progress = 0.0
            continue
        progress += step
        if abs(progress) > best[0]:
            best = (abs(progress), here[0])
        if abs(progress) >= line.length - 2 * tolerance_cm:
            done = here[0]
            break
    if done is None:
        far, s = best
        near_en, near_zh = _near_en(robot, s.x, s.y)
        return _fail(run, s.x, s.y,
                     f"The robot followed {far / 100:.2f} m of the {line.length / 100:.2f} m lap "
                     f"({far / line.length:.0%}); it got no further than {_xy(s.x, s.y)}{near_en}, at {s.t:.1f} s.",
                     f"一圈长 {line.length / 100:.2f} 米，机器人只沿线走了 {far / 100:.2f} 米（{far / line.length:.0%}）；"
                     f"最远到了 {_xy_zh(s.x, s.y)}{near_zh}，在第 {s.t:.1f} 秒。",
                     "Look at the picture where the path ends: make the robot turn harder there, or drive slower.",
                     "看运行图上路线在哪里断了：让机器人在那里转得更急一些，或者开得慢一些。")
    if done.t > within:
        return _fail(run, done.x, done.y,
                     f"The lap took {done.t:.1f} s; it must take at most {within:g} s.",
                     f"跑完一圈用了 {done.t:.1f} 秒；最多只能用 {within:g} 秒。",
                     "Drive faster on the straight parts of the track and turn without stopping.",
                     "直道上开快一点，转弯时不要停下来。")
    return _ok(run, f"The robot drove one lap ({line.length / 100:.2f} m) in {done.t:.1f} s.",
               f"机器人用 {done.t:.1f} 秒跑完了一圈（{line.length / 100:.2f} 米）。", (done.x, done.y))
