"""Helpers for the robot world's tests: an arena written on the spot, a robot spec, a kit with both."""

from __future__ import annotations

import contextlib
import textwrap

from makerkit.catalog.arenas import parse_arena
from makerkit.catalog.robot_spec import LineMount, RobotSpec, SonarMount
from makerkit.sim import VirtualKit
from makerkit.sim.robot import attach

UNO_PINS = {"lf": "D7", "lb": "D8", "ls": "D5", "rf": "D12", "rb": "D11", "rs": "D6", "bump": "A0",
            "trig": "D9", "echo": "D10", "ll": "D2", "lc": "D3", "lr": "D4", "enc": "A1"}
LEFT, RIGHT = ("D7", "D8", "D5"), ("D12", "D11", "D6")


def write_arena(folder, text: str, name: str = "test-room"):
    path = folder / f"{name}.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def room(folder, *, size=(300, 200), start=(100, 100, 0), extra: str = "", fence: bool = True, name="test-room"):
    """An arena file: a room of ``size`` with the robot at ``start``, plus ``extra`` TOML."""
    text = (f'schema = 1\nid = "{name}"\nname = {{ zh-CN = "测试场地", en = "Test room" }}\n'
            f"size_cm = [{size[0]}, {size[1]}]\nfence = {'true' if fence else 'false'}\n"
            f"[start]\nx_cm = {start[0]}\ny_cm = {start[1]}\nheading_deg = {start[2]}\n"
            + textwrap.dedent(extra))
    return write_arena(folder, text, name)


def spec(path, **changes) -> RobotSpec:
    base = dict(arena=path.stem, arena_path=path, wheel_base=13.0, wheel_diameter=6.5, top_speed=40.0, radius=9.0,
                left=("lf", "lb", "ls"), right=("rf", "rb", "rs"), bumper="bump",
                sonars=(SonarMount("trig", "echo", x=8.0, cone=0.0),),
                lines=(LineMount("ll", 7.0, 1.5), LineMount("lr", 7.0, -1.5)))
    base.update(changes)
    return RobotSpec(**base)


@contextlib.contextmanager
def robot_kit(path, board: str = "uno", **changes):
    """A virtual kit (virtual clock) with the robot of ``spec(path, **changes)`` in it: (kit, robot)."""
    import makerkit
    with makerkit.connect(f"sim://{board}", clock="virtual") as kit:
        robot = attach(kit.sim.world, spec(path, **changes), UNO_PINS, arena=parse_arena(path))
        yield kit, robot
