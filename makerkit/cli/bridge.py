"""``makerkit bridge --port PORT --broker mqtt://HOST:PORT``: publish a USB-tethered kit's telemetry."""

from __future__ import annotations

import signal
import threading

import rich_click as click

from ..i18n import current_language


@click.command()
@click.option("--port", required=True, help="The kit's serial port (COM3, /dev/ttyUSB0) or sim://uno.")
@click.option("--broker", required=True, help="MQTT broker, mqtt://HOST:PORT or mqtts://HOST:PORT?ca=CERTS/ca.pem (TLS).")
@click.option("--board", default=None, help="Board profile when the firmware cannot tell.")
@click.option("--class", "class_id", default=None, help="Class id to store on the kit and publish under.")
@click.option("--kit", "kit_id", default=None, help="Kit id to store on the kit and publish under.")
@click.option("--outbox", default=None, help="Disk buffer file (default: bridge-CLASS-KIT.db here).")
@click.option("--username", default=None, envvar="MAKERKIT_MQTT_USERNAME", help="Broker user name (or MAKERKIT_MQTT_USERNAME).")
@click.option("--password", default=None, envvar="MAKERKIT_MQTT_PASSWORD", help="Broker password (or MAKERKIT_MQTT_PASSWORD).")
def bridge(port, broker, board, class_id, kit_id, outbox, username, password):
    """Publish a tethered kit's readings to MQTT, buffering on disk while the broker is away (Ctrl-C stops).

    为通过 USB 连接的套件转发遥测数据；MQTT 服务器断开时先保存在磁盘上。
    """
    from ..bridge import run_bridge

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    zh = current_language() == "zh"

    def show(b):
        # every notice (port lost and back, reused numbers, readings the kit dropped) once, then the counts
        for note in b.take_notices():
            click.echo(note["zh"] if zh else note["en"], err=True)
        waiting = b.outbox.count(sent=False)
        port_state = ("" if b.kit is not None else ("，端口断开，正在重新打开" if zh else ", port lost: reopening"))
        click.echo((f"已发布 {b.published} 条，等待发送 {waiting} 条，重发 {b.replayed} 条{port_state}" if zh else
                    f"published {b.published}, waiting {waiting}, replayed {b.replayed}{port_state}"), err=True)
        err = b.disk_error
        if err is not None:
            click.echo((f"错误：{err.message_zh} {err.hint_zh}" if zh else f"Error: {err.message_en} {err.hint_en}"),
                       err=True)

    run_bridge(port=port, broker=broker, board=board, class_id=class_id, kit_id=kit_id, outbox=outbox,
               username=username, password=password, stop_event=stop, on_status=show)
