"""``pause()``: wait for ever, for programs that only react through ``when_...`` functions (as gpiozero's)."""

from __future__ import annotations

from ..errors import UsageError
from .current import current_kit


def pause(kit=None) -> None:
    """Keep the program running (and the kit's clock moving) until Ctrl-C or the kit goes away::

        with makerkit.connect("sim://uno") as kit:
            kit.button("D2").when_pressed = kit.led("D13").toggle
            makerkit.pause()
    """
    kit = kit if kit is not None else current_kit()
    if kit is None:
        raise UsageError(
            en="pause() needs a kit: call it inside `with makerkit.connect(...) as kit:`, or call kit.pause().",
            zh="pause() 需要一个套件：请在 `with makerkit.connect(...) as kit:` 里面调用，或者调用 kit.pause()。")
    kit.pause()
