"""``makerkit class provision | status | update | labels``: setting up a class set and keeping it current."""

from __future__ import annotations

import json
import os
import sys
import threading

import rich_click as click

from ..i18n import current_language

DB_HELP = "Portfolio: sqlite:///portfolio.db or postgresql://..."
STEPS = {"check": ("checking", "检查"), "flash": ("flashing", "烧录"), "deploy": ("deploying", "部署"),
         "configure": ("configuring", "配置"), "register": ("registering", "登记"), "done": ("done", "完成"),
         "failed": ("failed", "失败")}
STATES = {"provisioned": ("provisioned", "已配置", "green"), "already done": ("already done", "早已完成", "green"),
          "updated": ("updated", "已更新", "green"), "current": ("already current", "已是最新", "green"),
          "failed": ("failed", "失败", "red")}
EXIT_FAILED = 12     # at least one board failed; the table names it and the retry command


def _zh() -> bool:
    return current_language() == "zh"


def _console():
    from rich.console import Console
    return Console(width=None if sys.stdout.isatty() else 160)


def _ports(board: str, ports: tuple[str, ...], all_ports: bool) -> list[str]:
    from ..errors import UsageError
    if ports and all_ports:
        raise UsageError(en="Give either --port (one or more) or --all, not both.",
                         zh="请只用 --port（可以多个）或 --all 中的一种。",
                         hint_en="--all takes every detected port of the board.", hint_zh="--all 会使用检测到的所有该型号开发板。")
    if not ports and not all_ports:
        raise UsageError(en="Say which boards to set up: --port URL (one per board) or --all.",
                         zh="请指定要设置的开发板：--port 串口（每块板一个）或 --all。",
                         hint_en="Run `makerkit ports` to see the boards plugged in.",
                         hint_zh="运行 `makerkit ports` 查看已插上的开发板。")
    if all_ports:
        from ..classroom.provision import detected_ports
        return detected_ports(board)
    return list(ports)


def _run_with_progress(run, ports: list[str], as_json: bool):
    """Run ``run(progress=...)`` with one live line per board (none for --json)."""
    if as_json:
        return run(progress=None)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    zh = _zh()
    bar = Progress(TextColumn("{task.description:<24}"), TextColumn("{task.fields[step]:<12}"), BarColumn(),
                   TextColumn("{task.fields[detail]:>16}"), TimeElapsedColumn(), console=_console())
    tasks = {p: bar.add_task(p, total=1, step="", detail="") for p in ports}
    lock = threading.Lock()

    def progress(port: str, step: str, done: int, total: int) -> None:
        label = STEPS.get(step, (step, step))[1 if zh else 0]
        with lock:
            if step in ("done", "failed"):
                bar.update(tasks[port], completed=1, total=1, step=label, detail="")
            else:
                bar.update(tasks[port], completed=done, total=max(total, 1), step=label,
                           detail=f"{done}/{total}" if total > 1 else "")
    with bar:
        return run(progress=progress)


