"""``makerkit flash``: put firmware on a board (Optiboot for Arduino, esptool for ESP32)."""

from __future__ import annotations

import json

import rich_click as click

from ..flash import flash_board

EXIT_CODES = """Exit codes (for scripts):

\b
  0  flashed and verified
  2  unknown board or bad option
  3  port problem (not found, busy, no permission, board unplugged or lost halfway)
  5  flashing failed (wrong chip, link lost halfway, ESP32 link failing at every speed)
  6  bad firmware file (not Intel HEX / ESP32 image, for another chip, cut short, too big for the board)
  7  no answer from the bootloader (wrong board or port, no bootloader, no reset; ESP32: not in download mode)
  8  verify failed (the flash reads back differently)

With several --port: 0 when every board was flashed, else the exit code of the first board that failed
(the table names each failed board and the command that retries just those).

退出码：0 成功；2 开发板或选项有误；3 串口问题；5 烧录失败；6 固件文件有问题；7 引导程序无回应；8 校验失败。"""


@click.command()
@click.option("--board", "-b", required=True, help="Board profile: uno, nano, esp32... (`makerkit boards`).")
@click.option("--port", "-p", "ports", required=True, multiple=True,
              help="Serial port of the board: COM5, /dev/ttyUSB0, /dev/ttyACM0... Give several --port to flash "
                   "several boards at once.")
@click.option("--firmware", "-f", type=click.Path(dir_okay=False),
              help="Firmware file (.hex for Arduino). Default: the makerkit firmware shipped for the board. "
                   "ESP32 boards need a local MicroPython .bin from micropython.org/download "
                   "(ESP32_GENERIC for ESP32 and 掌控板, ESP32_GENERIC_S3 for an S3); then `makerkit deploy`.")
@click.option("--baud", type=int, help="Bootloader speed (default: from the board profile).")
@click.option("--no-verify", is_flag=True, help="Skip reading the flash back (faster, not recommended).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (no progress bar).")
def flash(board: str, ports: tuple[str, ...], firmware: str | None, baud: int | None, no_verify: bool,
          as_json: bool) -> None:
    """Flash firmware onto a board, or onto several at once. 给开发板烧录固件（可以同时烧录多块）。

    Example: makerkit flash --board uno --port COM5

    Several boards: makerkit flash --board esp32 --port COM5 --port COM6 --port COM7 --firmware mp.bin
    """  # the exit-code table is appended below, so --help documents it
    options = {}
    if baud:
        options["baud"] = baud
    if no_verify:
        options["verify"] = False
    if len(ports) > 1:
        from .flash_many import flash_several
        flash_several(board=board, ports=list(ports), firmware=firmware, as_json=as_json, options=options)
        return
    port = ports[0]
    if as_json:
        result = flash_board(board=board, port=port, firmware=firmware, **options)
        click.echo(json.dumps({"board": result.board, "port": result.port, "firmware": result.firmware,
                               "bytes": result.bytes_written, "seconds": round(result.seconds, 3),
                               "verified": result.verified, "baud": result.baud}))
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    labels = {"connect": "connecting 连接中", "write": "writing 写入", "verify": "verifying 校验"}
    # The bar appears with the first progress report, so an image refused before the port is
    # touched prints only the error.
    bar: Progress | None = None
    tasks: dict[str, int] = {}

    def progress(phase: str, done: int, total: int) -> None:
        nonlocal bar
        if phase == "done":
            return
        if bar is None:
            bar = Progress(TextColumn("{task.description:<18}"), BarColumn(),
                           TextColumn("{task.fields[detail]:>16}"), TimeElapsedColumn(), transient=False)
            bar.start()
        detail = f"try {done}/{total}" if phase == "connect" else f"{done}/{total} B"
        if phase not in tasks:
            for other in tasks.values():
                bar.update(other, completed=bar.tasks[other].total)
            tasks[phase] = bar.add_task(labels.get(phase, phase), total=total, detail=detail)
        bar.update(tasks[phase], completed=done, total=total, detail=detail)

    try:
        result = flash_board(board=board, port=port, firmware=firmware, progress=progress, **options)
    finally:
        if bar is not None:
            bar.stop()
    click.secho(f"OK: {result.firmware} -> {result.board} on {result.port}, {result.bytes_written} bytes "
                f"in {result.seconds:.1f} s{' (verified)' if result.verified else ''}. 烧录完成。", fg="green")


flash.help = (flash.help or "") + "\n\n" + EXIT_CODES
