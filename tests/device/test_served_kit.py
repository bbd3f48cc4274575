"""The Kit over a real link: the virtual kit served on socket:// and on a pty (real clock), as
another program would see it."""

from __future__ import annotations

import threading
import time

import pytest

import makerkit
from makerkit.errors import DisconnectedError
from makerkit.sim import serve


def until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


@pytest.fixture(params=["socket", "pty"])
def server(request):
    srv = serve("uno", listen="127.0.0.1:0") if request.param == "socket" else serve("uno", listen=None, pty=True)
    yield srv
    srv.close()


def link(srv):
    return srv.url or srv.pty_path


def test_a_lesson_over_the_link(server):
    world = server.kit.world
    start = time.monotonic()
    with makerkit.connect(link(server), timeout=30) as kit:
        assert time.monotonic() - start < 10.0   # answered at once, not after a share of the 30 s timeout
        assert kit.sim is None and kit.firmware.is_makerkit and kit.board.id == "uno"
        led = kit.led("D13")
        button = kit.button("D2")
        button.when_pressed = led.on
        assert not button.is_pressed
        threading.Timer(0.1, world.press, args=("D2",)).start()
        assert button.wait_for_press(timeout=10)
        assert until(lambda: world.pin_level("D13") == 1)
        world.set_temperature(19.0)   # a DHT11 reads whole degrees
        assert kit.dht11("D4").temperature == 19.0
        light = kit.light_sensor("A0")
        world.set_light(0.5, pin="A0")
        assert until(lambda: abs(light.value - 0.5) < 0.01)
    assert until(lambda: world.pin_level("D13") == 0)        # closed safe


def test_server_going_away_under_a_blocked_call(server):
    kit = makerkit.connect(link(server), timeout=30)
    button = kit.button("D2")
    assert not button.is_pressed
    threading.Timer(0.3, server.close).start()
    start = time.monotonic()
    with pytest.raises(DisconnectedError):
        button.wait_for_press(timeout=60)
    assert time.monotonic() - start < 10.0   # raised when the server went (0.3 s), not at the 60 s timeout
    kit.close()
