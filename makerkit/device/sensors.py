"""Sensors that need the makerkit firmware: DistanceSensor (HC-SR04), DHT11 and DHT22."""

from __future__ import annotations

from ..errors import DeviceError, NoAnswerError
from ..protocol import firmata as fm
from . import wiring
from .base import Device

SONAR_TIMEOUT = 1.0   # seconds to wait for the first distance (the board measures every 50 ms)
DHT_TIMEOUT = 5.0     # seconds to wait for the first DHT reading (it reads every 2 s)
SONAR_CHECK = 0.6     # seconds a wiring check listens for an echo (a dozen measurements)
DHT_CHECK = 2.5       # seconds a wiring check waits for a good DHT reading (two or three tries)


class DistanceSensor(Device):
    """An HC-SR04 ultrasonic distance sensor (needs the makerkit firmware).

    Wiring: VCC → 5 V, GND → GND, Trig → the trigger pin, Echo → the echo pin
    (on a 3.3 V board such as the ESP32, put a 1 kΩ/2 kΩ divider on Echo).

        sonar = kit.distance_sensor(trigger="D7", echo="D8")
        if sonar.distance_cm < 20:
            buzzer.on()
    """

    def __init__(self, trigger, echo, *, kit=None):
        super().__init__(kit=kit)
        kit = self.kit
        kit.require("sonar")
        self.trigger = self._claim(trigger, "output")
        self.echo = self._claim(echo, "input")
        # a distance measured before this sensor was set up (a wiring check's, the last program's)
        # is not this sensor's: the first read waits for a new one
        kit.client.sonar.pop(self.trigger.number, None)
        kit.client.send(fm.sonar_config(self.trigger.number, self.echo.number))

    @property
    def distance_cm(self) -> float:
        """Centimetres to the nearest object; ``inf`` when nothing echoes back (out of range)."""
        return self._read("distance_cm", self._distance_cm())

    def _distance_cm(self) -> float:
        self._check()
        client = self.kit.client
        pin = self.trigger.number
        if pin not in client.sonar:
            if not client.wait_for(lambda: pin in client.sonar, SONAR_TIMEOUT, step=0.005):
                raise NoAnswerError(
                    en=f"The distance sensor on {self.trigger.name}/{self.echo.name} sent no reading.",
                    zh=f"接在 {self.trigger.name}/{self.echo.name} 上的超声波传感器没有发来读数。")
        cm = client.sonar[pin]
        return float("inf") if cm == 0 else float(cm)

    @property
    def distance(self) -> float:
        """Metres to the nearest object (``inf`` when out of range)."""
        return self._read("distance", self._distance_cm() / 100.0)

    @classmethod
    def check_wiring(cls, kit, wired) -> list:
        """The wiring check (:mod:`makerkit.device.wiring`): an echo comes back within a moment."""
        signals = wired.signals
        trigger = wired.wire_for("trig") or (signals[0] if signals else None)
        echo = wired.wire_for("echo") or next((w for w in signals if w is not trigger), None)
        if trigger is None or echo is None:
            return []
        sensor, trouble = wiring.open_part(lambda: cls(trigger.pin, echo.pin, kit=kit), wired)
        if sensor is None:
            return [trouble] if trouble else []
        try:
            heard = wiring.within(kit, SONAR_CHECK, lambda: sensor.distance_cm != float("inf"), step=0.05)
        except NoAnswerError as exc:
            return [wiring.fault(wired, None, exc.message_en, exc.message_zh,
                                 f"Flash the makerkit firmware again: `{kit.board.firmware_command()}`.",
                                 f"请重新烧录 makerkit 固件：`{kit.board.firmware_command()}`。")]
        finally:
            sensor.close()
        if heard:
            return []
        return [wiring.fault(
            wired, None,
            f"The distance sensor on {trigger.pin}/{echo.pin} hears no echo.",
            f"接在 {trigger.pin}/{echo.pin} 上的超声波传感器听不到回声。",
            f"Check that Trig goes to {trigger.pin} and Echo to {echo.pin} (not swapped), VCC to 5V and "
            "GND to GND; then hold your hand 20 cm in front of it and check again.",
            f"请检查：Trig 接 {trigger.pin}，Echo 接 {echo.pin}（不要接反），VCC 接 5V，GND 接 GND；"
            "然后把手放在它前面 20 厘米处，再检查一次。")]


