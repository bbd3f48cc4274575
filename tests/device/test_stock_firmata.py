"""The Kit against stock StandardFirmata 2.4 (a faithful fake speaking real bytes over loopback)."""

from __future__ import annotations

import time

import pytest

import makerkit
from support.fake_board import FakeBoard
from makerkit.errors import FeatureNotSupportedError, NoAnswerError, PinError, UsageError
from makerkit.protocol import firmata as fm


def until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def test_connect_reads_firmware_and_guesses_the_uno(stock_kit):
    kit, board = stock_kit
    assert kit.firmware.name == "StandardFirmata.ino"
    assert kit.firmware.version == "2.4"
    assert kit.firmware.protocol == (2, 4)
    assert not kit.firmware.is_makerkit
    assert kit.identity is None
    assert kit.board.id == "uno"
    assert kit.sim is None
    assert len(kit.client.capabilities) == 20
    assert kit.client.analog_mapping[14] == 0


def test_led_uses_digital_message_on_firmata_2_4(stock_kit):
    kit, board = stock_kit
    led = kit.led("LED_BUILTIN")
    assert led.pin == "D13"
    led.on()
    assert until(lambda: board.outputs[13] == 1)
    assert led.is_lit
    led.toggle()
    assert until(lambda: board.outputs[13] == 0)
    assert not any(isinstance(e, fm.SetDigitalPinValue) for e in board.received)
    assert board.modes[13] == fm.PinMode.OUTPUT


def test_button_pull_up_callbacks_and_wait(stock_kit):
    kit, board = stock_kit
    button = kit.button("D2")
    assert until(lambda: board.pullups[2] == 1)          # INPUT + write 1: the 2.4 way to a pull-up
    assert board.modes[2] == fm.PinMode.INPUT
    assert button.is_pressed is False
    seen = []
    button.when_pressed = lambda: seen.append("pressed")
    button.when_released = lambda b: seen.append(("released", b.pin))
    board.set_input(2, 0)
    assert button.wait_for_press(timeout=10)
    board.set_input(2, 1)
    assert button.wait_for_release(timeout=10)
    assert until(lambda: len(seen) == 2)
    assert seen == ["pressed", ("released", "D2")]
    assert button.presses == 1
    assert button.wait_for_press(timeout=0.2) is False


def test_analog_and_pwm(stock_kit):
    kit, board = stock_kit
    board.set_analog(1, 1023)
    knob = kit.potentiometer("A1")
    assert until(lambda: knob.value == 1.0)
    board.set_analog(1, 256)
    assert until(lambda: knob.raw == 256)
    led = kit.pwm_led("D9")
    led.value = 0.5
    assert until(lambda: board.pwm.get(9) == 128)
    assert board.modes[9] == fm.PinMode.PWM
    with pytest.raises(UsageError):
        led.value = 1.5


@pytest.mark.parametrize("make", [
    lambda kit: kit.dht11("D4"),
    lambda kit: kit.dht22("D4"),
    lambda kit: kit.distance_sensor("D7", "D8"),
    lambda kit: kit.buzzer("D8").play(440, 0.2),
    lambda kit: kit.configure(kit="kit-01"),
    lambda kit: kit.publish("temperature", 21.5, unit="°C"),
])
def test_makerkit_only_features_name_the_firmware(stock_kit, make):
    kit, _ = stock_kit
    with pytest.raises(FeatureNotSupportedError) as info:
        make(kit)
    assert "makerkit" in info.value.message_en and "StandardFirmata" in info.value.message_en
    assert "makerkit flash --board uno" in info.value.hint_en
    assert "makerkit 固件" in info.value.message_zh


def test_bad_pins(stock_kit):
    kit, _ = stock_kit
    with pytest.raises(PinError) as info:
        kit.led("D20")
    assert "D13" in info.value.message_en          # lists the valid pins
    with pytest.raises(PinError):
        kit.pwm_led("D2")                           # not a PWM pin
    with pytest.raises(PinError):
        kit.light_sensor("D7")                      # not an analog pin
    with pytest.raises(PinError):
        kit.led("D0")                               # the USB link's RX
    kit.led("D12")
    with pytest.raises(PinError) as info:
        kit.button("D12")                           # already used
    assert "D12" in info.value.message_en
    with pytest.raises(UsageError):
        kit.servo("D9").angle = 200
    with pytest.raises(UsageError):
        kit.led("D11").blink(on_time=0)


def test_i2c_scan_and_missing_device_on_stock_firmata(fake_board):
    board = fake_board(i2c_devices={0x38: b"\x1c\x80\x00\x00\x00\x00"})
    with makerkit.connect(board.url, timeout=30) as kit:
        bus = kit.i2c()
        assert bus.try_lock()
        assert bus.scan() == [0x38]
        buf = bytearray(3)
        bus.readfrom_into(0x38, buf)
        assert buf == b"\x1c\x80\x00"
        with pytest.raises(OSError):
            bus.readfrom_into(0x40, buf)
        bus.unlock()