def _show(result, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        from rich.table import Table
        zh = _zh()
        table = Table(title=(f"{result.class_id}：{result.board} 套件" if zh else f"{result.class_id}: {result.board} kits")
                      + f" ({result.seconds:.1f} s)")
        for col in (["串口", "套件", "结果", "说明"] if zh else ["port", "kit", "result", "what happened"]):
            table.add_column(col, overflow="fold")
        for o in result.outcomes:
            en, cn, colour = STATES[o.state]
            if o.ok:
                parts = []
                if o.flashed_bytes or o.skipped_bytes:
                    parts.append(f"烧录 {o.flashed_bytes} 字节（{o.skipped_bytes} 字节已是最新）" if zh else
                                 f"flashed {o.flashed_bytes} bytes ({o.skipped_bytes} already there)")
                if o.files_written:
                    parts.append(f"写入 {o.files_written} 个文件" if zh else f"{o.files_written} files written")
                if o.username:
                    parts.append(f"登录 {o.username}" if zh else f"login {o.username}")
                if o.holder:
                    parts.append(f"分给 {o.holder}" if zh else f"given to {o.holder}")
                if o.firmware:
                    parts.append(o.firmware)
                what = "，".join(parts) if zh else ", ".join(parts)
            else:
                step = STEPS.get(o.step, (o.step, o.step))[1 if zh else 0]
                lang = "zh" if zh else "en"
                what = f"[{step}] {o.error.message(lang)} {o.error.hint(lang)}"
            table.add_row(o.port, o.kit or "-", f"[{colour}]{cn if zh else en}[/]", what)
        _console().print(table)
        ok = len(result.outcomes) - len(result.failed)
        click.echo(f"{ok} 块完成，{len(result.failed)} 块失败。" if zh else f"{ok} done, {len(result.failed)} failed.")
        if result.failed:
            click.echo(("只重试失败的开发板：" if zh else "Retry just the failed boards:") + "\n  " + result.retry_command())
        if any(o.state == "provisioned" and o.username for o in result.outcomes):
            click.echo("服务器要在重新生成文件后才认新账号：makerkit broker config ...，再 kill -HUP PID"
                       "（或重启 makerkit broker run）。" if zh else
                       "The broker lets new logins in once its files are written again: makerkit broker config ..., "
                       "then kill -HUP PID (or restart makerkit broker run).")
    if result.failed:
        sys.exit(EXIT_FAILED)


def _words(ctx) -> list[str]:
    """The command with the options given (for the retry command, which adds the failed ports)."""
    from click.core import ParameterSource
    words = ["makerkit", "class", ctx.info_name]
    for param in ctx.command.params:
        name, value = param.name, ctx.params.get(param.name)
        if name in ("ports", "all_ports", "as_json") or value in (None, False, ()):
            continue
        if ctx.get_parameter_source(name) == ParameterSource.DEFAULT:
            continue
        flag = max(param.opts, key=len)
        words += [flag] if value is True else [flag, str(value)]
    return words


@click.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", required=True, help="Class id, e.g. 7a.")
@click.option("--board", "-b", required=True, help="Board profile: esp32, esp32s3, uno... (`makerkit boards`).")
@click.option("--port", "-p", "ports", multiple=True, help="A board's port (give one --port per board).")
@click.option("--all", "all_ports", is_flag=True, help="Every detected port of this board type.")
@click.option("--firmware", "-f", type=click.Path(dir_okay=False), help="Flash this image first (MicroPython .bin).")
@click.option("--wifi-ssid", help="WiFi network of the class's kits (the password: MAKERKIT_WIFI_PASSWORD or a prompt).")
@click.option("--broker", required=True, help="The class broker, mqtt://HOST:PORT or mqtts://HOST:PORT?ca=CERTS/ca.pem "
                                              "(TLS: the class CA goes onto every kit).")
@click.option("--assign", is_flag=True, help="Give the kits nobody holds to the students without one, in roster order.")
@click.option("--timeout", type=float, default=15.0, show_default=True, help="Seconds to wait for each board's steps.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (no progress lines).")
@click.pass_context
def provision(ctx, db, class_id, board, ports, all_ports, firmware, wifi_ssid, broker, assign, timeout, as_json):
    """Set up a class set at once: flash (with --firmware), deploy, give each kit its own login, register, assign.

    一次配置全班的套件：烧录（加 --firmware 时）、部署固件、为每个套件创建登录账号、登记、分配给学生。

    One board that fails never stops the others. Running the same command again skips the kits that
    are already done. The end is a table of every kit and, when some failed, the command that retries
    just those (exit code 12).

    Example: MAKERKIT_WIFI_PASSWORD=... makerkit class provision --db sqlite:///portfolio.db --class 7a
    --board esp32 --all --wifi-ssid makerlab --broker mqtt://10.0.0.2:1883 --assign
    """
    from ..classroom.provision import provision as run_provision
    from ..protocol.telemetry import check_id
    check_id(class_id, "class")
    wifi_password = None
    if wifi_ssid:
        wifi_password = os.environ.get("MAKERKIT_WIFI_PASSWORD")
        if wifi_password is None:
            wifi_password = click.prompt("WiFi 密码" if _zh() else f"WiFi password for {wifi_ssid}", hide_input=True,
                                         default="", show_default=False)
    targets = _ports(board, ports, all_ports)
    result = _run_with_progress(
        lambda progress: run_provision(db=db, class_id=class_id, board=board, ports=targets, broker=broker,
                                       wifi_ssid=wifi_ssid, wifi_password=wifi_password, firmware=firmware,
                                       assign=assign, timeout=timeout, progress=progress, command=_words(ctx)),
        targets, as_json)
    _show(result, as_json)


@click.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", required=True, help="Class id, e.g. 7a.")
@click.option("--board", "-b", required=True, help="Board profile: esp32, esp32s3, uno...")
@click.option("--port", "-p", "ports", multiple=True, help="A kit's port (give one --port per kit).")
@click.option("--all", "all_ports", is_flag=True, help="Every detected port of this board type.")
@click.option("--firmware", "-f", type=click.Path(dir_okay=False),
              help="Also flash this image (regions already holding it are skipped).")
@click.option("--timeout", type=float, default=15.0, show_default=True, help="Seconds to wait for each kit's steps.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (no progress lines).")
@click.pass_context
def update(ctx, db, class_id, board, ports, all_ports, firmware, timeout, as_json):
    """Bring the class's kits up to this makerkit's firmware, in parallel, writing only what changed.

    并行地把全班套件的固件更新到本 makerkit 的版本，只写入有变化的部分。

    Kits already current are left alone; kits keep their ids, settings and logins.
    Example: makerkit class update --db sqlite:///portfolio.db --class 7a --board esp32 --all
    """
    from ..classroom.provision import update as run_update
    targets = _ports(board, ports, all_ports)
    result = _run_with_progress(
        lambda progress: run_update(db=db, class_id=class_id, board=board, ports=targets, firmware=firmware,
                                    timeout=timeout, progress=progress, command=_words(ctx)),
        targets, as_json)
    _show(result, as_json)


@click.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", required=True, help="Class id, e.g. 7a.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def status(db, class_id, as_json):
    """Which kits run outdated or foreign firmware (from the class inventory; no cable needed).

    查看哪些套件的固件过时或不是 makerkit 固件（根据班级登记信息，无需连接）。
    """
    from ..classroom.firmware import firmware_report
    from ..flash.enrol import check_class
    from ..store import open_store
    with open_store(db) as store:
        check_class(store, class_id)
        report = firmware_report(store, class_id)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    from rich.table import Table
    zh = _zh()
    names = {"current": ("current", "最新", "green"), "outdated": ("outdated", "过时", "yellow"),
             "foreign": ("foreign", "非 makerkit", "red"), "unknown": ("unknown", "未知", "dim")}
    table = Table(title=f"{class_id}: " + ("固件" if zh else "firmware"))
    for col in (["套件", "开发板", "固件", "状态", "最后在线"] if zh else ["kit", "board", "firmware", "state", "last seen"]):
        table.add_column(col, overflow="fold")
    for k in report["kits"]:
        en, cn, colour = names[k["state"]]
        table.add_row(k["kit"], k["board"], k["firmware"] or "-", f"[{colour}]{cn if zh else en}[/]",
                      k["last_seen"] or ("从未" if zh else "never"))
    _console().print(table)
    c = report["counts"]
    click.echo(f"最新 {c['current']}，过时 {c['outdated']}，非 makerkit {c['foreign']}，未知 {c['unknown']}。" if zh else
               f"{c['current']} current, {c['outdated']} outdated, {c['foreign']} foreign, {c['unknown']} unknown.")
    if c["outdated"] or c["foreign"]:
        boards = sorted({k["board"] for k in report["kits"] if k["state"] in ("outdated", "foreign") and k["board"]})
        for b in boards or ["BOARD"]:
            click.echo(("更新：" if zh else "Update them: ") + f"makerkit class update --db {db} --class {class_id} "
                       f"--board {b} --all")


@click.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", required=True, help="Class id, e.g. 7a.")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), help="labels.pdf or labels.png")
@click.option("--kit", "kits", multiple=True, help="Only these kits (default: every kit of the class).")
def labels(db, class_id, out, kits):
    """A sheet of kit labels to print (kit id, class and a QR code of them), as PDF or PNG.

    打印套件标签（套件编号、班级和二维码），保存为 PDF 或 PNG。
    """
    from ..classroom.labels import label_sheet
    from ..store import open_store
    with open_store(db) as store:
        done = label_sheet(store, class_id, out, kits=list(kits) or None)
    zh = _zh()
    click.echo(f"已为 {len(done['kits'])} 个套件生成 {done['pages']} 页标签：{', '.join(done['files'])}" if zh else
               f"{len(done['kits'])} labels on {done['pages']} page(s): {', '.join(done['files'])}")


def register(group) -> None:
    """Add ``provision``, ``update``, ``status`` and ``labels`` to the ``makerkit class`` group."""
    for command in (provision, update, status, labels):
        group.add_command(command)
