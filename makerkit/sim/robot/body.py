"""The simulated robot's body: where it is, how its wheels move it, and what it bumps into.

:class:`RobotBody` reads its wheel speeds from the simulated motor driver (the duty of the pins the
firmware drives) and moves on the kit's clock, lazily: whenever a sensor is read, before any output
changes (so a new speed applies from that very moment) and when asked. Time is cut on a fixed grid
of :data:`STEP_US` (plus the moments something happened), each piece an exact arc
(:func:`~makerkit.sim.robot.kinematics.arc`), so the path does not depend on when the robot is
asked and two runs of one program give the same path. The body is a circle of ``radius`` cm; it
stops where it touches a wall or obstacle (a move that would go into one keeps only its turn on the
spot), and the contact is an event with its place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .geometry import SegmentGrid, closest_on_segment
from .kinematics import Pose, arc

STEP_US = 10_000          # microseconds: the longest piece of motion between two looks for walls
SAMPLE_US = 50_000        # microseconds between two points of the recorded path
CONTACT_CM = 0.1          # the body touches a wall when it is this close
WALL_REACH_CM = 25.0      # how far beyond the body's edge the wall grid looks
MAX_SAMPLES = 40_000      # path points kept (half an hour at 20 a second)
MAX_EVENTS = 5_000


@dataclass(frozen=True)
class Sample:
    t: float              # seconds since the robot was put in the arena
    x: float
    y: float
    heading: float        # degrees
    left: float           # wheel speeds, cm/s
    right: float


@dataclass(frozen=True)
class RobotEvent:
    t: float
    kind: str             # "contact"
    x: float              # where it happened (the point of contact)
    y: float
    en: str
    zh: str


class RobotBody:
    """The robot's pose on the kit's clock (see the module docstring)."""

    def __init__(self, world, arena, *, radius: float, wheel_base: float, top_speed: float, wheels):
        self.world = world
        self.arena = arena
        self.radius = radius
        self.wheel_base = wheel_base
        self.top_speed = top_speed
        self.wheels = wheels                      # the motor driver sim: wheel_speeds() -> (-1..1, -1..1)
        x, y, heading = arena.start
        self.pose: Pose = (x, y, math.radians(heading))
        self.t0_us = self._us(world.now())
        self.t_us = self.t0_us
        self.travel = [0.0, 0.0]                  # cm each wheel has turned through (for encoders)
        self.touching = False
        self.frozen = False
        self.samples: list[Sample] = []
        self.events: list[RobotEvent] = []
        self._grid = SegmentGrid(arena.segments(), reach=radius + WALL_REACH_CM)
        self.segments = self._grid.segments       # the fence, walls and box sides, as the sonar sees them
        self._posts = arena.posts()
        self._speeds: tuple[float, float] | None = None
        self.epoch = 0                            # counts the moments the wheel speeds may have changed
        self._free = 0.0                          # cm the body may move before it looks for walls again
        self._moved = 0.0
        self._last_sample = -SAMPLE_US
        self._check_start()
        self._sample(self.t0_us, 0.0, 0.0)

    @staticmethod
    def _us(seconds: float) -> int:
        return int(seconds * 1e6 + 0.5)           # the kit's times are whole microseconds, never negative

    def seconds(self, t_us: int | None = None) -> float:
        """Seconds since the robot was put in the arena."""
        return ((self.t_us if t_us is None else t_us) - self.t0_us) / 1e6

    # --- where the walls are -------------------------------------------------------------------------
    def clearance(self, x: float, y: float) -> float:
        """cm between the body's edge and the nearest wall or obstacle (negative: inside one)."""
        best = self._grid.nearest(x, y)[0]
        for post in self._posts:
            best = min(best, math.hypot(x - post.x, y - post.y) - post.r)
        return best - self.radius

    def contact_point(self, x: float, y: float) -> tuple[float, float, str, str]:
        """The nearest point of the nearest wall or obstacle, and its name (en, zh)."""
        _, index = self._grid.nearest(x, y)
        best = (math.inf, x, y, "a wall", "墙")
        if index >= 0:
            d, cx, cy = closest_on_segment(x, y, self._grid.segments[index])
            best = (d, cx, cy, *self._segment_name(index))
        for obstacle in self.arena.obstacles:
            s = obstacle.shape
            if s.kind == "circle":
                d = math.hypot(x - s.x, y - s.y)
                if d - s.r < best[0] and d > 0:
                    best = (d - s.r, s.x + (x - s.x) * s.r / d, s.y + (y - s.y) * s.r / d,
                            obstacle.name.en, obstacle.name.zh)
        return best[1], best[2], best[3], best[4]

    def _segment_name(self, index: int) -> tuple[str, str]:
        walls = len(self.arena.walls)
        fence = 4 if self.arena.fence else 0
        if index < walls:
            name = self.arena.wall_names[index] if index < len(self.arena.wall_names) else None
            return (name.en, name.zh) if name else ("a wall", "墙")
        if index < walls + fence:
            return ("the arena's fence", "场地的围栏")
        edge = index - walls - fence
        boxes = [o for o in self.arena.obstacles if o.shape.kind == "rect"]
        box = boxes[edge // 4] if edge // 4 < len(boxes) else None
        return (box.name.en, box.name.zh) if box else ("an obstacle", "障碍物")

    def _check_start(self) -> None:
        from ...errors import CatalogError
        x, y, _ = self.pose
        if self.clearance(x, y) < 0:
            raise CatalogError(
                en=f"{self.arena.path}: the start ({x:g}, {y:g}) puts the robot (radius {self.radius:g} cm) "
                   "into a wall or an obstacle.",
                zh=f"{self.arena.path}：起点 ({x:g}, {y:g}) 让机器人（半径 {self.radius:g} 厘米）压在墙或障碍物上了。",
                hint_en="Move [start] at least the robot's radius away from every wall and obstacle.",
                hint_zh="把 [start] 移到离每面墙和每个障碍物至少一个机器人半径远的地方。")

    # --- moving -------------------------------------------------------------------------------------
    def wheel_speeds(self) -> tuple[float, float]:
        """(left, right) in cm/s from what the firmware drives now (read again after
        :meth:`outputs_changing`)."""
        if self._speeds is None:
            left, right = self.wheels.wheel_speeds()
            self._speeds = (left * self.top_speed, right * self.top_speed)
        return self._speeds

    def outputs_changing(self) -> None:
        """The firmware is about to change an output: move to now at the old speeds, then read the
        wheel speeds again when next needed (``epoch`` counts these moments)."""
        self.update()
        self._speeds = None
        self.epoch += 1

    def now_us(self) -> int:
        """The kit's time now, in microseconds."""
        return int(self.world.now() * 1e6 + 0.5)   # as _us, without the call: sensors ask every millisecond

    def quiet_for(self, cm: float, reach: float = 0.0) -> int:
        """Microseconds from now (the body's time) during which no point ``reach`` cm from the axle's
        middle can move ``cm``, at the present wheel speeds (until the next ``epoch``)."""
        vl, vr = self.wheel_speeds()
        bound = max(abs(vl), abs(vr)) + abs(vr - vl) / self.wheel_base * reach
        if bound == 0:
            return 1 << 62
        return int(cm / bound * 1e6)

    def contact_free_until(self) -> int:
        """Until when (microseconds) the body cannot touch anything at the present speeds."""
        if self.touching:
            return self.t_us
        return self.t_us + self.quiet_for(max(0.0, self._free - self._moved))

    def update(self, now: float | None = None) -> Pose:
        """Move the robot to the kit's time ``now`` (default: the world's time); returns the pose."""
        with self.world.lock:
            target = self._us(self.world.now() if now is None else now)
            if self.frozen or target <= self.t_us:
                return self.pose
            vl, vr = self.wheel_speeds()
            while self.t_us < target:
                end = min(target, (self.t_us // STEP_US + 1) * STEP_US)
                dt, self.t_us = (end - self.t_us) / 1e6, end
                self._advance(dt, vl, vr)
                if end - self._last_sample >= SAMPLE_US and end % SAMPLE_US == 0:
                    self._sample(end, vl, vr)
            return self.pose

    def freeze(self) -> None:
        """Stop moving (the run is over): the path ends where the robot is now."""
        self.update()
        with self.world.lock:
            if not self.frozen:
                self.frozen = True
                self._sample(self.t_us, *self.wheel_speeds(), force=True)

    def _advance(self, dt: float, vl: float, vr: float) -> None:
        if vl == 0 and vr == 0:
            return
        old = self.pose
        new = arc(old, vl, vr, self.wheel_base, dt)
        step = math.hypot(new[0] - old[0], new[1] - old[1])
        if self._moved + step < self._free:
            self._commit(new, step, 1.0, dt, vl, vr)
            return
        clear = self.clearance(new[0], new[1])
        if clear >= 0:
            self._commit(new, step, 1.0, dt, vl, vr)
            self._free, self._moved = clear, 0.0
            self._touch(clear < CONTACT_CM)
            return
        lo, hi = 0.0, 1.0                          # the part of the move that stays out of the wall
        for _ in range(0 if self.touching else 16):     # already touching: pushing on, it stays
            mid = (lo + hi) / 2
            probe = arc(old, vl, vr, self.wheel_base, dt * mid)
            if self.clearance(probe[0], probe[1]) >= 0:
                lo = mid
            else:
                hi = mid
        stop = arc(old, vl, vr, self.wheel_base, dt * lo)
        turned = (vr - vl) / self.wheel_base * dt * (1.0 - lo)   # the rest of the move: its turn only
        self._commit((stop[0], stop[1], stop[2] + turned), math.hypot(stop[0] - old[0], stop[1] - old[1]),
                     lo, dt, vl, vr)
        self.travel[0] += abs(turned) * self.wheel_base / 2
        self.travel[1] += abs(turned) * self.wheel_base / 2
        self._free, self._moved = 0.0, 0.0
        self._touch(True)

    def _commit(self, pose: Pose, step: float, fraction: float, dt: float, vl: float, vr: float) -> None:
        self.pose = pose
        self._moved += step
        self.travel[0] += abs(vl) * dt * fraction
        self.travel[1] += abs(vr) * dt * fraction

    def _touch(self, touching: bool) -> None:
        if touching and not self.touching and len(self.events) < MAX_EVENTS:
            x, y, en, zh = self.contact_point(self.pose[0], self.pose[1])
            t = self.seconds()
            self.events.append(RobotEvent(t, "contact", x, y, f"touched {en} at ({x:.0f}, {y:.0f}) cm",
                                          f"碰到了{zh}，位置 ({x:.0f}, {y:.0f}) 厘米"))
        self.touching = touching

    def _sample(self, t_us: int, vl: float, vr: float, *, force: bool = False) -> None:
        if len(self.samples) >= MAX_SAMPLES and not force:
            return
        self._last_sample = t_us
        x, y, heading = self.pose
        self.samples.append(Sample(self.seconds(t_us), x, y, math.degrees(heading), vl, vr))