def test_board_that_never_answers_raises_no_answer_within_the_timeout(fake_board):
    board = fake_board(answer=False)
    start = time.monotonic()
    with pytest.raises(NoAnswerError) as info:
        makerkit.connect(board.url, timeout=1.0)
    elapsed = time.monotonic() - start
    # gave up at the timeout, not before; the upper bound only guards against waiting on (the exact
    # deadline is pinned in tests/protocol/test_handshake_machine.py)
    assert 0.9 <= elapsed < 10.0
    assert "flash" in info.value.hint_en and board.url in info.value.message_en


def test_slow_booting_board_is_found_by_repeated_probes(fake_board):
    board = fake_board(boot_delay=0.8, announce=False)   # answers only what it is asked after booting
    start = time.monotonic()
    with makerkit.connect(board.url, timeout=30) as kit:
        elapsed = time.monotonic() - start
        assert kit.firmware.name == "StandardFirmata.ino"
    # found as soon as it talks (0.8 s), not at the 30 s timeout (figures: benchmarks/bench_firmata.py)
    assert 0.8 <= elapsed < 10.0
    probes = [e for e in board.received if isinstance(e, fm.VersionQuery)]
    assert len(probes) >= 1


def test_serial_port_falls_back_to_57600():
    # a board on a pty that understands 57600 only (support.fake_board): nothing it can hear at
    # 115200, whenever it is asked, so the answer can only come after the switch at half the timeout
    with FakeBoard(name="StandardFirmata.ino", version=(2, 4), protocol=(2, 4), baud=57600) as board:
        with makerkit.connect(board.port, board="uno", timeout=4) as kit:
            assert kit.handshake.baud == 57600 and kit.handshake.answered_after >= 2.0
            assert kit.firmware.name == "StandardFirmata.ino"


def test_close_leaves_the_board_safe(fake_board):
    import atexit
    board = fake_board()
    kit = makerkit.connect(board.url, timeout=30)
    led = kit.led("D13")
    pwm = kit.pwm_led("D5")
    motor = kit.motor("D10", "D11")
    kit.button("D2")
    kit.light_sensor("A0")
    led.on()
    pwm.value = 1
    motor.forward(0.7)
    assert until(lambda: board.outputs[13] == 1 and board.pwm.get(5) == 255 and board.pwm.get(10) == 178)
    assert until(lambda: board.report_ports and board.report_channels)
    kit.close()
    assert until(lambda: board.outputs[13] == 0 and board.pwm.get(5) == 0 and board.pwm.get(10) == 0
                 and not board.report_ports and not board.report_channels)
    assert kit.client.closed
    unregistered = atexit.unregister(kit.close)  # already unregistered: a no-op
    assert unregistered is None
    kit.close()  # twice is fine


def test_background_blink_on_a_real_clock(stock_kit):
    kit, board = stock_kit
    led = kit.led("D13")

    def levels():
        """D13 as the board was told (port 1, bit 5), each change once, from the first 1: what the
        board saw, not what a poll here happened to catch between two 50 ms steps."""
        seen = []
        for e in list(board.received):
            if isinstance(e, fm.DigitalPortReport) and e.port == 1:
                level = (e.mask >> 5) & 1
                if (seen or level == 1) and (not seen or seen[-1] != level):
                    seen.append(level)
        return seen

    led.blink(on_time=0.05, off_time=0.05, n=3)
    assert until(lambda: len(levels()) >= 6)
    assert levels() == [1, 0, 1, 0, 1, 0]
    kit.sleep(0.3)
    assert board.outputs[13] == 0 and not led.is_lit


def test_a_callback_may_ask_the_board_something(stock_kit):
    kit, board = stock_kit
    button = kit.button("D2")
    knob = kit.potentiometer("A3")
    board.set_analog(3, 1023)
    assert until(lambda: knob.raw == 1023)
    answers = []
    button.when_pressed = lambda: answers.append(
        kit.client.request(fm.report_firmware(), expect=fm.FirmwareReport, timeout=10).name)
    board.set_input(2, 0)
    assert button.wait_for_press(timeout=10)
    assert until(lambda: answers == ["StandardFirmata.ino"])
    kit.check()


def test_request_without_answer_raises_no_answer(stock_kit):
    kit, _ = stock_kit
    start = time.monotonic()
    with pytest.raises(NoAnswerError) as info:
        kit.client.request(fm.mk_identity_query(), expect=fm.MkIdentity, timeout=0.3,
                           what=("the identity query", "身份查询"))
    assert 0.25 < time.monotonic() - start < 5.0   # waited the 0.3 s out; the upper bound guards a hang
    assert "the identity query" in info.value.message_en and "身份查询" in info.value.message_zh
