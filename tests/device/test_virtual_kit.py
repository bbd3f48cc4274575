"""The Kit and its parts on the virtual kit (the real makerkit firmware on a simulated Uno/ESP32),
in-process with a virtual clock: exact, and much faster than the wall clock."""

from __future__ import annotations

import threading
import time

import pytest

import makerkit
from makerkit.errors import DeviceError, PinError, UsageError


@pytest.fixture
def kit():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        yield kit


def test_connect_to_the_virtual_uno(kit):
    assert kit.sim is not None and kit.sim.transport.url == "sim://uno"
    assert kit.client.virtual
    assert kit.firmware.is_makerkit
    assert {"dht", "sonar", "tone", "servo", "i2c", "config"} <= set(kit.firmware.features)
    assert kit.identity is not None and kit.identity.board == "uno" and kit.identity.proto >= 1
    assert kit.board.id == "uno"
    assert kit.warnings == []


def test_led_on_off_and_exact_background_blink(kit):
    world = kit.sim.world
    led = kit.led("D13")
    led.on()
    kit.sleep(0.01)
    assert world.pin_level("D13") == 1
    led.off()
    kit.sleep(0.01)
    assert world.pin_level("D13") == 0
    start = kit.time()
    led.blink(on_time=0.5, off_time=0.25, n=2)
    kit.sleep(2.0)
    changes = [(round(e.t - start, 3), e.value) for e in world.trace
               if e.pin == "D13" and e.kind == "digital" and e.t >= start - 1e-9]
    assert changes == [(0.0, 1), (0.5, 0), (0.75, 1), (1.25, 0)]
    assert not led.is_lit


def test_foreground_blink_moves_simulated_time_not_wall_time(kit):
    led = kit.led("D13")
    wall, start = time.monotonic(), kit.time()
    led.blink(on_time=5, off_time=5, n=3, background=False)
    assert kit.time() - start == pytest.approx(30.0, abs=0.01)
    # 30 simulated seconds in well under 15 wall seconds (about 0.05 s when idle): the wall clock
    # would need all 30
    assert time.monotonic() - wall < 15.0


def test_button_press_is_seen_after_a_short_sleep(kit):
    world = kit.sim.world
    button = kit.button("D2")
    led = kit.led("D13")
    button.when_pressed = led.on
    button.when_released = led.off
    assert not button.is_pressed
    world.press("D2")
    kit.sleep(0.05)
    assert button.is_pressed
    kit.sleep(0.01)
    assert world.pin_level("D13") == 1
    world.release("D2")
    kit.sleep(0.05)
    assert not button.is_pressed
    kit.sleep(0.01)
    assert world.pin_level("D13") == 0


def test_wait_for_press_advances_the_virtual_clock(kit):
    world = kit.sim.world
    button = kit.button("D2")
    assert not button.is_pressed
    t0 = kit.time()
    world.at(t0 + 1.5, lambda w: w.press("D2"))
    assert button.wait_for_press(timeout=10) is True
    assert kit.time() - t0 == pytest.approx(1.5, abs=0.02)
    world.at(kit.time() + 0.5, lambda w: w.release("D2"))
    assert button.wait_for_release(timeout=10) is True
    wall, t1 = time.monotonic(), kit.time()
    assert button.wait_for_press(timeout=30) is False
    assert kit.time() - t1 == pytest.approx(30.0, abs=0.02)
    assert time.monotonic() - wall < 15.0     # a simulated 30 s timeout (about 0.15 s when idle), not a real one


def test_pwm_servo_and_motor(kit):
    world = kit.sim.world
    led = kit.pwm_led("D9")
    led.value = 0.5
    servo = kit.servo("D10")
    servo.angle = 90
    motor = kit.motor("D7", "D8", enable="D5")
    motor.forward(0.6)
    kit.sleep(0.02)
    assert world.pwm_duty("D9") == pytest.approx(0.5, abs=0.01)
    assert world.servo_angle("D10") == pytest.approx(90, abs=1)
    assert world.pin_level("D7") == 1 and world.pin_level("D8") == 0
    assert world.pwm_duty("D5") == pytest.approx(0.6, abs=0.01)
    motor.backward(1)
    kit.sleep(0.02)
    assert world.pin_level("D7") == 0 and world.pin_level("D8") == 1
    assert motor.value == -1
    motor.stop()
    kit.sleep(0.02)
    assert world.pwm_duty("D5") == 0 and world.pin_level("D8") == 0
    with pytest.raises(UsageError):
        kit.motor("D2", "D4").forward(0.5)     # no PWM anywhere: only 0 or 1


