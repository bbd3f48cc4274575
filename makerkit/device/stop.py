"""A teacher's stop and say for a kit driven from this computer (``makerkit bridge``'s tethered kits).

:func:`stop_outputs` works with any Firmata firmware (makerkit's AVR and MicroPython firmware, stock
StandardFirmata): it asks the board for each pin's mode and state (PIN_STATE_QUERY) and turns off
what drives something: digital outputs low, PWM to 0, tones off. Servos keep their pulse, so an arm
holds its position. :func:`obey_control` checks a control message (docs/TELEMETRY.md §4a) the way
the kits do and answers with the ``control_ack`` event the bridge publishes for the kit;
:func:`tell_program` hands the message to the program that drives the kit from this computer.
"""

from __future__ import annotations

from ..errors import DeviceError, NoAnswerError
from ..protocol import control as ctl
from ..protocol import firmata as fm

PIN_TIMEOUT = 0.3      # seconds for one pin's state: a tethered board answers in milliseconds


def stop_outputs(kit, *, timeout: float = PIN_TIMEOUT) -> int:
    """Turn every output of ``kit`` off now; returns how many were on."""
    client = kit.client
    count = 0
    for info in kit.board.pins:
        if not info.digital_out or info.reserved:
            continue
        n = info.number
        try:
            state = client.request(fm.pin_state_query(n), expect=fm.PinState, match=lambda e, n=n: e.pin == n,
                                   timeout=timeout, raise_mk_error=fm.PIN_STATE_QUERY)
        except (NoAnswerError, DeviceError):      # a pin the firmware does not report: nothing it drives
            continue
        if state.mode == fm.PinMode.OUTPUT and state.state:
            client.digital_write(n, 0)
        elif state.mode == fm.PinMode.PWM and state.state:
            client.send(fm.analog_write(n, 0))
        elif state.mode == fm.PinMode.TONE:       # firmwares differ in what state a sounding pin reports
            client.send(fm.no_tone(n))
        else:
            continue
        count += 1
    return count


def stop_own_outputs(kit) -> int:
    """Turn off every output this computer drives on ``kit``, from the pin modes it set (it asks the
    board nothing, so it works inside a listener too): digital outputs low, PWM to 0, tones off;
    servos hold. Returns how many pins it turned off."""
    client = kit.client
    count = 0
    for info in kit.board.pins:
        mode = client.pin_mode(info.number)
        if mode == fm.PinMode.OUTPUT:
            client.digital_write(info.number, 0)
        elif mode == fm.PinMode.PWM:
            client.send(fm.analog_write(info.number, 0))
        elif mode == fm.PinMode.TONE:
            client.send(fm.no_tone(info.number))
        else:
            continue
        count += 1
    return count


def obey_control(kit, payload: bytes) -> tuple[dict | None, bytes | None]:
    """Obey a control message for a tethered ``kit``: ``(message, ack event payload)``; ``(None, None)``
    for a message that is not one (no usable id to answer)."""
    doc = ctl.parse_control(payload)
    if doc is None:
        return None, None
    if doc["cmd"] == "stop":
        return doc, ctl.ack_payload(doc["id"], "stop", "stopped", via="bridge", outputs=stop_outputs(kit))
    return doc, ctl.ack_payload(doc["id"], "say", "passed", via="bridge")


def tell_program(kit, payload: bytes) -> dict | None:
    """Hand a control message for a tethered ``kit`` to the program on this computer that drives it,
    as a networked kit's firmware does with MK_CONTROL: its ``kit.when_message`` functions hear a
    ``say``; a running lesson shows it, and ends at a ``stop`` (leaving its parts safe). Returns the
    message, or None when it is not one. At a stop the outputs the program drives go off first
    (:func:`stop_own_outputs`), as a networked kit turns its own off before it tells its host."""
    doc = ctl.parse_control(payload)
    if doc is None:
        return None
    info = {"cmd": doc["cmd"], "id": doc["id"], "by": doc.get("by", "")}
    if doc["cmd"] == "say":
        info.update(text=doc["text"], shown=False)     # a tethered kit has no display of its own
    else:
        stop_own_outputs(kit)
    kit.client.deliver(fm.MkControl(info))
    return doc


__all__ = ["obey_control", "stop_outputs", "stop_own_outputs", "tell_program"]
