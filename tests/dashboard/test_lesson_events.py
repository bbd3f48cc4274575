"""``makerkit lesson run`` and ``lesson check`` tell the class dashboard which lesson runs on a kit and
how its check ended (a ``lesson`` event, docs/TELEMETRY.md §4), and the kit's tile in headless
Chromium shows it: a tethered Uno linked by ``lesson run --broker``, and an ESP32 on the class WiFi
(the virtual one served on socket://, seen by the host only through its link) checked over its cable."""

from __future__ import annotations

from click.testing import CliRunner

import makerkit
from makerkit.cli import cli
from makerkit.sim import serve

from .conftest import wait_until
from .test_browser import WAIT_MS, _page, _wait

_WATCH = """(() => { window.seen = [];
window.makerkitDashboard.afterUpdate = changes => changes.forEach(c => {
  if (c.id === '7a/%s' && 'running' in c) window.seen.push({lesson: c.lesson, running: c.running});
}); })()"""


def _watch(page, kit):
    page.wait_for_function("!!window.makerkitDashboard", timeout=WAIT_MS)
    page.evaluate(_WATCH % kit)


def test_a_tethered_lesson_run_shows_on_its_tile(broker, dashboard, chromium, monkeypatch, tmp_path):
    monkeypatch.setenv("MAKERKIT_WORK", str(tmp_path / "work"))
    page = _page(chromium)
    try:
        page.goto(dashboard.url + "/?lang=en")
        _watch(page, "kit-05")
        result = CliRunner().invoke(cli, ["lesson", "run", "01-blink", "--sim", "--board", "uno", "--solution",
                                          "--seconds", "1", "--broker", broker.url, "--class", "7a", "--kit", "kit-05"])
        assert result.exit_code == 0, result.output
        _wait(page, '[data-kit="kit-05"] .lesson', "e.dataset.lesson === '01-blink' && e.dataset.running === 'false'")
        seen = page.evaluate("window.seen")
        assert any(s["running"] for s in seen), seen                        # it showed as running meanwhile
        tile = page.locator('[data-kit="kit-05"]')
        assert "Blink" in tile.locator(".lesson").inner_text()
        assert "not checked yet" in tile.locator(".check").inner_text()          # a run has no checker outcome
    finally:
        page.close()


def test_a_check_on_a_kit_on_the_class_wifi_shows_its_outcome(broker, dashboard, chromium):
    server = serve("esp32", listen="127.0.0.1:0")
    try:
        kit = makerkit.connect(server.url, timeout=3)
        kit.configure(kit="kit-07", class_="7a", wifi_ssid="lab", broker=broker.url)
        kit.close()
        wait_until(lambda: dashboard.state.tiles.get("7a/kit-07") and
                   dashboard.state.tiles["7a/kit-07"].status == "online", 15, what="kit-07 online on its WiFi")
        page = _page(chromium)
        try:
            page.goto(dashboard.url + "/?lang=zh")
            _watch(page, "kit-07")
            result = CliRunner().invoke(cli, ["lesson", "check", "01-blink", "--port", server.url, "--solution"])
            assert result.exit_code == 0, result.output
            _wait(page, '[data-kit="kit-07"] .check', "e.dataset.outcome === 'passed'")
            assert any(s["running"] for s in page.evaluate("window.seen"))
            tile = page.locator('[data-kit="kit-07"]')
            assert "检查结果：通过" in tile.inner_text() and "闪烁" in tile.locator(".lesson").inner_text()
        finally:
            page.close()
    finally:
        server.close()
