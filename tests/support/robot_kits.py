"""Classroom robot kits for tests at the USB boundary: a fake Uno running stock StandardFirmata
(:class:`StockKit`) and the makerkit firmware on a virtual board served on socket:// in real time
(:class:`ServedKit`), each able to say what its motor driver pins make of the wheels, now and over
everything it was sent; and :class:`Room`, which plays the room around the robot while it runs."""

from __future__ import annotations

import threading
import time

from .fake_firmata import FakeStandardFirmata

import makerkit
from makerkit.catalog import load_board
from makerkit.catalog.lessons import load_lesson
from makerkit.protocol import firmata as fm
from makerkit.sim import serve

WAIT = 10.0            # seconds a step of the room waits for the wheels before it goes on regardless
HOLD = 0.7             # seconds the room holds what the sensors see (long enough to judge an answer)


# --- the kits -----------------------------------------------------------------------------------------

class StockKit:
    """A fake Uno running stock StandardFirmata and a Kit on it; ``wheels()`` is what its driver pins
    make of the wheels now, ``sent_wheels()`` every state they were in, from the bytes it was sent."""

    board_id = "uno"

    def __init__(self):
        self.board = FakeStandardFirmata()
        self.board.listen()
        self.url = self.board.url
        self.kit = None

    def connect(self):
        self.kit = makerkit.connect(self.url, timeout=3)
        return self.kit

    def pins(self, lesson_id):
        board = load_board("uno")
        return {role: board.pin(name).number for role, name in load_lesson(lesson_id).pins_for("uno").items()}

    def wheels(self, lesson_id):
        p, b = self.pins(lesson_id), self.board
        return _pair(lambda role: b.outputs[p[role]], lambda role: b.pwm.get(p[role], 0) / 255)

    def sent_wheels(self, lesson_id):
        p = self.pins(lesson_id)
        modes, out, pwm, states = {}, {}, {}, []
        for event in list(self.board.received):
            if isinstance(event, fm.SetPinMode):
                modes[event.pin] = event.mode
            elif isinstance(event, fm.DigitalPortReport):
                for bit in range(8):
                    if modes.get(event.port * 8 + bit) == fm.PinMode.OUTPUT:
                        out[event.port * 8 + bit] = (event.mask >> bit) & 1
            elif isinstance(event, fm.AnalogReport):
                pwm[event.channel] = event.value
            else:
                continue
            states.append(_pair(lambda role: out.get(p[role], 0), lambda role: pwm.get(p[role], 0) / 255))
        return _runs(states)

    def close(self):
        if self.kit is not None:
            self.kit.close()
        self.board.close()


class ServedKit:
    """The makerkit firmware on a virtual ``board_id`` served on socket:// in real time; the host sees
    only the link. ``world`` is the room around it (the test's side only)."""

    def __init__(self, board_id):
        self.board_id = board_id
        self.server = serve(board_id, listen="127.0.0.1:0")
        self.url = self.server.url
        self.world = self.server.kit.world
        self.kit = None
        self.since = len(self.world.trace)

    def connect(self):
        self.kit = makerkit.connect(self.url, timeout=3)
        self.since = len(self.world.trace)
        return self.kit

    def pins(self, lesson_id):
        return dict(load_lesson(lesson_id).pins_for(self.board_id))

    def wheels(self, lesson_id):
        p = self.pins(lesson_id)
        return tuple(round(self.world.motor(p[f"{side}_forward"], p[f"{side}_backward"], p[f"{side}_speed"]), 2)
                     for side in ("left", "right"))

    def sent_wheels(self, lesson_id):
        p = self.pins(lesson_id)
        level, states = {}, []
        for event in list(self.world.trace)[self.since:]:
            if event.kind in ("digital", "pwm") and event.pin in p.values():
                level[event.pin] = float(event.value)
                states.append(_pair(lambda role: level.get(p[role], 0.0), lambda role: level.get(p[role], 0.0)))
        return _runs(states)

    def close(self):
        if self.kit is not None:
            self.kit.close()
        self.server.close()


def _pair(digital, duty):
    left = (digital("left_forward") - digital("left_backward")) * duty("left_speed")
    right = (digital("right_forward") - digital("right_backward")) * duty("right_speed")
    return round(left, 2) + 0.0, round(right, 2) + 0.0


def _runs(states):
    """The states one after the other, each once per run of equal states."""
    return [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s]


def in_order(wanted, seen):
    """Whether ``wanted`` appears in ``seen`` in that order (other states between)."""
    it = iter(seen)
    return all(any(s == w for s in it) for w in wanted)


# --- the room around the robot -------------------------------------------------------------------------

class Room(threading.Thread):
    """Plays the room while the check runs: each step ``(wanted, act)`` waits (at most WAIT s) until
    ``wanted(wheels)`` holds, keeps the room as it is for HOLD s, then calls ``act()``. ``played``
    is True once every step ran after the wheels did what it waited for."""

    def __init__(self, wheels, steps):
        super().__init__(daemon=True)
        self.wheels, self.steps = wheels, steps
        self.missed: list[int] = []      # the steps whose wait ran out
        self.done = threading.Event()

    @property
    def played(self) -> bool:
        return self.done.is_set() and not self.missed

    def run(self):
        for i, (wanted, act) in enumerate(self.steps):
            deadline = time.monotonic() + WAIT
            while not wanted(self.wheels()) and time.monotonic() < deadline:
                time.sleep(0.01)
            if not wanted(self.wheels()):
                self.missed.append(i)
            time.sleep(HOLD)
            act()
        self.done.set()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.join(WAIT * (len(self.steps) + 1))


def forward(wheels):
    return wheels[0] > 0.1 and abs(wheels[0] - wheels[1]) < 0.05


def set_line(kit, lesson_id, left, right):
    """What the two line sensors' DO pins read: 1 over the line."""
    p = kit.pins(lesson_id)
    for role, level in (("line_left", left), ("line_right", right)):
        if isinstance(kit, StockKit):
            kit.board.set_input(p[role], level)
        else:
            kit.world.set_input(p[role], level)


def stands_still_afterwards(kit, lesson_id):
    """Once the run is over the runner frees the pins: the board gets the stop (within WAIT s)."""
    deadline = time.monotonic() + WAIT
    while kit.wheels(lesson_id) != (0.0, 0.0) and time.monotonic() < deadline:
        time.sleep(0.02)
    return kit.wheels(lesson_id) == (0.0, 0.0)
