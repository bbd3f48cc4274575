"""``makerkit classroom up``: broker, collector and virtual kits on this laptop, readings landing live."""

from __future__ import annotations

import signal
import threading

import rich_click as click

from ..i18n import current_language


def _start_dashboard(room, host: str, port: int | None, zh: bool):
    """The class dashboard over the room's broker and portfolio (its own dashboard login beyond loopback)."""
    from ..dashboard import DashboardServer, preferred_listen
    login = room.logins.get("dashboard")
    listen = preferred_listen(host, 8080) if port is None else (f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
    dash = DashboardServer(broker=room.broker.url, db=room.db_url, listen=listen, classes=[room.class_id],
                           username=login.username if login else None, password=login.password if login else None)
    dash.start()
    if dash.settings.open_view:
        click.echo(f"班级看板：{dash.url}（教师控制：用 makerkit access add --db {room.db_url} --class {room.class_id} "
                   f"--role teacher --name 你的名字 建一个教师账号登录）" if zh else
                   f"Dashboard {dash.url}  (teacher controls: log in with a login from makerkit access add "
                   f"--db {room.db_url} --class {room.class_id} --role teacher --name YOURNAME)")
    else:
        click.echo(f"班级看板：http://本机在班级网络上的地址:{dash.port}（需要教师或看板账号登录）" if zh else
                   f"Dashboard on port {dash.port} of this laptop's class-network address (a teacher or dashboard "
                   f"login is needed); here: {dash.url}")
    return dash


def _tls(tls_dir):
    if not tls_dir:
        return None
    from ..access.certs import tls_files
    return tls_files(tls_dir)


@click.group()
def classroom():
    """The one-laptop classroom. 一台电脑上的创客教室。"""


@classroom.command()
@click.option("--duration", type=float, default=None, help="Stop by itself after this many seconds (default: until Ctrl-C).")
@click.option("--kits", type=click.IntRange(0, 60), default=3, show_default=True, help="Virtual kits publishing readings.")
@click.option("--db", default="classroom.db", show_default=True, help="SQLite portfolio file.")
@click.option("--class", "class_id", default="demo", show_default=True, help="Class id the kits publish under.")
@click.option("--broker-engine", type=click.Choice(["auto", "amqtt", "mosquitto"]), default="auto", show_default=True,
              help="auto = the built-in amqtt broker; mosquitto when installed and wanted.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the broker listens on (0.0.0.0 for real kits on the LAN).")
@click.option("--port", type=int, default=None, help="Broker port (default 1883, or a free one if 1883 is taken).")
@click.option("--interval", type=float, default=1.0, show_default=True, help="Seconds between a kit's readings.")
@click.option("--dashboard-port", type=click.IntRange(0, 65535), default=None,
              help="Port of the class dashboard, on the same address as the broker (default 8080, or a free one).")
@click.option("--no-dashboard", is_flag=True, help="Do not start the class dashboard.")
@click.option("--tls-dir", default=None, type=click.Path(file_okay=False),
              help="Certificates from makerkit access ca --out DIR --host THIS-LAPTOP: the broker serves mqtts:// "
                   "(default port 8883); deploy kits with --broker 'mqtts://HOST:8883?ca=DIR/ca.pem'.")
def up(duration, kits, db, class_id, broker_engine, host, port, interval, dashboard_port, no_dashboard, tls_dir):
    """Start a broker, the collector, virtual kits and the class dashboard; show readings landing in the portfolio.

    启动 MQTT 服务器、数据收集器、虚拟套件和班级看板，实时显示写入作品集的读数。
    """
    from ..classroom import classroom_up

    zh = current_language() == "zh"
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def started(room):
        b = room.broker
        click.echo((f"MQTT 服务器：{b.url}（{b.engine}）  作品集：{room.db_path}  虚拟套件：{room.kits_wanted} 个"
                    if zh else f"Broker {b.url} ({b.engine})  portfolio {room.db_path}  virtual kits: {room.kits_wanted}"))
        if room.port_moved:
            usual = room.default_port
            click.echo((f"{usual} 端口已被占用（可能已有 MQTT 服务器在运行），改用 {b.port} 端口。" if zh else
                        f"Port {usual} is taken (another broker is running?), so this one uses port {b.port}."), err=True)
        if not no_dashboard:
            dashboards.append(_start_dashboard(room, host, dashboard_port, zh))
        click.echo("按 Ctrl-C 停止。" if zh else "Press Ctrl-C to stop.")

    def reading(rec):
        values = "  ".join(f"{k}={v:g}{rec.units.get(k, '')}" for k, v in rec.readings.items())
        click.echo(f"{rec.class_id}/{rec.kit}  #{rec.seq:<5} {values}")

    def warning(rate, limit):
        click.secho((f"注意：每秒 {rate:.0f} 条消息，接近内置服务器的上限（约 {limit:.0f} 条/秒）；人多时请用 mosquitto。"
                     if zh else f"Warning: {rate:.0f} messages/s is near the built-in broker's limit "
                     f"(about {limit:.0f}/s); use mosquitto for a bigger load."), fg="yellow", err=True)

    dashboards = []
    try:
        summary = classroom_up(kits=kits, db=db, class_id=class_id, engine=broker_engine, host=host, port=port,
                               interval=interval, duration=duration, stop_event=stop, on_reading=reading,
                               on_warning=warning, on_started=started, tls=_tls(tls_dir))
    finally:
        for dash in dashboards:
            dash.stop()
    if zh:
        click.echo(f"\n已停止。{summary.duration_s:.0f} 秒内保存了 {summary.stored} 条读数，作品集在：{summary.db_path}")
        click.echo(f"导出：makerkit telemetry export --db {summary.db_url} --format csv")
    else:
        click.echo(f"\nStopped. {summary.stored} readings stored in {summary.duration_s:.0f} s; portfolio: {summary.db_path}")
        click.echo(f"Export it: makerkit telemetry export --db {summary.db_url} --format csv")
