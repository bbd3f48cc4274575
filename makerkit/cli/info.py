"""``makerkit info --port URL [--json]``: ask one board for its firmware, board type and kit id."""

from __future__ import annotations

import json

import rich_click as click

from ..catalog import load_boards
from ..device.kit_network import net_problem
from ..device.probe import DEFAULT_TIMEOUT, ProbeResult, probe
from ..i18n import current_language

_LABELS = {
    "en": {"port": "Port", "firmware": "Firmware", "protocol": "Firmata protocol", "board": "Board",
           "kit": "Kit id", "class": "Class", "boot": "Boots", "features": "Features",
           "unknown": "unknown", "unset": "(not set)", "net": "Network", "try": "What to try",
           "stock": "stock Firmata: makerkit's extras (telemetry, kit id) need the makerkit firmware",
           "from": {"identity": "reported by the firmware", "capabilities": "from its pin count",
                    "usb": "from the USB IDs"}},
    "zh": {"port": "串口", "firmware": "固件", "protocol": "Firmata 协议", "board": "开发板",
           "kit": "套件编号", "class": "班级", "boot": "启动次数", "features": "功能",
           "unknown": "未知", "unset": "（未设置）", "net": "网络", "try": "试试",
           "stock": "标准 Firmata 固件：遥测、套件编号等 makerkit 功能需要烧录 makerkit 固件",
           "from": {"identity": "固件报告", "capabilities": "根据引脚数量判断", "usb": "根据 USB ID 判断"}},
}


@click.command()
@click.option("--port", "-p", "url", required=True, metavar="URL",
              help="The board's port (COM3, /dev/ttyUSB0), a URL (socket://HOST:PORT) or sim://BOARD. "
                   "/ 开发板的串口或地址。")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds to wait for the board to answer (stock StandardFirmata needs about 2 s after reset).")
def info(url: str, as_json: bool, timeout: float) -> None:
    """Show the firmware name and version, the board type, the kit id and the class of one board.

    显示一块开发板的固件名称和版本、开发板型号、套件编号和班级。
    """
    if url.strip().lower().startswith("sim://"):
        from ..sim import VirtualKit  # the virtual kit is only loaded when asked for
        kit = VirtualKit(url.strip()[len("sim://"):] or "uno")
        try:
            result = probe(kit.transport, timeout=timeout)
        finally:
            kit.close()
    else:
        result = probe(url, timeout=timeout)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in describe(result, current_language()):
            click.echo(line)


def describe(result: ProbeResult, lang: str) -> list[str]:
    """The lines ``makerkit info`` prints."""
    t = _LABELS[lang]
    rows = [(t["port"], result.url + (f" ({result.baud} baud)" if result.baud else ""))]
    firmware = result.firmware
    if not result.is_makerkit:
        firmware += f"  ({t['stock']})"
    rows.append((t["firmware"], firmware))
    rows.append((t["protocol"], result.protocol_version or t["unknown"]))
    if result.board:
        profile = load_boards().get(result.board)
        name = (profile.name_zh if lang == "zh" else profile.name) if profile else result.board
        rows.append((t["board"], f"{result.board} — {name} ({t['from'][result.board_source]})"))
    else:
        rows.append((t["board"], t["unknown"]))
    if result.is_makerkit:
        rows.append((t["kit"], result.kit or t["unset"]))
        rows.append((t["class"], result.class_name or t["unset"]))
        if result.boot is not None:
            rows.append((t["boot"], str(result.boot)))
        if result.features:
            rows.append((t["features"], ", ".join(result.features)))
        problem = net_problem(str(result.identity.get("net") or ""))
        if problem is not None:          # why the kit is not on its broker (a refused certificate...)
            rows.append((t["net"], problem.message(lang)))
            rows.append((t["try"], problem.hint(lang)))
    width = max(_display_width(label) for label, _ in rows)
    return [f"{label}{' ' * (width - _display_width(label))}  {value}" for label, value in rows]


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
