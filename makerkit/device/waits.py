"""The small pieces of :class:`~makerkit.device.client.FirmataClient`'s waits and state cache:
a one-shot capture of an answer, a resender of a question, and how each event updates the cache."""

from __future__ import annotations

from ..protocol import firmata as fm

class Capture:
    """A one-shot wait for the first event matching ``expect``/``match`` (set up before sending)."""
    __slots__ = ("expect", "match", "event", "mk_error", "mk_cmd")

    def __init__(self, expect, match):
        self.expect = expect
        self.match = match
        self.event = None
        self.mk_error = None
        self.mk_cmd = None   # only MK_ERRORs about this command count (None: any)


class Resender:
    """Writes ``data`` again every ``every`` seconds while a wait goes on (nothing when either is None)."""

    __slots__ = ("client", "data", "every", "next")

    def __init__(self, client, data: bytes | None, every: float | None, now: float):
        self.client, self.data, self.every = client, data, every
        self.next = now + every if data is not None and every else None

    def poll(self, now: float) -> None:
        if self.next is not None and now >= self.next:
            self.client.send(self.data)
            self.next = now + self.every

    def until(self, deadline: float) -> float:
        """When the waiter must wake up next: the deadline or the next resend, whichever is first."""
        return deadline if self.next is None else min(deadline, self.next)



CACHE_UPDATES = {   # event type -> how it updates the client's state cache (the latest of each kind)
    fm.AnalogReport: lambda c, e: c.analog.__setitem__(e.channel, e.value),
    fm.DigitalPortReport: lambda c, e: c.digital_ports.__setitem__(e.port, e.mask),
    fm.SonarReport: lambda c, e: c.sonar.__setitem__(e.trigger_pin, e.distance_cm),
    fm.DhtReport: lambda c, e: c.dht.__setitem__(e.pin, e),
    fm.DhtError: lambda c, e: c.dht.__setitem__(e.pin, e),
    fm.I2cReply: lambda c, e: c.i2c_replies.__setitem__(e.address, e),
    fm.PinState: lambda c, e: c.pin_states.__setitem__(e.pin, e),
    fm.ProtocolVersion: lambda c, e: setattr(c, "protocol", (e.major, e.minor)),
    fm.FirmwareReport: lambda c, e: setattr(c, "firmware", e),
    fm.CapabilityReport: lambda c, e: setattr(c, "capabilities", e.pins),
    fm.AnalogMapping: lambda c, e: setattr(c, "analog_mapping", e.channels),
    fm.MkIdentity: lambda c, e: setattr(c, "identity", e.info),
    fm.StringData: lambda c, e: c.strings.append(e.text),
    fm.MkError: lambda c, e: c.mk_errors.append(e.info),
    fm.Garbage: lambda c, e: setattr(c, "garbage_bytes", c.garbage_bytes + len(e.data)),
}

