"""A resynchronising parser for host->board Firmata bytes (MicroPython-compatible).

``FirmataParser().feed(data)`` returns complete messages as tuples:
``("msg", command, data_bytes)`` for channel/system messages and ``("sysex", command, payload)``
for sysex. Data bytes that belong to no message, unknown command bytes and messages cut short by a
new command byte are dropped (counted in ``garbage``), so a line that starts mid-message, a board
that missed bytes while it booted, or noise on the wire never wedges the parser.
"""

from .wire import END_SYSEX, START_SYSEX

MAX_SYSEX = 2048

# host->board command -> number of data bytes
_LENGTHS = {0x90: 2, 0xE0: 2, 0xC0: 1, 0xD0: 1, 0xF4: 2, 0xF5: 2, 0xF9: 0, 0xFF: 0}


def _length(command):
    if command >= 0xF0:
        return _LENGTHS.get(command, -1)
    return _LENGTHS.get(command & 0xF0, -1)


class FirmataParser:
    def __init__(self):
        self.garbage = 0
        self._command = None
        self._need = 0
        self._buf = bytearray()
        self._in_sysex = False

    def reset(self):
        self._command = None
        self._buf = bytearray()
        self._in_sysex = False

    def feed(self, data):
        out = []
        for b in data:
            if self._in_sysex:
                if b == END_SYSEX:
                    self._in_sysex = False
                    if self._buf:
                        out.append(("sysex", self._buf[0], bytes(self._buf[1:])))
                    self._buf = bytearray()
                    continue
                if b < 0x80:
                    if len(self._buf) < MAX_SYSEX:
                        self._buf.append(b)
                    else:  # runaway sysex: drop it and wait for the next command byte
                        self.garbage += len(self._buf) + 2
                        self._in_sysex = False
                        self._buf = bytearray()
                    continue
                # a command byte inside a sysex: the sysex was cut short
                self.garbage += len(self._buf) + 1
                self._in_sysex = False
                self._buf = bytearray()
            if b >= 0x80:
                if self._command is not None:  # previous message cut short
                    self.garbage += 1 + len(self._buf)
                    self._command = None
                self._buf = bytearray()
                if b == START_SYSEX:
                    self._in_sysex = True
                    continue
                need = _length(b)
                if need < 0:
                    self.garbage += 1
                    continue
                if need == 0:
                    out.append(("msg", b, b""))
                    continue
                self._command = b
                self._need = need
                continue
            if self._command is None:
                self.garbage += 1
                continue
            self._buf.append(b)
            if len(self._buf) == self._need:
                out.append(("msg", self._command, bytes(self._buf)))
                self._command = None
                self._buf = bytearray()
        return out
