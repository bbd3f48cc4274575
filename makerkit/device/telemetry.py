"""``kit.publish(...)``, ``kit.on_record(...)`` and ``kit.event(...)``: telemetry through the kit.

The kit numbers and stamps every reading (MK_TELEMETRY PUT, see firmware/PROTOCOL.md), keeps it in
its buffer and sends it back as a RECORD: a networked kit (ESP32, virtual ESP32) also publishes it
to its class's MQTT broker itself; a USB-tethered kit relies on ``makerkit bridge``.

    with makerkit.connect("sim://esp32") as kit:
        kit.publish("temperature", 23.5, unit="°C")
        kit.event("checkpoint", step=3, label="LED on")

An event goes to ``makerkit/v1/{class}/{kit}/event`` (MK_TELEMETRY EVENT): a networked kit publishes it
itself when it is online; for a tethered kit ``makerkit bridge`` publishes it. Events are not buffered.
"""

from __future__ import annotations

import json
import math
from typing import Callable

from ..errors import TelemetryError
from ..protocol import firmata as fm
from ..protocol.telemetry import NAME_RE


class KitTelemetry:
    """Telemetry helper of one :class:`~makerkit.device.kit.Kit` (``kit.publish`` / ``kit.on_record``)."""

    def __init__(self, kit):
        self.kit = kit

    def publish(self, name: str, value, unit: str | None = None, *, timeout: float = 2.0) -> dict:
        """Send one reading; returns the record the kit made of it (``seq``, ``boot``, ``uptime_ms``...)."""
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise TelemetryError(
                en=f"The reading name {name!r} is not allowed: use 1 to 32 of a-z, 0-9 and _ (like temperature or light_2).",
                zh=f"读数名称 {name!r} 不合法：只能用 1 到 32 个 a-z、0-9 或 _（例如 temperature、light_2）。")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TelemetryError(en=f"The reading {name} must be a number, not {value!r}.",
                                 zh=f"读数 {name} 必须是数字，而不是 {value!r}。")
        if not math.isfinite(float(value)):
            raise TelemetryError(en=f"The reading {name} is {value}, which is not a real measurement.",
                                 zh=f"读数 {name} 的值是 {value}，不是有效的测量值。",
                                 hint_en="Check the sensor: a division by zero or a failed read gives inf or nan.",
                                 hint_zh="请检查传感器：除以零或读取失败会得到 inf 或 nan。")
        if unit is not None and (not isinstance(unit, str) or len(unit) > 16 or "\n" in unit):
            raise TelemetryError(en=f"The unit {unit!r} of {name} must be short text such as °C or %.",
                                 zh=f"{name} 的单位 {unit!r} 应该是简短的文字，例如 °C 或 %。")
        self.kit.require("telemetry")
        data = fm.mk_telemetry_put({name: float(value)}, {name: unit} if unit else None)

        def mine(event) -> bool:
            payload = event.payload
            return isinstance(payload, dict) and name in (payload.get("readings") or {})

        event = self.kit.client.request(data, expect=fm.MkTelemetryRecord, match=mine, timeout=timeout,
                                        what=("the reading", "这个读数"), raise_mk_error=fm.MK_TELEMETRY)
        return dict(event.payload)

    def on_record(self, callback: Callable[[dict], None]) -> Callable:
        """Call ``callback(payload)`` (a v1 telemetry dict) for every record the kit sends back."""
        def forward(event) -> None:
            if isinstance(event.payload, dict):
                callback(dict(event.payload))
        return self.kit.client.add_listener(fm.MkTelemetryRecord, forward)

    def event(self, name: str, data: dict, *, timeout: float = 2.0) -> dict:
        """Send one lesson event; returns the kit's event payload plus ``published`` (False: the kit was
        offline or has no network, and only a running ``makerkit bridge`` publishes it)."""
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise TelemetryError(
                en=f"The event name {name!r} is not allowed: use 1 to 32 of a-z, 0-9 and _ (like checkpoint or button).",
                zh=f"事件名称 {name!r} 不合法：只能用 1 到 32 个 a-z、0-9 或 _（例如 checkpoint、button）。")
        for key, value in data.items():
            if not NAME_RE.match(key):
                raise TelemetryError(en=f"The event data name {key!r} is not allowed: use a-z, 0-9 and _.",
                                     zh=f"事件数据名称 {key!r} 不合法：只能用 a-z、0-9 或 _。")
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                raise TelemetryError(
                    en=f"The event data {key}={value!r} cannot be sent: use numbers, text, True/False, None or lists of them.",
                    zh=f"事件数据 {key}={value!r} 无法发送：只能用数字、文字、True/False、None 或它们组成的列表。") from None
        wire = fm.mk_telemetry_event(name, data)
        if len(wire) > 4000:
            raise TelemetryError(en=f"The event {name} is too big to send (at most about 3 KB of data).",
                                 zh=f"事件 {name} 太大，无法发送（数据最多约 3 KB）。")
        self.kit.require("telemetry")

        def mine(event) -> bool:
            return isinstance(event.payload, dict) and event.payload.get("event") == name

        event = self.kit.client.request(wire, expect=fm.MkTelemetryEvent, match=mine, timeout=timeout,
                                        what=("the event", "这个事件"), raise_mk_error=fm.MK_TELEMETRY)
        return {**event.payload, "published": event.published}
