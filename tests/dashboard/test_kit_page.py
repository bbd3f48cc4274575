"""One kit's page: its readings over the lesson from the store (the real collector wrote them), its
lesson results with the checker's findings, and a robot run's picture; opened in headless Chromium."""

from __future__ import annotations

import json

from click.testing import CliRunner

from makerkit.cli import cli
from makerkit.collector import Collector
from makerkit.lessons_runner import EXIT_CHECK_FAILED
from makerkit.store import open_store

from .conftest import artifact, wait_until
from .test_access import Browser


def _robot_check(db: str, monkeypatch, tmp_path, *, solution: bool) -> None:
    """``makerkit lesson check 18-drive-square --sim --db ... --student ... --kit kit-01``: the robot
    lesson's real run, its record and picture stored as the robot engineer's code stores them."""
    monkeypatch.setenv("MAKERKIT_WORK", str(tmp_path / "work"))
    args = ["lesson", "check", "18-drive-square", "--sim", "--board", "esp32", "--db", db, "--student", "s-wxm001",
            "--kit", "kit-01"] + (["--solution"] if solution else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == (0 if solution else EXIT_CHECK_FAILED), result.output


def test_kit_page_shows_stored_readings_results_and_pictures(broker, dashboard, portfolio, publisher, chromium,
                                                             monkeypatch, tmp_path):
    collector = Collector(broker.url, portfolio["url"], collector_id="kitpage").start()
    try:
        for i in range(40):
            publisher.reading("kit-01", {"temperature": 20 + i / 10, "humidity": 40.0}, {"temperature": "°C"})
        with open_store(portfolio["url"]) as store:
            wait_until(lambda: store.count_readings_in("7a", "kit-01", "2000-01-01T00:00:00.000Z", None) == 40, 15,
                       what="40 readings stored")
    finally:
        collector.stop()
    _robot_check(portfolio["url"], monkeypatch, tmp_path, solution=False)     # the starter: a corner missed
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(dashboard.url + "/kit/7a/kit-01?lang=en")
        page.locator('[data-chart="temperature"] svg polyline').wait_for(timeout=10_000)
        assert page.locator('[data-chart="humidity"] svg').count() == 1
        assert "s-wxm001" in page.locator(".holder").inner_text()
        row = page.locator("table.runs tbody tr").first
        assert row.get_attribute("data-outcome") == "failed"
        assert "18-drive-square" in row.inner_text() and "not passed" in row.inner_text()
        assert "Try:" in row.inner_text()                                   # the checker's fix is shown too
        # the robot run's picture (the PNG lesson check drew) and what its record says beside it
        page.wait_for_function("(() => { const i = document.querySelector('.pictures img');"
                               " return i && i.naturalWidth > 500; })()", timeout=10_000)
        caption = page.locator(".pictures figcaption").first.inner_text()
        assert "Square practice room" in caption and "Contacts" in caption
        assert "upper right corner" in page.locator(".pictures ol.marks").inner_text()
        href = page.locator(".pictures a[download]").get_attribute("href")
        page.click('[data-span="term"]')
        page.locator('[data-chart="temperature"] svg').wait_for(timeout=10_000)
        page.screenshot(path=artifact("dashboard-kit-page-en.png"), full_page=True)
        page.goto(dashboard.url + "/kit/7a/kit-01?lang=zh")
        assert "课程结果" in page.content() and "未通过" in page.locator("table.runs").inner_text()
        assert "右上角" in page.locator(".pictures ol.marks").inner_text()
        page.screenshot(path=artifact("dashboard-kit-page.png"), full_page=True)
    finally:
        page.close()
    status, headers, body = Browser(dashboard.url).request(href)
    record = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json"
    assert headers["content-disposition"].startswith("attachment")
    assert record["kind"] == "makerkit-robot-run" and record["lesson"] == "18-drive-square" and record["path"]
    # the class view's tile names the kit's last check (the store's newest run for the kit)
    wait_until(lambda: (dashboard.state.snapshot("7a") and
                        {t["kit"]: t for t in dashboard.state.snapshot("7a")}["kit-01"]["check"]), 10,
               what="the tile's last check")
    tile = {t["kit"]: t for t in dashboard.state.snapshot("7a")}["kit-01"]
    assert tile["check"]["outcome"] == "failed" and tile["lesson"] == "18-drive-square"
    # pages only serve images, and only known ones
    b = Browser(dashboard.url)
    assert b.request("/attachment/" + "f" * 64)[0] == 404
    assert b.request("/attachment/not-a-hash")[0] == 404
    assert b.request("/kit/7a/Bad_Id")[0] == 404
    assert b.request("/kit/7b/kit-01")[0] == 404                         # not a class this dashboard watches
    picture = href.replace("/record/", "/attachment/")
    assert b.request(picture)[0] == 404                                   # a record is no image
    assert b.request("/record/" + "e" * 64)[0] == 404
