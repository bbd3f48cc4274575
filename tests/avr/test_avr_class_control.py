"""``makerkit class stop`` / ``class say`` reaching a Uno that runs makerkit's AVR firmware (emulated
ATmega328P) through ``makerkit bridge`` and a real mosquitto: the bridge stops the board's outputs over
plain Firmata (PIN_STATE_QUERY, pin writes, NO_TONE), the emulated chip's pins read back as off, the
servo keeps its pulse, and the bridge answers for the kit."""

from __future__ import annotations

import pytest

import makerkit
from makerkit.bridge import Bridge
from makerkit.classroom.control import OBEYED, say_to_class, stop_class
from makerkit.protocol import firmata as fm

from support.brokers import Mosquitto


@pytest.fixture
def broker(tmp_path):
    b = Mosquitto(tmp_path / "mosquitto").start()
    yield b
    b.close()


def test_stop_and_say_reach_a_bridged_avr_uno(tmp_path, uno_factory, makerkit_hex, broker):
    uno = uno_factory(app=makerkit_hex)
    with makerkit.connect(uno.port, board="uno", timeout=30, clock="real") as kit:   # 115200 in its first 15 s
        kit.configure(kit="uno-7", class_="7c")
        led, pwm, buzzer, servo = kit.led("D13"), kit.pwm_led("D5"), kit.buzzer("D8"), kit.servo("D9")
        led.on()
        pwm.value = 0.6
        buzzer.play(440)
        servo.angle = 45
        assert uno.wait_for(lambda: uno.level("D13") == 1 and uno.pwm_duty("D5") > 0.5
                            and abs(uno.pulse("D9")[0] - 1008) < 20, timeout=10)     # 45 degrees: 1008 us
        pulse_before = uno.pulse("D9")
        sounding = uno.pulse("D8")[2]
        assert uno.wait_for(lambda: uno.pulse("D8")[2] > sounding + 10, timeout=10)     # the buzzer sounds
        with Bridge(kit, broker.url, outbox=str(tmp_path / "outbox.db")) as bridge:
            assert bridge.mqtt.subscribed.wait(15)
            # 30 s: the wait ends when the one kit answers; a loaded machine cannot make it "no answer"
            result = stop_class(broker=broker.url, class_id="7c", timeout=30)
            (answer,) = result.kits
            assert answer.kit == "uno-7" and answer.state == OBEYED and "via bridge" in answer.detail
            assert answer.seconds < 10.0 and "3 outputs off" in answer.detail      # promptly; LED, PWM, tone
            assert uno.wait_for(lambda: uno.level("D13") == 0 and uno.pwm_duty("D5") == 0.0, timeout=10)
            assert abs(uno.pulse("D9")[0] - pulse_before[0]) < 20                 # the servo holds its angle
            assert uno.pulse("D9")[2] > pulse_before[2]                           # ... still driven
            kit.client.request(fm.report_version(), expect=fm.ProtocolVersion, timeout=10)   # after the bridge's writes
            quiet = uno.pulse("D8")[2]
            kit.sleep(0.2)
            assert uno.pulse("D8")[2] == quiet                                    # the buzzer is silent
            said = say_to_class(broker=broker.url, class_id="7c", text="Tidy up!", timeout=30)
            assert said.named(OBEYED) == ["uno-7"] and said.kits[0].done == "passed"
            assert bridge.messages[-1]["text"] == "Tidy up!"
