"""time.sleep on a lesson script's thread waits on the virtual kit's clock (makerkit.lessons_runner.script_time):
a CircuitPython driver's waits pass in simulated time, within the check's budget; other threads keep the
computer's own time.sleep."""

from __future__ import annotations

import threading

import pytest

from makerkit.lessons_runner import check_lesson, open_kit
from makerkit.lessons_runner.script_time import route_sleep, routed, unroute_sleep


def test_time_sleep_in_a_script_moves_the_virtual_clock(write_script):
    script = write_script("""
        import time

        def main(kit):
            start = kit.time()
            time.sleep(1.5)
            print("slept", round(kit.time() - start, 3))
    """)
    report = check_lesson("01-blink", sim=True, board="uno", script=script)
    assert report.crash is None
    assert report.run.printed == ["slept 1.5"]
    assert report.run.ended == "finished"


def test_the_budget_ends_a_loop_that_waits_with_time_sleep(write_script):
    script = write_script("""
        import time

        def main(kit):
            led = kit.led(kit.pins.led)
            while True:
                led.toggle()
                time.sleep(0.5)
    """)
    report = check_lesson("01-blink", sim=True, board="uno", script=script, seconds=3)
    assert report.crash is None
    assert report.run.ended == "budget"
    assert report.run.elapsed == pytest.approx(3.0, abs=0.01)
    assert len(report.run.output_levels(report.run.pin("led"))) >= 6


def test_other_threads_keep_the_computers_time_sleep():
    seen = []
    token = route_sleep(seen.append)
    try:
        import time
        time.sleep(0.25)
        assert seen == [0.25] and routed()
        other = threading.Thread(target=lambda: (time.sleep(0.001), seen.append(routed())))
        other.start()
        other.join(5)
        assert seen == [0.25, False]
    finally:
        unroute_sleep(token)
    assert not routed()


def test_the_adafruit_driver_waits_on_the_kit_clock_in_a_lesson(write_script):
    """adafruit_ahtx0 polls the busy AHT20 with time.sleep(0.01): in simulated time a measurement
    (80 ms busy) takes a few polls, not the dozens a standing clock costs."""
    pytest.importorskip("adafruit_ahtx0")
    script = write_script("""
        import adafruit_ahtx0

        def main(kit):
            sensor = adafruit_ahtx0.AHTx0(kit.i2c())
            for _ in range(3):
                print(f"{sensor.temperature:.1f} °C")
                kit.sleep(1)
    """)
    kit = open_kit(sim=True, board="esp32", clock="virtual")
    try:
        aht = kit.sim.world.i2c_devices[0x38]
        reads = []
        real_read = aht.read

        def counted(count, stop=True):
            reads.append(count)
            return real_read(count, stop)
        aht.read = counted
        kit.sim.world.set_temperature(21.5)
        report = check_lesson("01-blink", kit=kit, script=script)
    finally:
        kit.close()
    assert report.crash is None, report.crash and report.crash.traceback_text()
    assert report.run.printed == ["21.5 °C"] * 3
    status_polls = reads.count(1)
    assert 3 * 8 <= status_polls <= 3 * 14 + 10    # ~9 polls of 10 ms per 80 ms measurement, plus the set-up
