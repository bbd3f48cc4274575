"""The host library (makerkit.connect) on the virtual kit: the device API end to end, in process."""

import time

import pytest

import makerkit


def test_connect_sim_uno_devices_virtual_clock():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        assert kit.clock.virtual and kit.firmware.is_makerkit and kit.identity.board == "uno"
        world = kit.sim.world
        kit.led("D13").on()
        assert world.pin_level("D13") == 1
        button = kit.button("D2")
        world.press("D2")
        kit.sleep(0.05)
        assert button.is_pressed
        world.release("D2")
        kit.sleep(0.05)
        assert not button.is_pressed
        pot = kit.potentiometer("A1")
        world.set_potentiometer(0.3)
        kit.sleep(0.05)
        assert pot.value == pytest.approx(0.3, abs=0.002)
        servo = kit.servo("D9")
        servo.angle = 45
        kit.sleep(0.01)
        assert world.servo_angle("D9") == pytest.approx(45, abs=0.5)
        dht = kit.dht11("D4")
        world.set_temperature(21)
        world.set_humidity(60)
        kit.sleep(2.5)
        assert (dht.temperature, dht.humidity) == (21.0, 60.0)
        assert 2.61 <= kit.time() < 3.0   # simulated seconds: the sleeps plus a few 1 ms request steps


def test_blink_is_exact_on_the_virtual_clock():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        led = kit.led("D13")
        t0 = kit.time()
        for _ in range(5):
            led.on()
            kit.sleep(0.25)
            led.off()
            kit.sleep(0.25)
        changes = [(round(e.t - t0, 6), e.value) for e in kit.sim.world.trace if e.pin == "D13"]
        assert changes == [(round(i * 0.25, 6), 1 - i % 2) for i in range(10)]


def test_adafruit_ahtx0_driver_reads_the_simulated_aht20():
    adafruit_ahtx0 = pytest.importorskip("adafruit_ahtx0")
    with makerkit.connect("sim://esp32", clock="virtual") as kit:
        kit.sim.world.set_temperature(23.4)
        kit.sim.world.set_humidity(51.0)
        sensor = adafruit_ahtx0.AHTx0(kit.i2c())
        assert sensor.temperature == pytest.approx(23.4, abs=0.01)
        assert sensor.relative_humidity == pytest.approx(51.0, abs=0.01)
        assert 0xBE in kit.sim.world.i2c_devices[0x38].commands   # fell back from the AHT10 command


def test_real_clock_kit_runs_by_itself():
    with makerkit.connect("sim://uno", clock="real") as kit:
        button = kit.button("D2")
        kit.sim.world.press("D2")
        deadline = time.monotonic() + 10
        while not button.is_pressed and time.monotonic() < deadline:
            kit.sleep(0.01)
        assert button.is_pressed
        assert kit.sim.world.now() > 0


@pytest.mark.parametrize("where", ["socket", "pty"])
def test_connect_to_a_served_kit(where):
    from makerkit.sim import serve
    server = serve("esp32", listen="127.0.0.1:0") if where == "socket" else serve("esp32", listen=None, pty=True)
    try:
        with makerkit.connect(server.url or server.pty_path, timeout=30) as kit:   # ends when it answers
            assert kit.sim is None and kit.identity.board == "esp32"
            kit.led("GPIO2").on()
            deadline = time.monotonic() + 10
            while server.kit.world.pin_level("GPIO2") != 1 and time.monotonic() < deadline:
                kit.sleep(0.01)
            assert server.kit.world.pin_level("GPIO2") == 1
            server.kit.world.set_light(0.5, pin="GPIO36")
            light = kit.light_sensor("GPIO36")
            deadline = time.monotonic() + 10
            while (light.value is None or abs(light.value - 0.5) > 0.01) and time.monotonic() < deadline:
                kit.sleep(0.02)
            assert light.value == pytest.approx(0.5, abs=0.01)
    finally:
        server.close()
