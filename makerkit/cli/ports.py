"""``makerkit ports [--probe] [PORT ...] [--json]``: the connected boards, and what they are."""

from __future__ import annotations

import json

import rich_click as click

from ..device.probe import DEFAULT_TIMEOUT, PortReport, scan_ports
from ..i18n import current_language

_TEXT = {
    "en": {"head": ("PORT", "USB ID", "BRIDGE", "BOARDS (from USB IDs)"), "none": "no serial ports found",
           "no_boards": "No boards found. Plug one in (try another USB cable: some only charge).",
           "not_board": "(not a board)", "ambiguous": "several boards use this chip: --probe tells",
           "held": "in use by", "served": "pseudo-terminal served by", "answer": "answers", "kit": "kit", "class": "class",
           "unknown_board": "board type unknown"},
    "zh": {"head": ("串口", "USB ID", "桥接芯片", "可能的开发板（按 USB ID）"), "none": "没有找到串口",
           "no_boards": "没有找到开发板。请插上一块（可以换一根 USB 线试试：有些线只能充电）。",
           "not_board": "（不是开发板）", "ambiguous": "多种开发板都用这个芯片：加 --probe 可以确认",
           "held": "正被占用：", "served": "虚拟串口的提供者：", "answer": "回应", "kit": "套件", "class": "班级",
           "unknown_board": "开发板类型未知"},
}


@click.command()
@click.argument("ports", nargs=-1, metavar="[PORT]...")
@click.option("--probe", "probe_boards", is_flag=True,
              help="Ask boards what they are (firmware, board, kit id): the PORTs named, or else only "
                   "the likely boards. Opening a port resets most Arduinos. / 询问开发板的固件、型号和套件编号。")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--timeout", type=float, default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds to wait for each probed board (stock StandardFirmata needs about 2 s after reset).")
def ports(ports: tuple[str, ...], probe_boards: bool, as_json: bool, timeout: float) -> None:
    """List serial ports: port, USB VID:PID, bridge chip and the board profiles that match.

    列出串口：端口、USB VID:PID、桥接芯片和可能的开发板型号。USB ID 只是线索；加 --probe 直接询问开发板。
    """
    reports = scan_ports(ports, probe_boards=probe_boards, timeout=timeout)
    lang = current_language()
    if as_json:
        click.echo(json.dumps([r.to_dict(lang) for r in reports], ensure_ascii=False, indent=2))
    else:
        _print_table(reports, lang, probe_boards)
    errors = [r.error for r in reports if r.error is not None]
    if errors:
        raise errors[0]


def _print_table(reports: list[PortReport], lang: str, probed: bool) -> None:
    t = _TEXT[lang]
    if not reports:
        click.echo(t["none"])
        return
    rows = [t["head"]]
    for r in reports:
        info = r.info
        if info is None:
            rows.append((r.port, "-", "-", ""))
            continue
        boards = ", ".join(info.candidates) if info.candidates else ("" if info.bridge else t["not_board"])
        rows.append((r.port, info.usb_id or "-", info.bridge or "-", boards))
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    for index, row in enumerate(rows):
        line = "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row[:3]))
        line += "  " + row[3]
        click.echo(line.rstrip(), color=None)
        if index == 0:
            continue
        _print_details(reports[index - 1], t, lang)
    if probed and not any(r.probed for r in reports):
        click.echo(t["no_boards"])


def _print_details(r: PortReport, t: dict, lang: str) -> None:
    pad = "    "
    if r.info is not None and r.info.is_ambiguous and not r.probed:
        click.echo(f"{pad}{t['ambiguous']}")
    others = [h for h in r.holders if not h.is_self and not h.other_end]
    if others:
        click.echo(f"{pad}{t['held']} {', '.join(h.describe() for h in others)}")
    servers = [h for h in r.holders if h.other_end]
    if servers:
        click.echo(f"{pad}{t['served']} {', '.join(h.describe() for h in servers)}")
    if r.result is not None:
        res = r.result
        board = res.board or t["unknown_board"]
        parts = [f"{t['answer']}: {res.firmware}", board]
        if res.kit:
            parts.append(f"{t['kit']} {res.kit}")
        if res.class_name:
            parts.append(f"{t['class']} {res.class_name}")
        click.secho(f"{pad}-> " + ", ".join(parts), fg="green")
    elif r.error is not None:
        click.secho(f"{pad}-> {r.error.message(lang)}", fg="red")


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
