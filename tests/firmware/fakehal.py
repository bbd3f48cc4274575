"""A small recording hardware layer for the firmware tests (MicroPython-compatible).

It runs under CPython (pytest) and under the real ``micropython`` interpreter, whose ``machine``
module has no pins. Inputs are set directly (``levels``, ``adc``, ``distance``, ``dht``,
``i2c_regs``); every output call is appended to ``log``.
"""


class FakeHal:
    def __init__(self, repl=False, network=False):
        self.has_repl = repl
        self.has_network = network
        self.log = []
        self.levels = {}
        self.pullups = {}
        self.adc = {}
        self.distance = {}
        self.dht = {}
        self.i2c_devices = {}  # address -> bytearray of registers
        self.i2c_pointer = {}
        self.config = {}
        self.state = {}
        self.ms = 0

    def ticks_ms(self):
        return self.ms

    def configure(self, pin, mode):
        self.log.append(("mode", pin, mode))
        self.pullups[pin] = mode == 0x0B

    def digital_read(self, pin):
        if pin in self.levels:
            return self.levels[pin]
        return 1 if self.pullups.get(pin) else 0

    def digital_write(self, pin, value):
        self.log.append(("write", pin, value))

    def analog_read(self, pin):
        return self.adc.get(pin, 0)

    def pwm_write(self, pin, value, bits):
        self.log.append(("pwm", pin, value, bits))

    def servo_write(self, pin, pulse_us):
        self.log.append(("servo", pin, pulse_us))

    def tone(self, pin, freq_hz):
        self.log.append(("tone", pin, freq_hz))

    def i2c_setup(self, sda, scl, freq=100000):
        self.log.append(("i2c_setup", sda, scl))

    def i2c_write(self, address, data, stop=True):
        if address not in self.i2c_devices:
            raise OSError(19, "ENODEV")
        self.log.append(("i2c_write", address, bytes(data), stop))
        if data:
            self.i2c_pointer[address] = data[0]
            regs = self.i2c_devices[address]
            for i, b in enumerate(data[1:]):
                regs[(data[0] + i) % len(regs)] = b

    def i2c_read(self, address, count, stop=True):
        if address not in self.i2c_devices:
            raise OSError(19, "ENODEV")
        regs = self.i2c_devices[address]
        start = self.i2c_pointer.get(address, 0)
        return bytes(regs[(start + i) % len(regs)] for i in range(count))

    def sonar_cm(self, trigger, echo):
        return self.distance.get(trigger, 0)

    def dht_read(self, pin, kind):
        if pin not in self.dht:
            raise OSError(116, "ETIMEDOUT")
        return self.dht[pin]

    def load_config(self):
        return dict(self.config)

    def save_config(self, config):
        self.config = dict(config)

    def load_state(self):
        return dict(self.state)

    def save_state(self, state):
        self.state = dict(state)

    def network_ready(self):
        return False


ESP32_PROFILE = {
    "id": "esp32", "family": "esp32", "adc_bits": 12, "pwm_bits": 10, "i2c": [21, 22],
    "pins": [[2, "GPIO2", "iop", -1], [4, "GPIO4", "iop", -1], [5, "GPIO5", "iop", -1],
             [13, "GPIO13", "iop", -1], [21, "GPIO21", "iop", -1], [22, "GPIO22", "iop", -1],
             [32, "GPIO32", "iop", 2], [34, "GPIO34", "i", 4], [36, "GPIO36", "i", 0]],
}

UNO_PROFILE = {
    "id": "uno", "family": "avr", "adc_bits": 10, "pwm_bits": 8, "i2c": [18, 19],
    "pins": [[0, "D0", "ior", -1], [1, "D1", "ior", -1], [2, "D2", "io", -1], [3, "D3", "iop", -1],
             [4, "D4", "io", -1], [5, "D5", "iop", -1], [6, "D6", "iop", -1], [7, "D7", "io", -1],
             [8, "D8", "io", -1], [9, "D9", "iop", -1], [10, "D10", "iop", -1], [11, "D11", "iop", -1],
             [12, "D12", "io", -1], [13, "D13", "io", -1], [14, "A0", "io", 0], [15, "A1", "io", 1],
             [16, "A2", "io", 2], [17, "A3", "io", 3], [18, "A4", "io", 4], [19, "A5", "io", 5]],
}
