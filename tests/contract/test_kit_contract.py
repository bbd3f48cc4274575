"""The kit contract: what every kit does, virtual or real.

By default these run on the virtual kit (``sim://uno``); on a real kit they run with
``pytest tests/contract --port=/dev/ttyUSB0 --board=uno`` (or ``--board=esp32``...). They use only
what a real board can show the host: its own answers (firmware report, pin state queries, analog
reports), never the simulated world, except where a test says it is checking the simulation too.
"""

import pytest

import makerkit
from makerkit.errors import FeatureNotSupportedError, PinError
from makerkit.protocol import firmata as fm


@pytest.fixture
def kit(kit_url, request):
    board = request.config.getoption("--board")
    with makerkit.connect(kit_url, board=None if kit_url.startswith("sim://") else board, timeout=30) as kit:
        yield kit


def pin_state(kit, pin_name):
    number = kit.board.pin(pin_name).number
    event = kit.client.request(fm.pin_state_query(number), expect=fm.PinState,
                               match=lambda e: e.pin == number, timeout=10.0)
    return event.mode, event.state


def output_pin(kit):
    return kit.board.led_builtin or next(p.name for p in kit.board.pins if p.digital_out and not p.reserved)


def test_the_kit_names_its_firmware_and_board(kit, request):
    assert kit.firmware.name and kit.firmware.protocol >= (2, 3)
    if request.config.getoption("--port"):
        assert kit.board.id == request.config.getoption("--board")
    if kit.firmware.is_makerkit:
        assert kit.identity.board == kit.board.id


def test_an_led_is_switched_on_and_off_as_the_firmware_reports_it(kit):
    pin = output_pin(kit)
    led = kit.led(pin)
    led.on()
    assert led.is_lit and pin_state(kit, pin) == (fm.PinMode.OUTPUT, 1)
    led.toggle()
    assert not led.is_lit and pin_state(kit, pin) == (fm.PinMode.OUTPUT, 0)
    if kit.sim is not None:   # the simulated board agrees with what the firmware said
        assert kit.sim.world.pin_level(kit.board.pin(pin).name) == 0


def test_pwm_duty_reaches_the_firmware(kit):
    pin = next(p.name for p in kit.board.pins if p.pwm and not p.reserved)
    led = kit.pwm_led(pin)
    led.value = 0.5
    mode, state = pin_state(kit, pin)
    full = 2 ** kit.board.pwm_bits - 1
    assert mode == fm.PinMode.PWM and abs(state - full * 0.5) <= 1


def test_analog_inputs_give_values_between_0_and_1(kit):
    pin = next(p.name for p in kit.board.pins if p.analog_channel is not None and not p.reserved)
    sensor = kit.potentiometer(pin)
    kit.sleep(0.2)
    assert 0.0 <= sensor.value <= 1.0


def test_a_pin_the_board_does_not_have_is_refused_with_the_valid_pins(kit):
    with pytest.raises(PinError) as err:
        kit.led("Z99")
    assert output_pin(kit) in err.value.message_en


def test_makerkit_features_need_makerkit_firmware(kit):
    if kit.firmware.is_makerkit:
        assert kit.firmware.supports("dht") and kit.config()["kit"] == kit.identity.kit_id
    else:
        with pytest.raises(FeatureNotSupportedError, match="makerkit"):
            kit.dht11(output_pin(kit))


def test_closing_the_kit_leaves_outputs_off(kit_url, request):
    board = request.config.getoption("--board")
    with makerkit.connect(kit_url, board=None if kit_url.startswith("sim://") else board, timeout=30) as kit:
        pin = output_pin(kit)
        kit.led(pin).on()
        sim = kit.sim
    if sim is not None:
        assert sim.world.pin_level(kit.board.pin(pin).name) == 0
    else:   # a real board keeps running: ask it
        with makerkit.connect(kit_url, board=board, timeout=30) as again:
            assert pin_state(again, pin)[1] == 0
