"""The emulated Uno itself: real time, resets on open like DTR, a wire that cares about baud."""

from __future__ import annotations

import os
import time

from support.avr_emulator import EmulatedUno
from makerkit.protocol import firmata as F
from makerkit.transport import open_transport


def test_simulated_time_tracks_the_wall_clock(harness, makerkit_hex):
    with EmulatedUno(avrsim=harness[0], app=makerkit_hex) as uno:
        time.sleep(0.2)                                          # past the 65 ms start-up hold
        sim0, wall0 = uno.time(), time.monotonic()
        time.sleep(2.0)
        sim1, wall1 = uno.time(), time.monotonic()
        sim, wall = sim1 - sim0, wall1 - wall0
        # never ahead of the wall clock (10 ms allowed for catching up after a stall and for the
        # control channel's own delay); behind only when the machine is short of CPU (2 cores
        # shared with other test processes): the emulator needs about 40 % of one core at real time
        assert sim <= wall + 0.010, (sim, wall)
        assert sim >= 0.95 * wall, (sim, wall)
        assert uno.lag_ms() < 250                                # it re-anchors beyond that


def test_every_open_resets_the_board_even_quick_reopens(harness, makerkit_hex):
    with EmulatedUno(avrsim=harness[0], app=makerkit_hex) as uno:
        for _ in range(5):
            fd = os.open(uno.port, os.O_RDWR | os.O_NOCTTY)
            os.close(fd)
        assert uno.wait_for(lambda: uno.opens() == 5, timeout=2)
        transport = open_transport(uno.port, baud=115200)
        try:
            decoder = F.FirmataDecoder()
            events, deadline = [], time.monotonic() + 3
            while not any(isinstance(e, F.FirmwareReport) for e in events) and time.monotonic() < deadline:
                events += decoder.feed(transport.read(4096, timeout=0.1))
            assert F.FirmwareReport(1, 0, "makerkit") in events     # the reset after open: a fresh banner
        finally:
            transport.close()


def test_a_wrong_baud_rate_gives_garbage(harness, makerkit_hex):
    with EmulatedUno(avrsim=harness[0], app=makerkit_hex) as uno:
        transport = open_transport(uno.port, baud=57600)            # the firmware talks 115200
        try:
            decoder = F.FirmataDecoder()
            events, deadline = [], time.monotonic() + 1.0
            while time.monotonic() < deadline:
                transport.write(F.report_version())
                events += decoder.feed(transport.read(4096, timeout=0.1))
            assert not [e for e in events if isinstance(e, (F.ProtocolVersion, F.FirmwareReport))]
            transport.set_baud(115200)
            transport.write(F.report_version())
            deadline = time.monotonic() + 2
            while not any(isinstance(e, F.ProtocolVersion) for e in events) and time.monotonic() < deadline:
                events += decoder.feed(transport.read(4096, timeout=0.1))
            assert F.ProtocolVersion(2, 6) in events
        finally:
            transport.close()
