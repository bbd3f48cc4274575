"""The board profile the firmware needs, as plain data (MicroPython-compatible).

On a board it comes from ``/mkfw_board.json``; the virtual kit and ``makerkit deploy`` build it
from a makerkit ``BoardProfile`` with :func:`from_board`. Shape::

    {"id": "esp32", "family": "esp32", "adc_bits": 12, "pwm_bits": 10, "i2c": [21, 22],
     "pins": [[2, "GPIO2", "iop", -1], [36, "GPIO36", "ia", 0], ...], "oled": 60}

``oled`` (only on boards with a display) is the I2C address of the on-board SSD1306; ``sensors``
(only on boards with sensors of their own) maps a name (``"light"``) to the pin of that analog sensor.

Each pin is ``[firmata number, printed name, abilities, analog channel or -1]`` where abilities
holds ``i`` (digital in), ``o`` (digital out), ``p`` (PWM), ``r`` (reserved: serial pins).
"""

from . import wire


def from_board(board):
    """Build the profile dict from an object shaped like makerkit's BoardProfile."""
    pins = []
    for p in board.pins:
        flags = ""
        if p.digital_in:
            flags += "i"
        if p.digital_out:
            flags += "o"
        if p.pwm:
            flags += "p"
        if p.reserved:
            flags += "r"
        pins.append([p.number, p.name, flags, -1 if p.analog_channel is None else p.analog_channel])
    data = {"id": board.id, "family": board.family, "adc_bits": board.adc_bits,
            "pwm_bits": board.pwm_bits, "i2c": [board.pin(board.i2c_sda).number,
                                                board.pin(board.i2c_scl).number], "pins": pins}
    onboard = getattr(board, "onboard", {})
    oled = onboard.get("oled_i2c_address")
    if oled:
        data["oled"] = oled      # I2C address of the board's SSD1306 display (the 掌控板's: 60)
    sensors = {}
    for key in onboard:          # the board's own analog sensors, sampled by mkfw.onboard
        if key.endswith("_sensor") and board.pin(onboard[key]).analog_channel is not None:
            sensors[key[:-len("_sensor")]] = board.pin(onboard[key]).number
    if sensors:
        data["sensors"] = sensors
    return data


class Profile:
    def __init__(self, data):
        self.data = data
        self.id = data["id"]
        self.family = data.get("family", "esp32")
        self.adc_bits = data.get("adc_bits", 12)
        self.pwm_bits = data.get("pwm_bits", 10)
        self.i2c_pins = tuple(data.get("i2c", ()))
        self.pins = {}
        self.names = {}
        self.channels = {}
        for number, name, flags, channel in data["pins"]:
            self.pins[number] = (name, flags, channel)
            self.names[number] = name
            if channel >= 0:
                self.channels[channel] = number
        self.max_pin = max(self.pins) if self.pins else -1
        self.ports = self.max_pin // 8 + 1
        self._modes = {}
        for number in self.pins:
            self._modes[number] = self._compute_modes(number)

    def _compute_modes(self, number):
        name, flags, channel = self.pins[number]
        if "r" in flags:
            return ()
        inp = "i" in flags
        out = "o" in flags
        modes = []
        if inp:
            modes.append((wire.INPUT, 1))
        if out:
            modes.append((wire.OUTPUT, 1))
        if channel >= 0:
            modes.append((wire.ANALOG, self.adc_bits))
        if "p" in flags:
            modes.append((wire.PWM, self.pwm_bits))
        if out and (self.family == "avr" or "p" in flags):
            modes.append((wire.SERVO, 14))
        if number in self.i2c_pins:
            modes.append((wire.I2C, 1))
        if inp:
            modes.append((wire.PULLUP, 1))
        if inp:
            modes.append((wire.SONAR, 1))
        if out and (self.family == "avr" or "p" in flags):
            modes.append((wire.TONE, 1))
        if inp and out:
            modes.append((wire.DHT, 1))
        return tuple(modes)

    def modes(self, pin):
        """The (mode, resolution) pairs a pin supports; () for unknown or reserved pins."""
        return self._modes.get(pin, ())

    def can(self, pin, mode):
        for m, _ in self._modes.get(pin, ()):
            if m == mode:
                return True
        return False

    def channel(self, pin):
        entry = self.pins.get(pin)
        if entry is None or entry[2] < 0:
            return None
        return entry[2]

    def name(self, pin):
        return self.names.get(pin, str(pin))
