"""A minimal SSD1306 128x64 OLED text display over I2C (MicroPython; used by ``mkfw.hal_esp32``).

Only what a teacher's ``say`` needs: initialise the panel, clear it, draw up to 8 lines of 16
characters with MicroPython's ``framebuf`` 8x8 font, and send the frame. ``wrap`` is plain Python
(tested on the host).
"""

WIDTH = 128
HEIGHT = 64
COLUMNS = WIDTH // 8
ROWS = HEIGHT // 8
_INIT = (0xAE, 0x20, 0x00, 0x40, 0xA1, 0xA8, HEIGHT - 1, 0xC8, 0xD3, 0x00, 0xDA, 0x12, 0xD5, 0x80,
         0xD9, 0xF1, 0xDB, 0x30, 0x81, 0xFF, 0xA4, 0xA6, 0x8D, 0x14, 0xAF)


def wrap(text, columns=COLUMNS, rows=ROWS):
    """Break ``text`` into at most ``rows`` lines of at most ``columns`` characters (words kept whole
    where they fit)."""
    lines = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            while len(word) > columns:
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:columns])
                word = word[columns:]
            if not line:
                line = word
            elif len(line) + 1 + len(word) <= columns:
                line += " " + word
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines[:rows]


class Ssd1306:
    def __init__(self, i2c, address):
        import framebuf
        self.i2c = i2c
        self.address = address
        self.buffer = bytearray(WIDTH * HEIGHT // 8)
        self.frame = framebuf.FrameBuffer(self.buffer, WIDTH, HEIGHT, framebuf.MONO_VLSB)
        for cmd in _INIT:
            self._command(cmd)

    def _command(self, cmd):
        self.i2c.writeto(self.address, bytes((0x80, cmd)))

    def show_text(self, text):
        self.frame.fill(0)
        for row, line in enumerate(wrap(text)):
            self.frame.text(line, 0, row * 8, 1)
        for cmd in (0x21, 0, WIDTH - 1, 0x22, 0, ROWS - 1):
            self._command(cmd)
        self.i2c.writeto(self.address, b"\x40" + self.buffer)
