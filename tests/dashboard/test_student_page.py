"""One student's page: the lesson results of the student (also those checked on no kit of the class),
their robot run pictures, the readings of the kits they held and the kits they hold now; names only
after the teacher's switch; opened in headless Chromium."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from makerkit.cli import cli
from makerkit.collector import Collector
from makerkit.store import open_store

from .conftest import artifact, wait_until
from .test_access import Browser
from .test_kit_page import _robot_check


def _csrf(browser) -> str:
    page = browser.request("/teacher")[2]
    return json.loads(page.split('type="application/json">', 1)[1].split("</script>", 1)[0])["csrf"]


def test_student_page(broker, dashboard, portfolio, publisher, chromium, monkeypatch, tmp_path):
    collector = Collector(broker.url, portfolio["url"], collector_id="studentpage").start()
    try:
        for i in range(10):                     # spread out: the collector stamps what arrives together alike
            publisher.reading("kit-01", {"light": 0.1 * i}, {"light": "%"})
            time.sleep(0.1)
        with open_store(portfolio["url"]) as store:
            wait_until(lambda: store.count_readings_in("7a", "kit-01", "2000-01-01T00:00:00.000Z", None) == 10, 15,
                       what="10 readings stored")
    finally:
        collector.stop()
    _robot_check(portfolio["url"], monkeypatch, tmp_path, solution=True)
    blink = CliRunner().invoke(cli, ["lesson", "check", "01-blink", "--sim", "--solution", "--db", portfolio["url"],
                                     "--student", "s-wxm001"])          # on the laptop's virtual kit: no kit id
    assert blink.exit_code == 0, blink.output
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(dashboard.url + "/?lang=en")
        page.locator('[data-kit="kit-01"] .holder a').click(timeout=10_000)        # the tile's holder opens the page
        page.wait_for_url("**/student/7a/s-wxm001", timeout=10_000)
        assert "Student s-wxm001" in page.locator("h1").inner_text() and "王小明" not in page.content()
        assert page.locator('[data-held-kit="kit-01"]').count() == 1
        page.locator('[data-chart="kit-01 light"] svg polyline').wait_for(timeout=10_000)
        lessons = {r.get_attribute("data-lesson"): r.get_attribute("data-outcome")
                   for r in page.locator("table.runs tbody tr").all()}
        assert lessons == {"18-drive-square": "passed", "01-blink": "passed"}
        assert "Blink" in page.locator('tr[data-lesson="01-blink"]').inner_text()      # the lesson's title
        page.wait_for_function("(() => { const i = document.querySelector('.pictures img');"
                               " return i && i.naturalWidth > 500; })()", timeout=10_000)
        assert page.locator(".pictures figure").count() == 1
        page.screenshot(path=artifact("dashboard-student-page-en.png"), full_page=True)
    finally:
        page.close()

    # names stay off until a teacher turns them on; then the page (and the tile) show the name
    teacher = Browser(dashboard.url)
    teacher.login(portfolio["teacher"], next_path="/teacher")
    status, _, _ = teacher.request("/api/names", {"on": True}, {"Content-Type": "application/json",
                                                                 "X-CSRF-Token": _csrf(teacher)})
    assert status == 200
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(dashboard.url + "/student/7a/s-wxm001?lang=zh")
        assert "学生 王小明" in page.locator("h1").inner_text()
        assert "课程结果" in page.content() and "通过" in page.locator("table.runs").inner_text()
        page.screenshot(path=artifact("dashboard-student-page-zh.png"), full_page=True)
    finally:
        page.close()
    b = Browser(dashboard.url)
    assert b.request("/student/7a/s-nobody")[0] == 404
    assert b.request("/student/7b/s-wxm001")[0] == 404
    assert b.request("/student/7a/Not_An_Id")[0] == 404
