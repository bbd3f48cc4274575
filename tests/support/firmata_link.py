"""A raw Firmata link to a virtual kit, for the sim tests: bytes written to its transport, events read back
with the host codec."""

import time

from makerkit.protocol import firmata as fm


class Link:
    """Raw bytes to a kit's transport, decoded with the host codec (makerkit.protocol.firmata)."""

    def __init__(self, transport):
        self.t = transport
        self.decoder = fm.FirmataDecoder()
        self.events = []

    def send(self, data: bytes):
        self.t.write(data)

    def pump(self, timeout=0.05):
        data = self.t.read(65536, timeout=timeout)
        if data:
            self.events += [e for e in self.decoder.feed(data) if not isinstance(e, fm.Garbage)]
        return data

    def expect(self, kind, match=lambda e: True, timeout=2.0):
        """The first event of ``kind`` accepted by ``match`` (consumed), within ``timeout`` wall seconds."""
        end = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if isinstance(e, kind) and match(e):
                    del self.events[i]
                    return e
            if time.monotonic() > end:
                raise AssertionError(f"no {kind.__name__} within {timeout} s; got {self.events}")
            self.pump(0.05)

    def request(self, data, kind, match=lambda e: True, timeout=2.0):
        self.events.clear()
        self.send(data)
        return self.expect(kind, match, timeout)
