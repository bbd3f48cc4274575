"""``makerkit collect --broker mqtt://HOST:PORT --db URL``: log class telemetry into the portfolio."""

from __future__ import annotations

import signal
import threading

import rich_click as click

from ..i18n import current_language


@click.command()
@click.option("--broker", required=True, help="MQTT broker, mqtt://HOST:PORT or mqtts://HOST:PORT?ca=CERTS/ca.pem (TLS).")
@click.option("--db", required=True, help="Portfolio: sqlite:///portfolio.db or postgresql://...")
@click.option("--username", default=None, envvar="MAKERKIT_MQTT_USERNAME", help="Broker user name (or MAKERKIT_MQTT_USERNAME).")
@click.option("--password", default=None, envvar="MAKERKIT_MQTT_PASSWORD",
              help="Broker password (or MAKERKIT_MQTT_PASSWORD).")
@click.option("--share", default=None, help="Shared-subscription group: collectors with the same group split the messages.")
@click.option("--class", "classes", multiple=True, help="Only these classes (repeatable; default: all).")
@click.option("--id", "collector_id", default=None,
              help="Collector id (keeps its broker session across restarts; default: collector-HOSTNAME).")
@click.option("--quiet", is_flag=True, help="Do not print the ingest rate every few seconds.")
def collect(broker, db, username, password, share, classes, collector_id, quiet):
    """Log telemetry from MQTT into the portfolio until Ctrl-C / SIGTERM, then flush and exit 0.

    收集 MQTT 遥测数据写入作品集数据库；按 Ctrl-C 后先保存再退出。
    """
    from ..collector import collect as run

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    zh = current_language() == "zh"

    def show(st):
        err = getattr(st, "store_error", None)
        if err is not None:        # shown every few seconds (even with --quiet) until the portfolio can be written
            click.echo((f"错误：{err.message_zh} {err.hint_zh}（正在重试，第 {st.store_retries} 次）" if zh else
                        f"Error: {err.message_en} {err.hint_en} (retrying, attempt {st.store_retries})"), err=True)
        if quiet:
            return
        if zh:
            line = (f"已存 {st.stored} 条  速率 {st.rate:.0f}/秒  延迟 {st.lag_s * 1000:.0f} 毫秒  "
                    f"隔离 {st.quarantined}  缺口 修复{st.gaps_healed}/丢失{st.gaps_lost}")
            if st.unassigned_kits:
                line += f"  未登记套件：{', '.join(st.unassigned_kits[:5])}"
        else:
            line = (f"stored {st.stored}  rate {st.rate:.0f}/s  lag {st.lag_s * 1000:.0f} ms  "
                    f"quarantined {st.quarantined}  gaps healed {st.gaps_healed}/lost {st.gaps_lost}")
            if st.unassigned_kits:
                line += f"  unregistered kits: {', '.join(st.unassigned_kits[:5])}"
        if st.load_warning:
            line += "  (!)"
        click.echo(line, err=True)

    final = run(broker=broker, db=db, username=username, password=password, share=share,
                classes=list(classes) or None, collector_id=collector_id, stop_event=stop, on_stats=show)
    click.echo((f"已停止：共保存 {final.stored} 条，隔离 {final.quarantined} 条。" if zh else
                f"Stopped: {final.stored} stored, {final.quarantined} quarantined."), err=True)
