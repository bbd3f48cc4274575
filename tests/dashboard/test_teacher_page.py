"""The teacher's page lists the class's open gaps (numbers the collector still waits for) and its
quarantined messages (what the real collector refused, and why, in the page's language); another
class's are not shown."""

from __future__ import annotations

import json

from makerkit.collector import Collector
from makerkit.store import Gap, open_store

from .conftest import wait_until
from .test_access import Browser


def test_open_gaps_and_quarantine(broker, dashboard, portfolio, publisher):
    with open_store(portfolio["url"]) as store:
        store.add_class("7b")
    collector = Collector(broker.url, portfolio["url"], collector_id="teacherpage").start()
    try:
        publisher.reading("kit-01", {"temperature": 21.0})
        publisher.client.publish("makerkit/v1/7a/kit-01/telemetry", b"{broken", qos=1).wait_for_publish(5)
        publisher.client.publish("makerkit/v1/7a/kit-02/telemetry", json.dumps(
            {"v": 1, "seq": 1, "boot": 1, "uptime_ms": 1, "readings": {"Bad Name": 1}}), qos=1).wait_for_publish(5)
        publisher.client.publish("makerkit/v1/7b/kit-01/telemetry", b"not json", qos=1).wait_for_publish(5)
        with open_store(portfolio["url"]) as store:
            wait_until(lambda: store.quarantine_count() == 3, 15, what="three messages quarantined")
    finally:
        collector.stop()
    with open_store(portfolio["url"]) as store:
        store.add_gaps([Gap("7a", "kit-01", 40, 45, "open", "2026-12-01T08:00:00.000Z", 2, ""),
                        Gap("7b", "kit-01", 3, 4, "open", "2026-12-01T08:00:00.000Z", 1, "")])
    b = Browser(dashboard.url)
    b.login(portfolio["teacher"], next_path="/teacher")
    status, _, page = b.request("/teacher?lang=en")
    assert status == 200
    gaps = page.split('id="gaps"', 1)[1].split("</table>", 1)[0]
    assert gaps.count("<tr data-gap-kit=") == 1 and "40–45" in gaps           # 7a's gap only
    quarantine = page.split('id="quarantine"', 1)[1].split("</table>", 1)[0]
    assert quarantine.count("<tr data-reason=") == 2 and "makerkit/v1/7b/" not in quarantine
    assert 'data-reason="bad_json"' in quarantine and "not valid JSON" in quarantine
    assert "does not follow the contract" in quarantine                        # the bad reading name
    status, _, page = b.request("/teacher?lang=zh")
    assert "不是有效的 JSON" in page and "未补齐的缺口" in page
