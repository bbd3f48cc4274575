"""A tethered kit's link to the class while a lesson runs: this computer bridges it.

A kit without WiFi of its own (an Uno, a Nano, a Mega, an ESP32 not deployed on the class WiFi)
reaches the class broker only through the computer its cable goes to. Outside a lesson that is
``makerkit bridge``; but a lesson holds the kit's port, so ``makerkit lesson run ... --port COM3
--broker mqtt://...`` runs the same :class:`~makerkit.bridge.Bridge` on the lesson's own kit for as
long as the lesson runs. Then what the program sends (``kit.publish``, ``kit.event``) reaches the
class telemetry, on disk first while the broker is away, and a teacher's ``say`` or ``stop`` from the
dashboard reaches the program's ``kit.when_message`` (the bridge obeys it over the cable and hands it
on), exactly as for a kit on WiFi.

    with class_link(kit, broker="mqtt://10.0.0.2:1883", class_id="7a", kit_id="kit-07"):
        run_lesson(lesson, kit=kit)
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from ..errors import UsageError


@contextmanager
def class_link(kit: Any, *, broker: str | None, class_id: str | None = None, kit_id: str | None = None,
               username: str | None = None, password: str | None = None,
               outbox: str | None = None) -> Iterator[Any]:
    """Bridge ``kit`` to the class ``broker`` while the block runs (nothing when ``broker`` is None);
    yields the running bridge. A kit that is on the class WiFi itself needs no bridge: it is refused,
    so its readings are not published twice."""
    if broker is None:
        yield None
        return
    if kit.board.has_network and kit.firmware.supports("config") and kit.config().get("broker"):
        raise UsageError(
            en=f"This {kit.board.name} sends to the class broker over its own WiFi: it needs no --broker.",
            zh=f"这块{kit.board.name_zh}自己通过 WiFi 连接班级的 MQTT 服务器，不需要 --broker。",
            hint_en="Leave out --broker (it is for kits on a USB cable only, like an Arduino Uno).",
            hint_zh="去掉 --broker（它只用于通过 USB 线连接的套件，比如 Arduino Uno）。")
    from ..bridge import Bridge
    bridge = Bridge(kit, broker, outbox=outbox, class_id=class_id, kit_id=kit_id, username=username,
                    password=password).start()
    try:
        yield bridge
    finally:
        bridge.stop()


__all__ = ["class_link"]
