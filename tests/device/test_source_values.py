"""gpiozero-style chaining on the virtual kit (the real firmware in the simulator): ``values`` of a part,
``source`` of an output, stopped by None, a new source, the end of the source, or closing."""

from __future__ import annotations

import pytest

import makerkit
from makerkit.errors import UsageError


def _levels(kit, pin: str) -> list:
    return [e.value for e in kit.sim.world.trace if e.pin == pin]


def test_an_led_follows_a_button():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        button, led = kit.button("D2"), kit.led("D13")
        led.source = button
        assert led.source is button
        kit.sleep(0.1)
        assert kit.sim.world.pin_level("D13") == 0
        kit.sim.world.press("D2")
        kit.sleep(0.1)
        assert led.is_lit and kit.sim.world.pin_level("D13") == 1
        kit.sim.world.release("D2")
        kit.sleep(0.1)
        assert not led.is_lit and kit.sim.world.pin_level("D13") == 0
        led.source = None                              # follows nothing any more
        kit.sim.world.press("D2")
        kit.sleep(0.1)
        assert led.source is None and not led.is_lit


def test_a_pwm_led_follows_a_knob():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        knob, led = kit.potentiometer("A0"), kit.pwm_led("D9")
        led.source = knob.values
        for fraction in (0.25, 0.75, 0.0):
            kit.sim.world.set_analog("A0", fraction)
            kit.sleep(0.2)
            assert led.value == pytest.approx(fraction, abs=0.01)


def test_a_list_source_ends_after_its_values_and_keeps_its_pace():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        led = kit.led("D13")
        led.source_delay = 0.1
        start = kit.time()
        led.source = [1, 0, 1]
        kit.sleep(0.5)
        assert _levels(kit, "D13")[-3:] == [1, 0, 1] and led.is_lit
        assert led.source is None                      # ended by itself
        steps = [e.t for e in kit.sim.world.trace if e.pin == "D13"][-3:]
        assert [round(t - start, 2) for t in steps] == [0.0, 0.1, 0.2]


def test_a_new_source_replaces_the_old_and_close_stops_it():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        led = kit.led("D13")
        led.source = iter(lambda: 1, None)             # for ever on
        kit.sleep(0.05)
        led.source = iter(lambda: 0, None)             # for ever off
        kit.sleep(0.05)
        assert not led.is_lit
        led.close()
        count = len(_levels(kit, "D13"))
        kit.sleep(0.2)
        assert len(_levels(kit, "D13")) == count       # nothing more after close
        assert led.source is None


def test_a_bad_value_from_a_source_is_said_not_lost():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        led = kit.pwm_led("D9")
        led.source = [0.5, 7]                          # the second is out of range
        with pytest.raises(UsageError):
            kit.sleep(0.1)                             # raised on the program's next call to the kit
        assert led.source is None and led.value == pytest.approx(0.5)
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        with pytest.raises(UsageError):
            kit.led("D13").source = 42                 # not a part, not a list
        with pytest.raises(UsageError):
            kit.led("D12").source_delay = -1


def test_values_reads_afresh_and_a_motor_driver_follows_a_list():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        button = kit.button("D2")
        values = button.values
        assert next(values) == 0
        kit.sim.world.press("D2")
        kit.sleep(0.05)
        assert next(values) == 1
        wheels = kit.motor_driver(left=("D7", "D8", "D5"), right=("D12", "D11", "D6"))
        wheels.source_delay = 0.5
        wheels.source = [(0.5, 0.5), (-0.5, 0.5)]
        assert wheels.value == (0.5, 0.5)
        kit.sleep(0.6)
        assert wheels.value == (-0.5, 0.5)


def test_a_source_on_the_real_clock():
    """A plain script's kit (sim:// on the real clock, a reader thread): the source runs on its timers."""
    import time
    with makerkit.connect("sim://uno") as kit:
        button, led = kit.button("D2"), kit.led("D13")
        led.source = button
        kit.sim.world.press("D2")
        deadline = time.monotonic() + 10
        while not led.is_lit and time.monotonic() < deadline:
            time.sleep(0.02)
        assert led.is_lit
    assert led.source is None                          # the kit closed: the source stopped with it


def test_a_source_with_no_delay_still_lets_time_move():
    """source_delay = 0 takes a value every millisecond: on the virtual clock a step at the very instant
    of the last one would run for ever and simulated time would never move on (kit.sleep never returned)."""
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        led, taken = kit.led("D13"), []
        led.source_delay = 0
        led.source = (taken.append(kit.time()) or len(taken) % 2 for _ in iter(int, 1))
        kit.sleep(0.05)
        led.source = None
        assert 45 <= len(taken) <= 52 and len(set(taken)) == len(taken)   # one a millisecond, each at its own time


def test_a_source_that_fails_is_said_and_stops():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        led = kit.led("D13")
        led.source = (1 // x for x in (1, 0))            # the second value cannot be made
        with pytest.raises(ZeroDivisionError):
            kit.sleep(0.1)
        assert led.source is None and led.is_lit


def test_source_none_waits_for_a_step_under_way():
    """On a real clock the steps run on the kit's reader thread: once ``source = None`` has returned, no
    value of the old source is set any more (here the step is held inside the source until after it)."""
    import threading
    entered, go = threading.Event(), threading.Event()

    def slow():
        yield 0                                        # the first value, taken at once
        entered.set()
        go.wait(5)
        yield 1                                        # taken while the program stops the source

    with makerkit.connect("sim://uno") as kit:
        led = kit.led("D13")
        led.source = slow()
        assert entered.wait(5)                         # the reader thread is inside the second step
        stopper = threading.Thread(target=lambda: (setattr(led, "source", None), led.off()))
        stopper.start()
        stopper.join(0.2)                              # the stopper's turn (it waits there for the step)
        go.set()
        stopper.join(5)
        kit.sleep(0.1)                                 # (time for a step that went on regardless to show)
        assert not stopper.is_alive() and led.source is None and not led.is_lit
