"""DistanceSensor (HC-SR04) on the virtual kit: a new sensor never reports a distance measured
before it was set up (a wiring check's, the last program's)."""

from __future__ import annotations

import makerkit


def test_a_new_sensor_waits_for_its_own_first_measurement():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        world = kit.sim.world
        world.set_distance_cm(100)
        first = kit.distance_sensor("D7", "D8")
        assert first.distance_cm == 100
        first.close()
        world.set_distance_cm(30)              # the obstacle moves before the next sensor is made
        second = kit.distance_sensor("D7", "D8")
        assert second.distance_cm == 30
        world.set_distance_cm(500)             # out of range: no echo
        kit.sleep(0.2)
        assert second.distance_cm == float("inf")
