"""The Kit: one connected board (real or virtual) and the parts wired to it.

Made by :func:`makerkit.connect`; use it as a context manager, or call :meth:`Kit.close`. Closing
(also at interpreter exit, through an ``atexit`` hook) leaves the board safe: outputs off, PWM at 0,
motors stopped, tones off, sensor reporting off.
"""

from __future__ import annotations

import atexit
import importlib
import warnings as _warnings
from typing import Callable

from ..catalog.parts import PARTS, Part, feature_name
from ..errors import DisconnectedError, FeatureNotSupportedError, PinError, UsageError
from ..protocol import firmata as fm
from .client import FirmataClient
from .current import enter_kit, leave_kit
from .handshake import FirmwareInfo, KitIdentity

PAUSE_STEP = 0.1   # seconds pause() sleeps at a time (how soon it notices a closed kit)


class Kit:
    """A connected kit. Make parts with ``kit.led("D13")``, ``kit.button("D2")``...; time with
    ``kit.sleep(seconds)`` (on a virtual kit this is what moves simulated time).

    Attributes: ``board`` (the :class:`~makerkit.catalog.BoardProfile`), ``firmware``
    (:class:`FirmwareInfo`), ``identity`` (:class:`KitIdentity` or None on stock Firmata), ``sim``
    (the :class:`~makerkit.sim.VirtualKit` or None), ``client`` (the :class:`FirmataClient`) and
    ``warnings`` (firmware warnings, also issued through Python's ``warnings`` module).
    """

    def __init__(self, client: FirmataClient, board, *, firmware: FirmwareInfo,
                 identity: KitIdentity | None = None, sim=None, warnings=(), handshake=None):
        self.client = client
        self.handshake = handshake   # HandshakeResult: answer time, baud that worked
        self.board = board
        self.firmware = firmware
        self.identity = identity
        self.sim = sim
        self.url = client.transport.url
        self.warnings = list(warnings)
        self._devices: list = []
        self._watchers: list[Callable] = []
        self._entered: list = []
        self._owners: dict[int, object] = {}
        self._digital_reports: dict[int, int] = {}
        self._analog_reports: dict[int, int] = {}
        self._telemetry = None
        self._i2c = None
        self.closed = False
        for warning in self.warnings:
            _warnings.warn(warning, stacklevel=3)
        atexit.register(self.close)

    # --- life cycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Leave every part safe, stop reporting and close the connection (and the virtual kit)."""
        if self.closed:
            return
        self.closed = True
        atexit.unregister(self.close)
        try:
            for device in reversed(list(self._devices)):
                try:
                    device.close()
                except Exception:  # noqa: BLE001 - close as much as we can
                    if self.client.lost is not None:
                        break
            if self.client.lost is None:
                try:
                    for port in list(self._digital_reports):
                        self.client.send(fm.report_digital(port, False))
                    for channel in list(self._analog_reports):
                        self.client.send(fm.report_analog(channel, False))
                except Exception:  # noqa: BLE001 - the port may vanish while closing
                    pass
        finally:
            self.client.close()
            if self.sim is not None:
                self.sim.close()

    def __enter__(self) -> "Kit":
        """Inside the ``with`` block parts find this kit without ``kit=``: ``LED("D13")``."""
        self._entered.append(enter_kit(self))
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.close()
        finally:
            if self._entered:
                leave_kit(self._entered.pop())

    def __repr__(self) -> str:
        return f"<Kit {self.board.id} on {self.url}: {self.firmware.name} {self.firmware.version}>"

    # --- time -------------------------------------------------------------------------------------
    @property
    def clock(self):
        """The kit's :class:`~makerkit.transport.clock.Clock`: ``now()``, ``sleep()``, ``virtual``."""
        return self.client.clock

    def time(self) -> float:
        """Seconds on the kit's clock (simulated seconds on a virtual kit)."""
        return self.client.clock.now()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``. On a virtual kit this moves simulated time; errors from callbacks and a
        pulled cable show up here."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
            raise UsageError(
                en=f"kit.sleep() needs a number of seconds from 0 up, like kit.sleep(0.5), not {seconds!r}.",
                zh=f"kit.sleep() 需要一个不小于 0 的秒数，比如 kit.sleep(0.5)，而不是 {seconds!r}。")
        self.client.sleep(seconds)

    def pause(self) -> None:
        """Wait for ever (until Ctrl-C, the kit closes, or a ``when_...`` function fails): for
        programs that only react to events."""
        while not self.closed:
            try:
                self.sleep(PAUSE_STEP)
            except DisconnectedError:
                if self.closed:    # closed by the program (a when_... function, another thread)
                    return
                raise

    def check(self) -> None:
        """Raise any error stored since the last call (a callback's exception, a lost cable)."""
        self.client.check()

    # --- parts --------------------------------------------------------------------------------------
    def i2c(self):
        """The kit's I2C bus, usable wherever Adafruit's CircuitPython drivers want ``busio.I2C``."""
        if self._i2c is None or self._i2c.closed:
            from .i2c import I2C  # Blinka is imported only there, and only now
            self._i2c = I2C(kit=self)
        return self._i2c

    # --- kit configuration and telemetry ------------------------------------------------------------
    def configure(self, **keys) -> dict:
        """Store settings on the kit (``kit=``, ``class_=``, ``wifi_ssid=``, ``broker=``,
        ``interval=``...); returns the kit's configuration with secrets hidden."""
        self.require("config")
        mapping = {("class" if k in ("class_", "klass") else k): v for k, v in keys.items()}
        event = self.client.request(fm.mk_config_set(mapping), expect=fm.MkConfig, timeout=2.0,
                                    what=("the configuration", "配置命令"))
        config = dict(event.config)
        if config.get("error"):
            key = config.get("key", "?")
            raise UsageError(
                en=f"The kit refused the setting {key!r} ({config['error']}).",
                zh=f"套件拒绝了设置 {key!r}（{config['error']}）。",
                hint_en="An Arduino Uno has no WiFi: it keeps only kit and class. Check the key's name and value.",
                hint_zh="Arduino Uno 没有 WiFi，只能保存 kit 和 class。请检查设置的名称和值。", key=key)
        return config

    def config(self) -> dict:
        """The kit's current configuration (secrets hidden)."""
        self.require("config")
        return dict(self.client.request(fm.mk_config_get(), expect=fm.MkConfig, timeout=2.0,
                                        what=("the configuration query", "配置查询")).config)

    def broker_password(self) -> str | None:
        """The password of the kit's own broker login, as the kit keeps it for whoever bridges it (a
        tethered Arduino kit, set by ``class provision``); None when it keeps none or shows none."""
        self.require("config")
        config = self.client.request(fm.mk_config_get(show_password=True), expect=fm.MkConfig, timeout=2.0,
                                     what=("the configuration query", "配置查询")).config
        password = config.get("password")
        return password if isinstance(password, str) and password and password != "***" else None

    def _telemetry_helper(self):
        if self._telemetry is None:
            from .telemetry import KitTelemetry
            self._telemetry = KitTelemetry(self)
        return self._telemetry

    def publish(self, name: str, value, unit: str | None = None):
        """Send one reading through the kit (it stamps, numbers and forwards it)."""
        return self._telemetry_helper().publish(name, value, unit)

    def on_record(self, callback: Callable):
        """Call ``callback(record)`` for each telemetry record coming back from the kit."""
        return self._telemetry_helper().on_record(callback)

    def event(self, name: str, /, **data) -> dict:
        """Send a lesson event (``kit.event("checkpoint", step=3)``) to the class's ``.../event`` topic;
        returns the event the kit made (``event``, ``boot``, ``uptime_ms``, ``data``...) plus ``published``."""
        return self._telemetry_helper().event(name, data)

    def when_message(self, callback: Callable[[dict], None]) -> Callable:
        """Call ``callback(message)`` when the teacher's ``makerkit class say`` or ``class stop`` reaches
        the kit (over its WiFi; the kit has already turned its outputs off for a stop). ``message`` is
        ``{"cmd": "say", "text": "Tidy up!", "by": "teacher", "id": "...", "shown": False}`` (``shown``:
        the kit's own display shows it) or ``{"cmd": "stop", ...}``::

            kit.when_message(lambda m: print("Teacher:", m.get("text", "stop")))
        """
        def forward(event) -> None:
            callback(dict(event.info))
        return self.client.add_listener(fm.MkControl, forward)

    # --- helpers for devices ------------------------------------------------------------------------
    def require(self, feature: str) -> None:
        """Raise :class:`FeatureNotSupportedError` unless the firmware offers ``feature``."""
        self.client.check()
        if self.firmware.supports(feature):
            return
        what_en, what_zh = feature_name(feature)
        command = self.board.firmware_command()
        raise FeatureNotSupportedError(
            en=(f"This kit runs {self.firmware.name} {self.firmware.version}, which cannot do {what_en}: "
                f"that needs the makerkit firmware."),
            zh=f"这个套件运行的是 {self.firmware.name} {self.firmware.version}，不支持{what_zh}：需要 makerkit 固件。",
            hint_en=f"Flash the makerkit firmware: `{command}`.",
            hint_zh=f"请烧录 makerkit 固件：`{command}`。", feature=feature)

    # --- parts: claims, events ----------------------------------------------------------------------
    @property
    def parts(self) -> tuple:
        """The parts open on this kit, in the order they were made."""
        return tuple(self._devices)

    def claim(self, device, pin, *, mode: str):
        """Give ``pin`` to ``device`` for ``mode`` (input, output, analog, pwm, servo) and return its
        :class:`~makerkit.catalog.PinInfo`; raises :class:`PinError` (and frees the device's other
        pins) when the pin is reserved, taken or cannot do ``mode``."""
        try:
            info = self._claim_pin(pin, device, mode)
        except BaseException:
            self.release(device)
            raise
        if device not in self._devices:
            self._devices.append(device)
        return info

    def watch(self, callback: Callable[[object], None]) -> Callable[[], None]:
        """Call ``callback(event)`` for each event of :mod:`makerkit.device.events`; returns the
        function that stops watching."""
        self._watchers.append(callback)

        def unwatch() -> None:
            if callback in self._watchers:
                self._watchers.remove(callback)
        return unwatch

    def emit(self, event) -> None:
        """Tell the watchers about ``event`` (parts call this)."""
        for callback in list(self._watchers):
            callback(event)

    def _claim_pin(self, pin, device, mode: str):
        if self.closed:
            self.client.check()
        info = self.board.pin(pin, mode=mode)
        if info.reserved:
            raise PinError(
                en=f"Pin {info.name} on the {self.board.name} is used by the USB link; choose another pin.",
                zh=f"{self.board.name_zh} 的 {info.name} 引脚被 USB 通信占用了，请换一个引脚。",
                board=self.board.id, pin=info.name)
        owner = self._owners.get(info.number)
        if owner is not None and owner is not device:
            raise PinError(
                en=f"Pin {info.name} is already used by {owner!r}; close that one first or use another pin.",
                zh=f"{info.name} 引脚已经被 {owner!r} 占用了；请先关闭它，或者换一个引脚。",
                board=self.board.id, pin=info.name)
        self._check_capability(info, mode)
        self._owners[info.number] = device
        return info

    def _check_capability(self, info, mode: str) -> None:
        wanted = {"pwm": fm.PinMode.PWM, "servo": fm.PinMode.SERVO, "analog": fm.PinMode.ANALOG}.get(mode)
        caps = self.client.capabilities
        if wanted is None or not caps or info.number >= len(caps) or not caps[info.number]:
            return
        if all(m != wanted for m, _ in caps[info.number]):
            raise PinError(
                en=f"The firmware on this kit cannot use pin {info.name} for {mode}.",
                zh=f"这个套件上的固件不能把 {info.name} 引脚用作 {mode}。",
                board=self.board.id, pin=info.name, mode=mode)

    def release(self, device) -> None:
        """Free every pin ``device`` holds (parts call this when they close)."""
        for number, owner in list(self._owners.items()):
            if owner is device:
                del self._owners[number]
        if device in self._devices:
            self._devices.remove(device)

    def resolution(self, pin_number: int, mode: int, default: int) -> int:
        """Bits of a pin's mode as the firmware reports them (the profile's value otherwise)."""
        caps = self.client.capabilities
        if caps and pin_number < len(caps):
            for m, res in caps[pin_number]:
                if m == mode and res:
                    return res
        return default

    def analog_channel(self, info) -> int:
        mapping = self.client.analog_mapping
        if mapping and info.number < len(mapping) and mapping[info.number] is not None:
            return mapping[info.number]
        return info.analog_channel

    def report_digital(self, port: int, on: bool) -> None:
        count = self._digital_reports.get(port, 0) + (1 if on else -1)
        if on:   # every new input asks again: the board answers with the port's levels now (Firmata)
            self.client.send(fm.report_digital(port, True))
        if count <= 0:
            self._digital_reports.pop(port, None)
            if not on:
                self.client.send(fm.report_digital(port, False))
        else:
            self._digital_reports[port] = count

    def report_analog(self, channel: int, on: bool) -> None:
        count = self._analog_reports.get(channel, 0) + (1 if on else -1)
        if on and count == 1:
            self.client.send(fm.report_analog(channel, True))
        if count <= 0:
            self._analog_reports.pop(channel, None)
            if not on:
                self.client.send(fm.report_analog(channel, False))
        else:
            self._analog_reports[channel] = count


def _factory(entry: Part) -> Callable:
    def make(self, *args, **kwargs):
        cls = getattr(importlib.import_module(entry.module), entry.cls)
        return cls(*args, kit=self, **kwargs)
    make.__name__ = entry.factory
    make.__qualname__ = f"Kit.{entry.factory}"
    make.__doc__ = (f"Make a :class:`~{entry.module}.{entry.cls}` on this kit: "
                    f"``kit.{entry.factory}({', '.join(entry.pins)})`` (its docstring shows the wiring).")
    return make


for _entry in PARTS:   # kit.led(...), kit.button(...)...: one factory per registered part
    setattr(Kit, _entry.factory, _factory(_entry))
