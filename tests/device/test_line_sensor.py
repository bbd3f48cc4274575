"""The line sensor part: host class (makerkit.device.line) over the simulated sensor (makerkit.sim.parts.line_sensor)."""

from __future__ import annotations

import pytest

import makerkit
from makerkit.errors import UsageError


@pytest.fixture
def kit():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        yield kit


def test_digital_line_sensor_reads_the_floor_and_calls_back(kit):
    floor = kit.sim.world.part("line_sensor", "D3")
    line = kit.line_sensor("D3")
    seen = []
    line.when_line = lambda: seen.append(("line", round(kit.time(), 2)))
    line.when_no_line = lambda: seen.append(("floor", round(kit.time(), 2)))
    kit.sleep(0.05)
    assert line.on_line is False and line.is_active is False and line.value == 0
    floor.darkness = 0.9                    # black tape under the sensor
    kit.sleep(0.05)
    assert line.on_line is True and line.value == 1
    floor.darkness = 0.1
    kit.sleep(0.05)
    assert [what for what, _ in seen] == ["line", "floor"]


def test_a_robot_world_drives_the_sensor_through_a_callback(kit):
    floor = kit.sim.world.part("line_sensor", "D3")
    floor.reads_from(lambda: 1.0 if 1.0 <= kit.time() < 2.0 else 0.0)   # a line crossed from 1 s to 2 s
    line = kit.line_sensor("D3")
    assert line.wait_for_line(timeout=3) and 0.99 <= kit.time() <= 1.05
    assert line.wait_for_no_line(timeout=3) and 1.99 <= kit.time() <= 2.05


def test_active_low_module(kit):
    floor = kit.sim.world.part("line_sensor", "D3")
    line = kit.line_sensor("D3", active_high=False)
    floor.darkness = 0.0
    kit.sleep(0.05)
    assert line.on_line is True


def test_analog_line_sensor_reads_darkness(kit):
    floor = kit.sim.world.part("line_sensor", "A2", analog=True)
    line = kit.analog_line_sensor("A2", threshold=0.6)
    floor.darkness = 0.25
    kit.sleep(0.05)
    assert line.value == pytest.approx(0.25, abs=0.01) and line.is_active is False
    floor.darkness = 0.75
    kit.sleep(0.05)
    assert line.value == pytest.approx(0.75, abs=0.01) and line.on_line is True
    with pytest.raises(UsageError):
        kit.analog_line_sensor("A3", threshold=2)


def test_reads_are_kit_events(kit):
    from makerkit.device.events import PartOpened, PartRead
    heard = []
    kit.watch(heard.append)
    kit.sim.world.part("line_sensor", "D3").darkness = 1.0
    line = makerkit.LineSensor("D3")          # inside `with connect(...)`: no kit= needed
    kit.sleep(0.05)
    assert line.on_line
    assert [(type(e), e.kind) for e in heard if isinstance(e, PartOpened)] == [(PartOpened, "line_sensor")]
    assert any(isinstance(e, PartRead) and e.name == "on_line" and e.value is True for e in heard)
