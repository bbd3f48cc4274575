"""One kit's page: its readings over the lesson from the store (the real collector wrote them), its
lesson results with the checker's findings, and a robot run's picture; opened in headless Chromium."""

from __future__ import annotations

import struct
import zlib

from makerkit.collector import Collector
from makerkit.store import open_store

from .conftest import artifact, wait_until
from .test_access import Browser


def _png(width=40, height=24) -> bytes:
    raw = b"".join(b"\x00" + bytes((200, 80, 40)) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_kit_page_shows_stored_readings_results_and_pictures(broker, dashboard, portfolio, publisher, chromium):
    collector = Collector(broker.url, portfolio["url"], collector_id="kitpage").start()
    try:
        for i in range(40):
            publisher.reading("kit-01", {"temperature": 20 + i / 10, "humidity": 40.0}, {"temperature": "°C"})
        with open_store(portfolio["url"]) as store:
            wait_until(lambda: store.count_readings_in("7a", "kit-01", "2000-01-01T00:00:00.000Z", None) == 40, 15,
                       what="40 readings stored")
    finally:
        collector.stop()
    with open_store(portfolio["url"]) as store:
        picture = store.put_attachment(_png(), "image/png")
        store.add_lesson_run(class_id="7a", student="s-wxm001", group=None, kit="kit-01", lesson_id="04-robot-line",
                             mode="check", board="esp32", sim=True, outcome="pass",
                             findings=[{"status": "pass", "en": "The robot followed the line", "zh": "机器人沿线行驶",
                                        "picture": picture}], code=b"def main(kit): pass\n", code_name="line.py",
                             credits=0.5, actor="test")
    page = chromium.new_page(viewport={"width": 1200, "height": 1000})
    try:
        page.goto(dashboard.url + "/kit/7a/kit-01?lang=en")
        page.locator('[data-chart="temperature"] svg polyline').wait_for(timeout=10_000)
        assert page.locator('[data-chart="humidity"] svg').count() == 1
        assert "s-wxm001" in page.locator(".holder").inner_text()
        row = page.locator("table.runs tbody tr").first
        assert "04-robot-line" in row.inner_text() and "The robot followed the line" in row.inner_text()
        img = page.locator(".pictures img")
        img.wait_for(timeout=10_000)
        page.wait_for_function("document.querySelector('.pictures img').naturalWidth === 40", timeout=10_000)
        page.click('[data-span="term"]')
        page.locator('[data-chart="temperature"] svg').wait_for(timeout=10_000)
        page.goto(dashboard.url + "/kit/7a/kit-01?lang=zh")
        assert "课程结果" in page.content()
        page.screenshot(path=artifact("dashboard-kit-page.png"), full_page=True)
    finally:
        page.close()
    # the class view's tile names the kit's last check (the store's newest run for the kit)
    wait_until(lambda: (dashboard.state.snapshot("7a") and
                        {t["kit"]: t for t in dashboard.state.snapshot("7a")}["kit-01"]["check"]), 10,
               what="the tile's last check")
    tile = {t["kit"]: t for t in dashboard.state.snapshot("7a")}["kit-01"]
    assert tile["check"]["outcome"] == "pass" and tile["lesson"] == "04-robot-line"
    # pages only serve images, and only known ones
    b = Browser(dashboard.url)
    assert b.request("/attachment/" + "f" * 64)[0] == 404
    assert b.request("/attachment/not-a-hash")[0] == 404
    assert b.request("/kit/7a/Bad_Id")[0] == 404