def test_buzzer_plays_a_note_for_its_duration(kit):
    world = kit.sim.world
    buzzer = kit.buzzer("D6")
    buzzer.play(440, 0.5)
    kit.sleep(0.1)
    assert world.tone("D6") == 440
    kit.sleep(0.5)
    assert world.tone("D6") is None
    buzzer.on()
    kit.sleep(0.01)
    assert world.pin_level("D6") == 1
    buzzer.off()
    with pytest.raises(UsageError):
        buzzer.play(5)


def test_analog_inputs(kit):
    world = kit.sim.world
    light = kit.light_sensor("A0")
    knob = kit.potentiometer("A1")
    world.set_light(0.25, pin="A0")
    world.set_potentiometer(0.75, pin="A1")
    kit.sleep(0.05)
    assert light.value == pytest.approx(0.25, abs=0.01)
    assert knob.value == pytest.approx(0.75, abs=0.01)


def test_distance_sensor(kit):
    world = kit.sim.world
    sonar = kit.distance_sensor("D7", "D8")
    world.set_distance_cm(42)
    kit.sleep(0.2)
    assert sonar.distance_cm == pytest.approx(42, abs=1)
    assert sonar.distance == pytest.approx(0.42, abs=0.01)
    world.set_distance_cm(1000)     # nothing in range
    kit.sleep(0.2)
    assert sonar.distance_cm == float("inf")


def test_dht11_and_dht22(kit):
    world = kit.sim.world
    world.set_temperature(23.5)
    world.set_humidity(41)
    dht = kit.dht22("D4")
    assert dht.temperature == pytest.approx(23.5, abs=0.1)
    assert dht.humidity == pytest.approx(41, abs=0.1)
    world.set_temperature(-12.5)
    kit.sleep(2.5)
    assert dht.temperature == pytest.approx(-12.5, abs=0.1)
    world.unplug("D3")
    other = kit.dht11("D3")
    with pytest.raises(DeviceError) as info:
        other.temperature
    assert "D3" in info.value.message_en


def test_adafruit_ahtx0_driver_reads_the_simulated_aht20(kit):
    import adafruit_ahtx0
    world = kit.sim.world
    world.set_temperature(21.5)
    world.set_humidity(55.0)
    i2c = kit.i2c()
    assert i2c.try_lock()
    assert 0x38 in i2c.scan()
    i2c.unlock()
    sensor = adafruit_ahtx0.AHTx0(i2c)
    assert sensor.temperature == pytest.approx(21.5, abs=0.01)
    assert sensor.relative_humidity == pytest.approx(55.0, abs=0.01)
    with pytest.raises(ValueError, match="No I2C device"):
        adafruit_ahtx0.AHTx0(i2c, address=0x44)     # nothing there: adafruit_bus_device's probe says so
    with pytest.raises(OSError) as info:
        i2c.writeto(0x44, b"")
    assert "0x44" in info.value.message_en and "A4" in info.value.hint_en


def test_blinka_shaped_i2c_slices(kit):
    i2c = kit.i2c()
    buf = bytearray(b"\xaa\xaa\xaa\xaa")
    i2c.writeto(0x38, bytes([0x00, 0xBE, 0x08, 0x00, 0x00]), start=1, end=4)   # initialise
    kit.sleep(0.02)
    i2c.readfrom_into(0x38, buf, start=1, end=2)
    assert buf[0] == 0xAA and buf[2:] == b"\xaa\xaa"
    assert buf[1] & 0x08                      # calibrated
    out = bytearray(1)
    i2c.writeto_then_readfrom(0x38, bytes([0x71]), out)
    assert out[0] & 0x08
    with i2c:
        pass


def test_configure_the_kit(kit):
    config = kit.configure(kit="kit-07", class_="7a")
    assert config["kit"] == "kit-07" and config["class"] == "7a"
    assert kit.config()["kit"] == "kit-07"
    with pytest.raises(UsageError):
        kit.configure(wifi_ssid="lab")        # an Uno has no WiFi


def test_bad_pins_on_the_virtual_uno(kit):
    with pytest.raises(PinError):
        kit.servo("A7")
    with pytest.raises(PinError):
        kit.motor("D5", "D99")
    kit.led("D5")                              # the failed motor left D5 free


