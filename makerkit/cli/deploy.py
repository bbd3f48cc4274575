"""``makerkit deploy``: copy the makerkit firmware onto a MicroPython board and configure the kit."""

from __future__ import annotations

import json

import rich_click as click

from ..i18n import current_language

EXIT_CODES = """Exit codes (for scripts):

\b
  0  deployed, and the board answers with the new kit id
  2  a bad option value (kit id, class, broker URL, interval) or an unknown board
  3  port problem, or the board did not give up its MicroPython prompt
  5  the deploy failed (not MicroPython, a file error, no answer after the restart)

退出码：0 成功；2 选项值有误；3 串口问题或拿不到 MicroPython 命令行；5 部署失败。

Passwords come from the environment, not the command line: MAKERKIT_WIFI_PASSWORD for the WiFi,
MAKERKIT_MQTT_USERNAME / MAKERKIT_MQTT_PASSWORD for a login made by hand (makerkit access add).
With --db the kit gets its own login instead (generated, written only to the kit; the portfolio
keeps its hash) and is registered in the class's inventory. Passwords are never printed."""

_TEXT = {
    "en": {"connect": "connecting", "compare": "comparing files", "write": "writing",
           "reset": "restarting", "confirm": "checking the kit id",
           "ok": "OK: kit {kit} (class {cls}) answers on {port}: {copied} file(s) written, "
                 "{skipped} unchanged, in {seconds:.1f} s.",
           "unconfirmed": "Files written ({copied} changed, {skipped} unchanged); the board was "
                          "restarted without checking its kit id."},
    "zh": {"connect": "连接中", "compare": "比较文件", "write": "写入", "reset": "重启",
           "confirm": "确认套件编号",
           "ok": "完成：{port} 上的套件 {kit}（班级 {cls}）已回应：写入 {copied} 个文件，"
                 "{skipped} 个没有变化，用时 {seconds:.1f} 秒。",
           "unconfirmed": "文件已写入（{copied} 个有变化，{skipped} 个没有变化）；开发板已重启，未确认套件编号。"},
}


@click.command()
@click.option("--port", "-p", required=True, help="The board's port: COM5, /dev/ttyUSB0, socket://HOST:PORT.")
@click.option("--kit-id", required=True, help="The kit's id, such as kit-07 (a-z, 0-9, -).")
@click.option("--class", "class_id", required=True, help="The class id, such as 7a (a-z, 0-9, -).")
@click.option("--wifi-ssid", help="WiFi network name for telemetry.")
@click.option("--wifi-password", envvar="MAKERKIT_WIFI_PASSWORD", help="WiFi password (never printed).")
@click.option("--broker", help="MQTT broker as mqtt://HOST:PORT, or mqtts://HOST:PORT?ca=CERTS/ca.pem for TLS "
                               "(the class CA from makerkit access ca goes onto the kit; no password in the URL).")
@click.option("--username", envvar="MAKERKIT_MQTT_USERNAME", help="MQTT username of this kit's own login.")
@click.option("--password", envvar="MAKERKIT_MQTT_PASSWORD", hidden=True,
              help="MQTT password: set MAKERKIT_MQTT_PASSWORD instead (never printed).")
@click.option("--db", help="Portfolio (sqlite:///portfolio.db or postgresql://...): give the kit its own login "
                           "from the class's access list and register it in the class's inventory.")
@click.option("--new-incarnation", is_flag=True,
              help="Start the kit's counters again (a kit handed out for a new term); erased kits get one anyway.")
@click.option("--interval", type=int, help="Seconds between the readings a board with sensors of its own (the 掌控板: light, sound) publishes by itself (default 10).")
@click.option("--board", "-b", help="Board profile (esp32, esp32s3, mpython); default: from the board.")
@click.option("--no-confirm", is_flag=True, help="Do not wait for the kit to answer after the restart.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Seconds to wait for each step.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (no progress bar).")
def deploy(port, kit_id, class_id, wifi_ssid, wifi_password, broker, username, password, db, new_incarnation,
           interval, board, no_confirm, timeout, as_json) -> None:
    """Copy the makerkit firmware onto a MicroPython board and configure the kit.
    把 makerkit 固件复制到 MicroPython 开发板上，并配置套件。

    Only changed files are written. Options you leave out keep the value already on the board.

    Example: makerkit deploy --port COM5 --kit-id kit-07 --class 7a --wifi-ssid lab --broker mqtt://10.0.0.2:1883
    --db sqlite:///portfolio.db

    Over TLS: --broker 'mqtts://10.0.0.2:8883?ca=certs/ca.pem' (certs/ from makerkit access ca --out certs
    --host 10.0.0.2); the kit then connects only to a broker whose certificate that CA signed.
    """
    from ..flash.deploy import deploy as run_deploy

    if db:      # the kit gets its own login: a login of the environment (the collector's...) is not for it
        username, password = _unless_from_env(username, "username"), _unless_from_env(password, "password")
    kwargs = dict(port=port, kit_id=kit_id, class_id=class_id, wifi_ssid=wifi_ssid,
                  wifi_password=wifi_password, broker=broker, username=username, password=password,
                  interval=interval, board=board, confirm=not no_confirm, timeout=timeout, db=db,
                  new_incarnation=new_incarnation)
    if as_json:
        result = run_deploy(**kwargs)
    else:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        text = _TEXT[current_language()]
        with Progress(TextColumn("{task.description:<18}"), BarColumn(), TextColumn("{task.fields[detail]:>14}"),
                      TimeElapsedColumn(), transient=False) as bar:
            tasks: dict[str, int] = {}

            def progress(phase: str, done: int, total: int) -> None:
                if phase == "done":
                    return
                detail = f"{done}/{total} B" if phase == "write" else f"{done}/{total}"
                if phase not in tasks:
                    for other in tasks.values():
                        bar.update(other, completed=bar.tasks[other].total)
                    tasks[phase] = bar.add_task(text.get(phase, phase), total=max(total, 1), detail=detail)
                bar.update(tasks[phase], completed=done, total=max(total, 1), detail=detail)

            result = run_deploy(progress=progress, **kwargs)
    summary = dict(port=result.port, board=result.board, kit=result.kit, **{"class": result.class_id},
                   copied=list(result.copied), skipped=list(result.skipped), removed=list(result.removed),
                   confirmed=result.confirmed, repl_via=result.repl_via, seconds=round(result.seconds, 3),
                   inc=result.inc, username=result.username, hw=(result.inventory or {}).get("hw_id"),
                   registered=result.inventory is not None)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    key = "ok" if result.confirmed else "unconfirmed"
    click.secho(_TEXT[current_language()][key].format(
        kit=result.kit, cls=result.class_id, port=result.port, copied=len(result.copied),
        skipped=len(result.skipped), seconds=result.seconds), fg="green")


def _unless_from_env(value, name: str):
    from click.core import ParameterSource
    source = click.get_current_context().get_parameter_source(name)
    return None if source == ParameterSource.ENVIRONMENT else value


deploy.help = (deploy.help or "") + "\n\n" + EXIT_CODES
