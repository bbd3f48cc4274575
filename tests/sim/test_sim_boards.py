"""Every board profile runs as a virtual kit: capability table and analog mapping match the profile."""

import pytest

from support.firmata_link import Link

from makerkit.catalog import board_ids, load_board
from makerkit.protocol import firmata as fm
from makerkit.sim import VirtualKit


@pytest.mark.parametrize("board_id", board_ids())
def test_profile_capabilities_and_mapping(board_id):
    board = load_board(board_id)
    kit = VirtualKit(board_id)
    try:
        link = Link(kit.transport)
        caps = link.request(fm.capability_query(), fm.CapabilityReport).pins
        assert len(caps) == board.max_pin + 1
        for pin in board.pins:
            modes = dict(caps[pin.number])
            if pin.reserved:
                assert modes == {}
                continue
            assert (fm.PinMode.OUTPUT in modes) == pin.digital_out
            assert (fm.PinMode.PWM in modes) == pin.pwm
            if pin.pwm:
                assert modes[fm.PinMode.PWM] == board.pwm_bits
            if pin.analog_channel is not None:
                assert modes[fm.PinMode.ANALOG] == board.adc_bits
        for name in (board.i2c_sda, board.i2c_scl):
            assert fm.PinMode.I2C in dict(caps[board.pin(name).number])
        mapping = link.request(fm.analog_mapping_query(), fm.AnalogMapping).channels
        for pin in board.pins:
            assert mapping[pin.number] == pin.analog_channel
        info = link.request(fm.mk_identity_query(), fm.MkIdentity).info
        assert info["board"] == board_id and ("repl" in info["features"]) == (board.family == "esp32")
    finally:
        kit.close()


def test_mpython_onboard_light_sensor_is_wired():
    kit = VirtualKit("mpython")
    try:
        link = Link(kit.transport)
        kit.world.set_light(0.75)
        channel = load_board("mpython").pin("LIGHT").analog_channel
        link.send(fm.report_analog(channel, True))
        assert link.expect(fm.AnalogReport, lambda e: e.channel == channel).value == round(0.75 * 4095)
    finally:
        kit.close()


def test_network_keys_only_on_boards_with_wifi():
    for board_id, accepted in (("uno", False), ("esp32", True)):
        kit = VirtualKit(board_id)
        try:
            result = Link(kit.transport).request(fm.mk_config_set({"wifi_ssid": "lab"}), fm.MkConfig).config
            assert ("error" not in result) == accepted, result
        finally:
            kit.close()
