"""The simulated world on a virtual clock, driven with raw Firmata bytes through the kit's transport."""

import pytest

from support.firmata_link import Link

from makerkit.errors import PinError, UsageError
from makerkit.protocol import firmata as fm
from makerkit.sim import VirtualKit
from makerkit.sim.parts.aht20 import Aht20, crc8


def test_led_trace_records_each_change_with_simulated_time(uno):
    link = Link(uno.transport)
    link.send(fm.set_pin_mode(13, fm.PinMode.OUTPUT))
    for _ in range(3):
        link.send(fm.set_digital_pin_value(13, 1))
        uno.advance(0.5)
        link.send(fm.set_digital_pin_value(13, 0))
        uno.advance(0.5)
    events = [(e.t, e.pin, e.kind, e.value) for e in uno.world.trace]
    assert events == [(0.0, "D13", "digital", 1), (0.5, "D13", "digital", 0), (1.0, "D13", "digital", 1),
                      (1.5, "D13", "digital", 0), (2.0, "D13", "digital", 1), (2.5, "D13", "digital", 0)]
    assert uno.world.now() == pytest.approx(3.0)


def test_button_press_reported_within_one_millisecond(uno):
    link = Link(uno.transport)
    link.send(fm.set_pin_mode(2, fm.PinMode.PULLUP) + fm.report_digital(0, True))
    assert link.expect(fm.DigitalPortReport).mask & 0b100
    uno.world.press("D2")
    uno.clock.sleep(0.001)
    assert link.expect(fm.DigitalPortReport).mask & 0b100 == 0
    assert uno.world.pin_level("D2") == 0
    uno.world.release("D2")
    uno.clock.sleep(0.001)
    assert link.expect(fm.DigitalPortReport).mask & 0b100


def test_analog_light_and_potentiometer(uno):
    link = Link(uno.transport)
    uno.world.set_light(0.25)
    uno.world.set_potentiometer(1.0)
    link.send(fm.report_analog(0, True) + fm.report_analog(1, True))
    uno.clock.sleep(0.02)
    a0 = link.expect(fm.AnalogReport, lambda e: e.channel == 0)
    a1 = link.expect(fm.AnalogReport, lambda e: e.channel == 1)
    assert a0.value == round(0.25 * 1023) and a1.value == 1023
    uno.world.set_analog("A0", 0.5)
    link.events.clear()
    uno.clock.sleep(0.019)
    assert link.expect(fm.AnalogReport, lambda e: e.channel == 0).value == 512


def test_analog_reports_follow_the_sampling_interval_exactly(uno):
    link = Link(uno.transport)
    link.send(fm.sampling_interval(100) + fm.report_analog(0, True))
    uno.clock.sleep(1.0)
    link.pump()
    assert len([e for e in link.events if isinstance(e, fm.AnalogReport)]) == 11  # at 0 and every 100 ms


def test_pwm_servo_tone_and_motor(uno):
    link = Link(uno.transport)
    link.send(fm.set_pin_mode(3, fm.PinMode.PWM) + fm.analog_write(3, 64))
    assert uno.world.pwm_duty("D3") == pytest.approx(64 / 255)
    link.send(fm.servo_config(9, 544, 2400) + fm.analog_write(9, 90))
    assert uno.world.servo_angle("D9") == pytest.approx(90, abs=0.2)
    link.send(fm.tone(8, 440, 200))
    assert uno.world.tone("D8") == 440
    uno.advance(0.2)
    assert uno.world.tone("D8") is None
    kinds = [(e.pin, e.kind, e.value) for e in uno.world.trace]
    assert ("D8", "tone", 440) in kinds and ("D8", "tone", None) in kinds
    link.send(fm.set_pin_mode(5, fm.PinMode.PWM) + fm.set_pin_mode(4, fm.PinMode.OUTPUT)
              + fm.analog_write(5, 255) + fm.set_digital_pin_value(4, 0))
    assert uno.world.motor("D5", "D4") == pytest.approx(1.0)
    link.send(fm.analog_write(5, 0) + fm.set_digital_pin_value(4, 1))
    assert uno.world.motor("D5", "D4") == pytest.approx(-1.0)