def test_close_leaves_the_virtual_kit_safe():
    kit = makerkit.connect("sim://uno", clock="virtual")
    world = kit.sim.world
    led, pwm, buzzer = kit.led("D13"), kit.pwm_led("D9"), kit.buzzer("D6")
    motor = kit.motor("D3", "D11")
    led.on()
    pwm.value = 1
    buzzer.play(880)
    motor.forward(0.5)
    kit.sleep(0.02)
    assert world.pin_level("D13") == 1 and world.tone("D6") == 880 and world.pwm_duty("D3") > 0.4
    # closing drains through the same firmware: check the world after close
    kit.close()
    assert world.pin_level("D13") == 0
    assert world.pwm_duty("D9") == 0
    assert world.tone("D6") is None
    assert world.pwm_duty("D3") == 0 and world.pwm_duty("D11") == 0


def test_esp32_virtual_kit_pins():
    with makerkit.connect("sim://esp32", clock="virtual") as kit:
        assert kit.board.id == "esp32"
        led = kit.led("LED_BUILTIN")
        led.on()
        kit.sleep(0.01)
        assert kit.sim.world.pin_level("GPIO2") == 1
        with pytest.raises(PinError):
            kit.led("GPIO34")                  # input only
        knob = kit.potentiometer("GPIO36")
        kit.sim.world.set_analog("GPIO36", 0.5)
        kit.sleep(0.05)
        assert knob.value == pytest.approx(0.5, abs=0.01)


def test_no_reader_thread_on_a_virtual_clock():
    """On a virtual clock the waiting thread reads: nothing depends on how a thread is scheduled."""
    import threading
    before = {t.ident for t in threading.enumerate()}
    kits = [makerkit.connect("sim://uno", clock="virtual") for _ in range(3)]
    assert [t for t in threading.enumerate() if t.ident not in before] == []
    assert all(kit.clock.virtual and kit.clock is kit.sim.clock for kit in kits)
    for kit in kits:
        kit.close()


def test_one_reader_thread_per_kit_and_none_after_close():
    import threading
    before = {t.ident for t in threading.enumerate()}
    kits = [makerkit.connect("sim://uno", clock="real") for _ in range(3)]
    new = [t for t in threading.enumerate() if t.ident not in before]
    # the kit's board runs on a thread of its own on a real clock ("makerkit-sim ...")
    readers = [t for t in new if t.name.startswith("makerkit-reader")]
    assert len(readers) == 3
    new = readers + [t for t in new if t.name.startswith("makerkit-sim")]
    for kit in kits:
        kit.close()
    for thread in new:
        thread.join(timeout=10)
    assert not any(t.is_alive() for t in new)


def test_gpiozero_style_construction_and_callback_arguments(kit):
    from makerkit import LED, Button
    world = kit.sim.world
    led = LED("D13", kit=kit)
    button = Button("D2", kit=kit)
    seen = []
    button.when_pressed = lambda device: seen.append(device.pin)
    world.press("D2")
    kit.sleep(0.02)
    assert seen == ["D2"]
    with pytest.raises(UsageError):
        button.when_released = "led.on()"          # a string, not a function
    errors = []
    outside = threading.Thread(target=lambda: errors.append(_raises(lambda: LED("D12"))))
    outside.start()                               # a thread outside any `with connect(...)`
    outside.join(timeout=10)
    assert errors and isinstance(errors[0], UsageError)   # no kit given, none entered
    led.close()
    with pytest.raises(UsageError):
        led.on()                                  # closed
    kit.led("D13")                                # the pin is free again


def _raises(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the test looks at which
        return exc
    return None


@pytest.mark.parametrize("bad", ["1", -1, float("nan"), None, True])
def test_sleep_needs_seconds(kit, bad):
    with pytest.raises(UsageError):
        kit.sleep(bad)


def test_callback_error_surfaces_in_the_next_virtual_sleep(kit):
    button = kit.button("D2")
    button.when_pressed = lambda: [][1]
    assert not button.is_pressed
    kit.sim.world.at(kit.time() + 0.3, lambda w: w.press("D2"))
    with pytest.raises(IndexError):
        kit.sleep(1.0)
    assert kit.time() < 0.3 + 0.06      # stopped soon after the callback failed, not at the end
    kit.sleep(0.1)                      # raised once; the kit carries on
