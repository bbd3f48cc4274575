"""``makerkit flash`` with several ``--port``: one live progress line per board, then a table of every
port with what happened and the command that retries just the failed boards."""

from __future__ import annotations

import json
import sys
import threading

import rich_click as click

from ..i18n import current_language

PHASES = {"connect": ("connecting", "连接中"), "write": ("writing", "写入"), "verify": ("verifying", "校验"),
          "done": ("done", "完成")}


def _zh() -> bool:
    return current_language() == "zh"


def _json(result) -> None:
    rows = []
    for o in result.outcomes:
        row = {"port": o.port, "ok": o.ok, "seconds": round(o.seconds, 3)}
        if o.ok:
            row.update(bytes=o.result.bytes_written, verified=o.result.verified, baud=o.result.baud,
                       skipped_bytes=o.result.details.get("skipped_bytes", 0))
        else:
            row.update(error=o.error.message_en, error_zh=o.error.message_zh, exit_code=o.error.exit_code)
        rows.append(row)
    click.echo(json.dumps({"board": result.board, "firmware": result.firmware, "ports": rows,
                           "retry": result.retry_command()}, ensure_ascii=False))


def _table(console, result) -> None:
    from rich.table import Table
    zh = _zh()
    table = Table(title=("烧录结果" if zh else "Flash results") + f" ({result.board}, {result.seconds:.1f} s)")
    for col in (["串口", "结果", "说明"] if zh else ["port", "result", "what happened"]):
        table.add_column(col, overflow="fold")
    for o in result.outcomes:
        if o.ok:
            skipped = o.result.details.get("skipped_bytes", 0)
            what = (f"{o.result.bytes_written} 字节，{o.seconds:.1f} 秒" if zh else
                    f"{o.result.bytes_written} bytes in {o.seconds:.1f} s") + (" (verified)" if o.result.verified else "")
            if skipped:
                what += (f"，{skipped} 字节已是最新" if zh else f", {skipped} bytes already there")
            table.add_row(o.port, "[green]" + ("已烧录" if zh else "flashed") + "[/]", what)
        else:
            table.add_row(o.port, "[red]" + ("失败" if zh else "failed") + "[/]",
                          f"{o.error.message('zh' if zh else 'en')} {o.error.hint('zh' if zh else 'en')}")
    console.print(table)


def flash_several(*, board: str, ports: list[str], firmware: str | None, as_json: bool, options: dict) -> None:
    """Run :func:`makerkit.flash.parallel.flash_many` and render it; exits non-zero when a board failed."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..flash.parallel import flash_many
    if as_json:
        result = flash_many(board=board, ports=ports, firmware=firmware, **options)
        _json(result)
    else:
        console = Console(width=None if sys.stdout.isatty() else 160)
        zh = _zh()
        bar = Progress(TextColumn("{task.description:<24}"), TextColumn("{task.fields[phase]:<10}"), BarColumn(),
                       TextColumn("{task.fields[detail]:>20}"), TimeElapsedColumn(), console=console)
        tasks = {p: bar.add_task(p, total=1, phase="", detail="") for p in ports}
        lock = threading.Lock()

        def progress(port: str, phase: str, done: int, total: int) -> None:
            label = PHASES.get(phase, (phase, phase))[1 if zh else 0]
            detail = f"{done}/{total}" + ("" if phase == "connect" else " B")
            with lock:
                if phase == "done":
                    bar.update(tasks[port], completed=1, total=1, phase=label, detail="")
                else:
                    bar.update(tasks[port], completed=done, total=max(total, 1), phase=label, detail=detail)

        with bar:
            result = flash_many(board=board, ports=ports, firmware=firmware, progress=progress, **options)
            for o in result.failed:
                bar.update(tasks[o.port], phase="失败" if zh else "failed", detail="")
        _table(console, result)
        ok = len(result.outcomes) - len(result.failed)
        click.echo(f"{ok} 块已烧录，{len(result.failed)} 块失败。" if zh else
                   f"{ok} flashed, {len(result.failed)} failed.")
        if result.failed:
            click.echo(("只重试失败的开发板：" if zh else "Retry just the failed boards:") + "\n  " + result.retry_command())
    if result.failed:
        sys.exit(result.failed[0].error.exit_code)
