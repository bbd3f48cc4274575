"""The robot world of the virtual kit: a two-wheeled robot driving in an arena, moved by the pins.

One job per module:

- :mod:`.geometry`: distances, ray casts, a grid of nearby segments, a polyline's length
- :mod:`.kinematics`: the exact arc a differential drive follows at constant wheel speeds
- :mod:`.body`: the robot's pose on the kit's clock, its wheels, contacts with walls
- :mod:`.sensors`: HC-SR04s, line sensors, the bumper and wheel encoders, as pin sources
- :mod:`.robot`: :func:`attach` puts a lesson's robot into a world, wired to the lesson's pins
- :mod:`.record`: the run record (path, events, sensor hits, marks, findings) as versioned JSON
- :mod:`.picture`: the record drawn as a PNG (arena, track, path, hits, faults)
- :mod:`.terminal_map`: a small top-down map for the terminal's live view

Arenas are data files (:mod:`makerkit.catalog.arenas`, ``lessons/arenas/``); the lesson's
``[robot]`` table (:mod:`makerkit.catalog.robot_spec`) says which arena and where the parts sit::

    kit = VirtualKit("uno")
    robot = attach(kit.world, lesson.robot, lesson.pins_for("uno"))
    ...                                   # the student's program drives kit.motor_driver(...)
    robot.pose                            # (x cm, y cm, heading degrees)
"""

from .robot import SimRobot, attach

__all__ = ["SimRobot", "attach"]
