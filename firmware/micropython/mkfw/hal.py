"""The hardware layer the Firmata server drives (MicroPython-compatible).

A HAL is any object with the methods of :class:`Hal` below. ``mkfw.hal_esp32.Esp32Hal`` implements
it on MicroPython's ``machine`` module; the virtual kit (``makerkit.sim``) implements it on a
simulated board and world. Pins are Firmata pin numbers (on an ESP32: GPIO numbers). Nothing here
may block for long: the server calls the HAL from its main loop.

Errors: a HAL raises ``OSError`` when a device does not answer (an I2C address with no ACK, a DHT
that stays silent); the server turns that into an MK_ERROR or a DHT error report.
"""


class Hal:
    #: True where the serial port can be handed back to a MicroPython REPL (ESP32, virtual ESP32)
    has_repl = False
    #: True where the board has a network interface (WiFi keys are accepted in MK_CONFIG)
    has_network = False

    def ticks_ms(self):
        """Milliseconds since boot (may wrap on a board; the server uses differences only)."""
        raise NotImplementedError

    # --- pins --------------------------------------------------------------------------------
    def configure(self, pin, mode):
        """Put ``pin`` into a Firmata pin mode (INPUT, PULLUP, OUTPUT, ANALOG, PWM, SERVO, TONE,
        SONAR, DHT, I2C). Leaving PWM/SERVO/TONE stops the pulse train."""
        raise NotImplementedError

    def digital_read(self, pin):
        """0 or 1."""
        raise NotImplementedError

    def digital_write(self, pin, value):
        raise NotImplementedError

    def analog_read(self, pin):
        """Raw ADC count, 0 .. 2**adc_bits - 1."""
        raise NotImplementedError

    def pwm_write(self, pin, value, bits):
        """Duty cycle ``value / (2**bits - 1)`` at the board's PWM frequency."""
        raise NotImplementedError

    def servo_write(self, pin, pulse_us):
        """A 50 Hz pulse train with ``pulse_us`` microseconds high."""
        raise NotImplementedError

    def tone(self, pin, freq_hz):
        """A 50% square wave at ``freq_hz``; 0 stops it."""
        raise NotImplementedError

    # --- buses and sensors -----------------------------------------------------------------
    def i2c_setup(self, sda, scl, freq=100000):
        raise NotImplementedError

    def i2c_write(self, address, data, stop=True):
        raise NotImplementedError

    def i2c_read(self, address, count, stop=True):
        """``count`` bytes; raises OSError when the address does not answer."""
        raise NotImplementedError

    def sonar_cm(self, trigger, echo):
        """One HC-SR04 measurement in whole centimetres; 0 when no echo came back."""
        raise NotImplementedError

    def dht_read(self, pin, kind):
        """``(temperature_c, humidity_pct)`` from a DHT11 (kind 11) or DHT22 (kind 22);
        raises OSError when the sensor does not answer."""
        raise NotImplementedError

    def show_text(self, text, address):
        """Show ``text`` on the board's SSD1306 OLED at I2C ``address`` (the profile's ``oled``), wrapped
        to its width; True when it is shown. Boards without a display keep this default."""
        return False

    # --- storage ------------------------------------------------------------------------------
    def load_config(self):
        """The dict in ``/makerkit.json`` ({} when missing or unreadable)."""
        return {}

    def save_config(self, config):
        pass

    def load_state(self):
        """Persistent counters (``boot``, ``seq``): {} when missing."""
        return {}

    def save_state(self, state):
        pass

    def flash(self):
        """The board's filesystem for the telemetry outbox (an object with ``mkfw.flashfs``'s
        methods), or None when the board has none (the outbox then stays in RAM)."""
        return None

    def hardware_id(self):
        """The board's own identity, the same after an erase where the hardware allows (ESP32: its
        MAC as 12 hex digits); at most 32 characters. "" when the board has none."""
        return ""

    # --- network (used by mkfw.telemetry) -------------------------------------------------
    def network_ready(self):
        return False

    def ntp_time(self, server=""):
        """The wall-clock time from an NTP server (``server``; "" for the port's default) in ms since
        1970, or None when there is no answer. May block for about a second."""
        return None

    def load_ca(self):
        """The class CA's certificate (DER bytes, ``/ca.der``) for ``mqtts://``, or None when the kit has none."""
        return None

    def mqtt_client(self, client_id, server, port, user=None, password=None, cadata=None):
        """An object with umqtt.simple's MQTTClient API. With ``cadata`` (the CA's DER bytes) it connects
        over TLS and only to a broker whose certificate that CA signed for ``server``
        (``mkfw.tls.umqtt_client``); a board that cannot check certificates raises instead."""
        raise OSError(95, "no network on this board")
