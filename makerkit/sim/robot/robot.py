"""Put a simulated robot into a virtual kit's world: motors, sensors and bumper wired to its pins.

:func:`attach` builds a :class:`SimRobot` from a lesson's :class:`~makerkit.catalog.robot_spec.RobotSpec`
and the lesson's pins for the board (role -> printed pin name), and hooks it into the world: the
motor driver's pins move the wheels, each HC-SR04 measures from the arena (``world.sonar_from``),
each line sensor sees the floor under it (``line_sensor.reads_from``), the bumper and the encoders
drive their input pins. The student's program sees a kit wired exactly as the lesson's wiring table
says, and drives it with ``kit.motor_driver(...)``, ``kit.distance_sensor(...)``,
``kit.line_sensor(...)``, ``kit.button(...)`` as it would drive a real robot kit.
"""

from __future__ import annotations

import math
from typing import Mapping

from ...catalog.arenas import Arena, parse_arena
from ...catalog.robot_spec import RobotSpec
from .body import RobotBody
from .sensors import Bumper, Encoder, LineLook, Sonar, Track


class SimRobot:
    """A robot in a world (made by :func:`attach`): ``body`` (pose, path, contacts), ``sonars``,
    ``lines`` (name, sensor), ``marks`` (where a checker found something, for the picture)."""

    def __init__(self, world, spec: RobotSpec, arena: Arena, pins: Mapping[str, str]):
        self.world, self.spec, self.arena = world, spec, arena
        self.pins = dict(pins)
        wheels = world.part("motor_driver", tuple(self.pins[r] for r in spec.left),
                            tuple(self.pins[r] for r in spec.right))
        self.body = RobotBody(world, arena, radius=spec.radius, wheel_base=spec.wheel_base,
                              top_speed=spec.top_speed, wheels=wheels)
        self.track = Track(arena)
        self.sonars = [Sonar(self.body, mount, i) for i, mount in enumerate(spec.sonars)]
        self.lines: list[tuple[str, object, LineLook]] = []
        self.marks: list[dict] = []
        self._hooked: list[tuple[str, str]] = []
        self._hook()

    def _hook(self) -> None:
        world, pins = self.world, self.pins
        world.before_outputs(self._moved)
        for sonar in self.sonars:
            world.sonar_from(pins[sonar.mount.trigger], sonar)
            self._hooked.append(("sonar", pins[sonar.mount.trigger]))
        for mount in self.spec.lines:
            sensor = world.part("line_sensor", pins[mount.pin])
            look = LineLook(self.body, self.track, mount, threshold=None if sensor.analog else sensor.threshold)
            sensor.reads_from(look)
            if not sensor.analog:
                world.drive_input(pins[mount.pin], look)     # the DO straight from the look (read every ms)
            self.lines.append((mount.pin, sensor, look))
            self._hooked.append(("input", pins[mount.pin]))
        if self.spec.bumper:
            world.drive_input(pins[self.spec.bumper], Bumper(self.body))
            self._hooked.append(("input", pins[self.spec.bumper]))
        for enc in self.spec.encoders:
            world.drive_input(pins[enc.pin], Encoder(self.body, enc.wheel, enc.slots, self.spec.wheel_diameter))
            self._hooked.append(("input", pins[enc.pin]))

    def _moved(self) -> None:
        self.body.outputs_changing()

    def detach(self) -> None:
        """Take the robot out of the world: its pins are plain pins again."""
        self.body.freeze()
        self.world.before_outputs(self._moved, remove=True)
        for kind, pin in self._hooked:
            if kind == "sonar":
                self.world.sonar_from(pin, None)
            else:
                self.world.drive_input(pin, None)
        self._hooked.clear()
        if self.world.robot is self:
            self.world.robot = None

    # --- what it is doing ----------------------------------------------------------------------------
    @property
    def pose(self) -> tuple[float, float, float]:
        """(x cm, y cm, heading degrees) now."""
        x, y, heading = self.body.update()
        return x, y, math.degrees(heading)

    def snapshot(self) -> dict:
        """What a live view shows: time, pose, wheel speeds, sensor readings, contact."""
        x, y, heading = self.pose
        left, right = self.body.wheel_speeds()
        return {"t": self.body.seconds(), "x": x, "y": y, "heading": heading, "left": left, "right": right,
                "sonar": [s.last_cm for s in self.sonars],
                "line": {role: sensor.digital() for role, sensor, _ in self.lines},
                "touching": self.body.touching}

    def mark(self, x: float, y: float, status: str, en: str, zh: str) -> None:
        """A checker's note of a place in the arena (drawn on the run's picture)."""
        self.marks.append({"x": round(float(x), 2), "y": round(float(y), 2), "status": status, "en": en, "zh": zh})

    def hits(self) -> list[tuple[float, int, float, float, float]]:
        """Every distance measurement: (t, sensor, cm (0: no echo), hit x, hit y), in time order."""
        return sorted((h for s in self.sonars for h in s.hits), key=lambda h: (h[0], h[1]))


def attach(world, spec: RobotSpec, pins: Mapping[str, str], *, arena: Arena | None = None) -> SimRobot:
    """Put the robot of ``spec`` into ``world`` at its arena's start (replacing one that is there);
    ``pins`` maps each role of the spec to a pin of the world's board. Returns the :class:`SimRobot`
    (also ``world.robot``)."""
    if world.robot is not None:
        world.robot.detach()
    missing = [role for role in spec.roles() if role not in pins]
    if missing:
        from ...errors import UsageError
        raise UsageError(en=f"The robot needs a pin for {missing[0]!r}; pins has {', '.join(pins) or '-'}.",
                         zh=f"机器人需要 {missing[0]!r} 的引脚；pins 里只有 {'、'.join(pins) or '-'}。")
    robot = SimRobot(world, spec, arena or parse_arena(spec.arena_path), pins)
    world.robot = robot
    return robot
