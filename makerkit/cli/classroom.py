"""``makerkit classroom up``: broker, collector and virtual kits on this laptop, readings landing live."""

from __future__ import annotations

import signal
import threading

import rich_click as click

from ..i18n import current_language


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
def up(duration, kits, db, class_id, broker_engine, host, port, interval):
    """Start a broker, the collector and virtual kits; show readings landing in the portfolio.

    启动 MQTT 服务器、数据收集器和虚拟套件，实时显示写入作品集的读数。
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
            click.echo((f"1883 端口已被占用（可能已有 MQTT 服务器在运行），改用 {b.port} 端口。" if zh else
                        f"Port 1883 is taken (another broker is running?), so this one uses port {b.port}."), err=True)
        click.echo("按 Ctrl-C 停止。" if zh else "Press Ctrl-C to stop.")

    def reading(rec):
        values = "  ".join(f"{k}={v:g}{rec.units.get(k, '')}" for k, v in rec.readings.items())
        click.echo(f"{rec.class_id}/{rec.kit}  #{rec.seq:<5} {values}")

    def warning(rate, limit):
        click.secho((f"注意：每秒 {rate:.0f} 条消息，接近内置服务器的上限（约 {limit:.0f} 条/秒）；人多时请用 mosquitto。"
                     if zh else f"Warning: {rate:.0f} messages/s is near the built-in broker's limit "
                     f"(about {limit:.0f}/s); use mosquitto for a bigger load."), fg="yellow", err=True)

    summary = classroom_up(kits=kits, db=db, class_id=class_id, engine=broker_engine, host=host, port=port,
                           interval=interval, duration=duration, stop_event=stop, on_reading=reading,
                           on_warning=warning, on_started=started)
    if zh:
        click.echo(f"\n已停止。{summary.duration_s:.0f} 秒内保存了 {summary.stored} 条读数，作品集在：{summary.db_path}")
        click.echo(f"导出：makerkit telemetry export --db {summary.db_url} --format csv")
    else:
        click.echo(f"\nStopped. {summary.stored} readings stored in {summary.duration_s:.0f} s; portfolio: {summary.db_path}")
        click.echo(f"Export it: makerkit telemetry export --db {summary.db_url} --format csv")
