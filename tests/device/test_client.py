"""FirmataClient on its own: noise and split packets never confuse the state cache; a closed kit
says so; buttons wired the other way round."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import makerkit
from makerkit.device.client import FirmataClient
from makerkit.errors import DisconnectedError
from makerkit.protocol import firmata as fm
from makerkit.transport.clock import WALL_CLOCK


class _Recording:
    url = "recording"
    clock = WALL_CLOCK


messages = st.one_of(
    st.builds(fm.analog_report, st.integers(0, 5), st.integers(0, 1023)),
    st.builds(fm.digital_port, st.integers(0, 2), st.integers(0, 255)),
    st.builds(fm.sonar_report, st.integers(2, 13), st.integers(0, 400)),
)
noise = st.binary(max_size=6).map(lambda b: bytes(x & 0x7F for x in b))   # stray data bytes


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(messages, noise), min_size=1, max_size=40), st.data())
def test_state_cache_survives_noise_and_any_split(items, data):
    stream = b"".join(message + junk for message, junk in items)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    client = FirmataClient(_Recording())
    last = 0
    for cut in cuts + [len(stream)]:
        client.feed(stream[last:cut])
        last = cut
    expected = FirmataClient(_Recording())
    for message, _ in items:
        expected.feed(message)
    assert client.analog == expected.analog
    assert client.digital_ports == expected.digital_ports
    assert client.sonar == expected.sonar
    assert client.garbage_bytes == sum(len(junk) for _, junk in items)


def test_a_closed_kit_says_so():
    kit = makerkit.connect("sim://uno", clock="virtual")
    led = kit.led("D13")
    kit.close()
    with pytest.raises(DisconnectedError) as info:
        kit.led("D12")
    assert "closed" in info.value.message_en and "makerkit.connect" in info.value.hint_en
    with pytest.raises(Exception):
        led.on()
    with pytest.raises(DisconnectedError):
        kit.sleep(1)


def test_button_wired_to_vcc_with_a_pull_down():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        world = kit.sim.world
        world.set_input("D7", 0)                  # the 10 kΩ pull-down holds it low
        button = kit.button("D7", pull_up=False)
        assert not button.is_pressed
        world.set_input("D7", 1)                  # pressed: the pin sees VCC
        kit.sleep(0.02)
        assert button.is_pressed and button.value == 1


def test_esp32_kit_takes_network_settings():
    with makerkit.connect("sim://esp32", clock="virtual") as kit:
        config = kit.configure(kit="kit-12", class_="8b", wifi_ssid="lab", wifi_password="secret",
                               broker="mqtt://10.0.0.2:1883", interval=5)
        assert config["wifi_ssid"] == "lab" and config["wifi_password"] == "***"
        assert config["interval"] == 5
        with pytest.raises(makerkit.MakerkitError) as info:
            kit.configure(colour="red")
        assert "colour" in info.value.message_en
