"""The gpiozero-like conveniences: pause(), when_held/hold_time, PWMLED.pulse(), is_active,
parts that find the kit of the enclosing ``with``."""

from __future__ import annotations

import threading

import pytest

import makerkit
from makerkit.errors import UsageError


def test_parts_find_the_kit_of_the_with_block():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        led = makerkit.LED("D13")
        led.on()
        kit.sleep(0.01)
        assert led.kit is kit and led.is_active and kit.sim.world.pin_level("D13") == 1
        with makerkit.connect("sim://esp32", clock="virtual") as inner:
            assert makerkit.LED("GPIO2").kit is inner
        assert makerkit.Button("D2").kit is kit    # back to the outer kit
    with pytest.raises(UsageError):
        makerkit.LED("D13")                          # no kit entered any more


def test_when_held_runs_after_hold_time():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        button = kit.button("D2", hold_time=0.5)
        held = []
        button.when_held = lambda: held.append(round(kit.time(), 2))
        kit.sim.world.press("D2")
        start = kit.time()
        kit.sleep(0.3)
        assert held == [] and not button.is_held
        kit.sleep(0.4)
        assert len(held) == 1 and 0.45 <= held[0] - start <= 0.55 and button.is_held
        kit.sim.world.release("D2")
        kit.sleep(0.05)
        assert not button.is_held
        kit.sim.world.press("D2")
        kit.sleep(0.2)
        kit.sim.world.release("D2")      # a short press is not a hold
        kit.sleep(1.0)
        assert len(held) == 1


def test_pwmled_pulse_fades_in_and_out():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        led = kit.pwm_led("D9")
        led.pulse(fade_in_time=0.2, fade_out_time=0.2, n=1, background=False)
        duties = [e.value for e in kit.sim.world.trace if e.pin == "D9" and e.kind == "pwm"]
        peak = duties.index(max(duties))
        assert max(duties) == pytest.approx(1.0) and duties[-1] == 0.0
        assert duties[:peak + 1] == sorted(duties[:peak + 1]) and len(duties) >= 15
        led.pulse(0.1, 0.1)                          # in the background, for ever
        kit.sleep(0.35)
        assert 0 < len([e for e in kit.sim.world.trace if e.pin == "D9"]) - len(duties)
        led.off()
        with pytest.raises(UsageError):
            led.pulse(fade_in_time=0)


def test_pause_waits_until_the_kit_closes():
    with makerkit.connect("sim://uno", clock="real") as kit:
        timer = threading.Timer(0.3, kit.close)
        timer.start()
        makerkit.pause()
        timer.join(timeout=5)
        assert kit.closed
    with pytest.raises(UsageError):
        makerkit.pause()


def test_a_plain_script_on_sim_keeps_wall_clock_time():
    """connect("sim://...") without clock= is what a student's own script does: time.sleep works,
    the board goes on by itself, and kit.clock says which clock it is."""
    import time
    with makerkit.connect("sim://uno") as kit:
        assert not kit.clock.virtual and not kit.sim.clock.virtual
        led = makerkit.LED("D13")
        led.on()
        deadline = time.monotonic() + 5.0      # a bound only: a loaded machine may be slow
        while kit.sim.world.pin_level("D13") != 1 and time.monotonic() < deadline:
            time.sleep(0.01)                    # the student's own time.sleep: the kit keeps going
        assert kit.sim.world.pin_level("D13") == 1
        start = kit.time()
        time.sleep(0.05)
        assert kit.time() - start >= 0.05
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        assert kit.clock.virtual
        start = kit.time()
        time.sleep(0.05)
        assert kit.time() == start             # simulated time moves only with kit.sleep
        kit.sleep(0.25)
        assert kit.time() - start == pytest.approx(0.25)