def test_dht_sonar_and_unplugged_sensor(uno):
    link = Link(uno.transport)
    uno.world.set_temperature(-12.5)
    uno.world.set_humidity(55)
    link.send(fm.dht_attach(4, 22, 1000))
    report = link.expect(fm.DhtReport)
    assert (report.pin, report.temperature, report.humidity) == (4, -12.5, 55.0)
    uno.world.unplug("D4")
    uno.clock.sleep(1.0)
    assert link.expect(fm.DhtError).pin == 4
    uno.world.set_distance_cm(42)
    link.send(fm.sonar_config(7, 8))
    assert link.expect(fm.SonarReport).distance_cm == 42
    uno.world.set_distance_cm(900)
    uno.clock.sleep(0.05)
    assert link.expect(fm.SonarReport).distance_cm == 0


def test_dht_drifts_plausibly_when_not_set():
    kit = VirtualKit("uno", seed=3)
    try:
        temps = []
        for _ in range(5):
            temps.append(kit.world.temperature())
            kit.advance(60)
        assert all(15 < t < 35 for t in temps)
        assert max(temps) - min(temps) > 0.1
        assert all(abs(a - b) < 2 for a, b in zip(temps, temps[1:]))
    finally:
        kit.close()


def test_world_at_runs_scripted_events_on_time(uno):
    link = Link(uno.transport)
    link.send(fm.set_pin_mode(2, fm.PinMode.PULLUP) + fm.report_digital(0, True))
    seen = []
    uno.world.at(0.25, lambda w: (w.press("D2"), seen.append(w.now())))
    uno.world.at(0.5, lambda w: w.release("D2"))
    uno.advance(0.3)
    assert seen == [0.25] and uno.world.pin_level("D2") == 0
    uno.advance(0.3)
    assert uno.world.pin_level("D2") == 1


def test_pin_names_are_checked(uno):
    with pytest.raises(PinError):
        uno.world.press("D99")
    with pytest.raises(UsageError):
        VirtualKit("uno", clock="sometimes")


def test_aht20_registers_as_the_datasheet_says(uno):
    aht = uno.world.i2c_devices[0x38]
    assert isinstance(aht, Aht20)
    assert aht.read(1)[0] & 0x08 == 0                  # not calibrated after power-on
    with pytest.raises(OSError):
        aht.write(b"\xe1\x08\x00")                      # AHT10 command: NACK
    aht.write(b"\xbe\x08\x00")
    uno.advance(0.01)
    assert aht.read(1)[0] & 0x08
    uno.world.set_temperature(21.5)
    uno.world.set_humidity(40.0)
    aht.write(b"\xac\x33\x00")
    assert aht.read(1)[0] & 0x80                        # busy for 80 ms
    uno.advance(0.079)
    assert aht.read(1)[0] & 0x80
    uno.advance(0.001)
    data = aht.read(7)
    assert data[0] & 0x80 == 0 and data[6] == crc8(data[:6])
    hum = (data[1] << 12) | (data[2] << 4) | (data[3] >> 4)
    temp = ((data[3] & 0x0F) << 16) | (data[4] << 8) | data[5]
    assert hum * 100 / 2**20 == pytest.approx(40.0, abs=0.001)
    assert temp * 200 / 2**20 - 50 == pytest.approx(21.5, abs=0.001)
    assert crc8(b"\x1c\x00\x00\x00\x00\x00") == crc8(bytes((0x1C, 0, 0, 0, 0, 0)))
    assert crc8(b"") == 0xFF


def test_i2c_through_the_firmware_and_missing_device(uno):
    link = Link(uno.transport)
    link.send(fm.i2c_config(0))
    link.send(fm.i2c_request(0x38, fm.I2cMode.WRITE, b"\xbe\x08\x00"))
    uno.advance(0.02)
    reply = link.request(fm.i2c_request(0x38, fm.I2cMode.READ, read_count=1), fm.I2cReply)
    assert reply.address == 0x38 and reply.data[0] & 0x08
    error = link.request(fm.i2c_request(0x50, fm.I2cMode.READ, read_count=1), fm.MkError)
    assert error.info["code"] == "i2c_nack"