class _DHT(Device):
    KIND = 11

    def __init__(self, pin, *, kit=None, interval: float = 2.0):
        super().__init__(kit=kit)
        kit = self.kit
        kit.require("dht")
        self.pin_info = self._claim(pin, "input")
        self.pin = self.pin_info.name
        interval_ms = max(500, min(16383, round(interval * 1000)))
        kit.client.send(fm.dht_attach(self.pin_info.number, self.KIND, interval_ms))

    def _reading(self) -> fm.DhtReport:
        self._check()
        client = self.kit.client
        number = self.pin_info.number
        if number not in client.dht:
            if not client.wait_for(lambda: number in client.dht, DHT_TIMEOUT, step=0.01):
                raise NoAnswerError(
                    en=f"The DHT{self.KIND} on {self.pin} sent no reading within {DHT_TIMEOUT:g} s.",
                    zh=f"接在 {self.pin} 上的 DHT{self.KIND} 在 {DHT_TIMEOUT:g} 秒内没有发来读数。")
        event = client.dht[number]
        if isinstance(event, fm.DhtError):
            raise DeviceError(
                en=f"The DHT{self.KIND} on {self.pin} does not answer.",
                zh=f"接在 {self.pin} 上的 DHT{self.KIND} 没有回应。",
                hint_en=f"Check its wiring: + to 5 V (3.3 V on an ESP32), - to GND, out to {self.pin}.",
                hint_zh=f"请检查接线：+ 接 5V（ESP32 接 3.3V），- 接 GND，out 接 {self.pin}。")
        return event

    @property
    def temperature(self) -> float:
        """Degrees Celsius."""
        return self._read("temperature", self._reading().temperature)

    @property
    def humidity(self) -> float:
        """Relative humidity in percent."""
        return self._read("humidity", self._reading().humidity)

    def _safe(self) -> None:
        self.kit.client.send(fm.dht_detach(self.pin_info.number))

    @classmethod
    def check_wiring(cls, kit, wired) -> list:
        """The wiring check (:mod:`makerkit.device.wiring`): the sensor answers on its pin."""
        if not wired.signals:
            return []
        data = wired.signals[0]
        sensor, trouble = wiring.open_part(lambda: cls(data.pin, kit=kit, interval=1.0), wired)
        if sensor is None:
            return [trouble] if trouble else []

        def answers() -> bool:
            try:
                return sensor.temperature is not None
            except (DeviceError, NoAnswerError):
                return False
        try:
            if wiring.within(kit, DHT_CHECK, answers, step=0.25):
                return []
        finally:
            sensor.close()
        return [wiring.fault(
            wired, None,
            f"The DHT{cls.KIND} on {data.pin} does not answer.",
            f"接在 {data.pin} 上的 DHT{cls.KIND} 没有回应。",
            f"Check its three wires: S (data) to {data.pin}, + to 5V (3V3 on an ESP32), - to GND. "
            "Push each jumper wire in firmly.",
            f"请检查它的三根线：S（数据）接 {data.pin}，+ 接 5V（ESP32 接 3V3），- 接 GND。把每根杜邦线都插紧。")]


class DHT11(_DHT):
    """A DHT11 temperature and humidity sensor (blue; needs the makerkit firmware).

    Wiring: + (VCC) → 5 V (3.3 V on an ESP32), − → GND, out (data) → the pin.
    A bare 4-leg sensor also needs a 10 kΩ resistor from data to VCC; modules have it built in.

        dht = kit.dht11("D4")
        print(dht.temperature, "°C")
        print(dht.humidity, "%")
    """
    KIND = 11


class DHT22(_DHT):
    """A DHT22 (AM2302) temperature and humidity sensor (white; needs the makerkit firmware).

    Wiring: + (VCC) → 5 V (3.3 V on an ESP32), − → GND, out (data) → the pin.

        dht = kit.dht22("D4")
        print(dht.temperature, "°C")
        print(dht.humidity, "%")
    """
    KIND = 22
