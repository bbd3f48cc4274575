"""The class view, the teacher's controls and the language switch in a real headless Chromium, over a
real mosquitto, with virtual ESP32 kits (the real firmware) answering the controls."""

from __future__ import annotations

from makerkit.classroom.control import OBEYED, OFFLINE

from .conftest import artifact, wait_until

WAIT_MS = 10_000        # every browser wait has this timeout unless the issue fixes a tighter one


def _page(chromium, **options):
    """A page whose test waits may evaluate expressions: the dashboard's own policy forbids eval,
    which playwright's wait_for_function needs (bypass_csp lifts it for the test's scripts only)."""
    return chromium.new_page(bypass_csp=True, **options)


def _wait(page, selector, condition, timeout=WAIT_MS):
    """Wait until the element ``selector`` exists and ``condition`` (JS over ``e``) holds."""
    page.wait_for_function(f"(() => {{ const e = document.querySelector({selector!r}); return !!e && ({condition}); }})()",
                           timeout=timeout)


def _tile(page, kit):
    return page.locator(f'[data-kit="{kit}"]')


def test_class_view_shows_readings_live_and_offline_kits(dashboard, publisher, chromium):
    publisher.status("kit-01", "online")
    publisher.reading("kit-01", {"temperature": 21.5, "humidity": 40.0}, {"temperature": "°C", "humidity": "%"})
    page = _page(chromium, viewport={"width": 1280, "height": 800})
    try:
        page.goto(dashboard.url + "/?lang=en")
        value = _tile(page, "kit-01").locator('[data-reading="temperature"]')
        value.wait_for(timeout=WAIT_MS)
        _wait(page, '[data-kit="kit-01"] [data-reading="temperature"]', "e.textContent === '21.5'", timeout=WAIT_MS)
        assert "°C" in _tile(page, "kit-01").inner_text()
        # the holder is the pseudonymous id (names are off), from the store
        _wait(page, '[data-kit="kit-01"] .holder', "e.textContent.includes('s-wxm001')")

        # a new reading published now is in its tile within 2 s
        publisher.reading("kit-01", {"temperature": 23.75})
        _wait(page, '[data-kit="kit-01"] [data-reading="temperature"]', "e.textContent === '23.75'", timeout=2000)
        # a kit the page had not seen gets its own tile
        publisher.reading("kit-09", {"light": 0.42})
        _tile(page, "kit-09").locator('[data-reading="light"]').wait_for(timeout=2000)

        # the broker's will (or the kit's goodbye) turns the tile offline
        assert _tile(page, "kit-01").get_attribute("data-status") == "online"
        publisher.status("kit-01", "offline")
        _wait(page, '[data-kit="kit-01"]', "e.dataset.status === 'offline'", timeout=WAIT_MS)
        assert "offline" in _tile(page, "kit-01").locator(".status").inner_text()

        for _ in range(30):                                  # a sparkline of several points
            publisher.reading("kit-09", {"light": 0.5})
        path = artifact("dashboard-class-view.png")
        page.screenshot(path=path, full_page=True)
        print(f"screenshot: {path}")
    finally:
        page.close()


def test_language_switch(dashboard, publisher, chromium):
    publisher.status("kit-01", "online")
    page = _page(chromium)
    try:
        page.goto(dashboard.url + "/?lang=en")
        page.locator("h1").wait_for(timeout=WAIT_MS)
        assert "Class at a glance" in page.locator("h1").inner_text()
        _tile(page, "kit-01").wait_for(timeout=WAIT_MS)
        _wait(page, '[data-kit="kit-01"] .status', "e.textContent === 'online'", timeout=WAIT_MS)
        page.click('[data-lang-switch="zh"]')
        page.wait_for_function("document.documentElement.lang === 'zh-CN'", timeout=WAIT_MS)
        assert "全班一览" in page.locator("h1").inner_text()
        _wait(page, '[data-kit="kit-01"] .status', "e.textContent === '在线'", timeout=WAIT_MS)
        # the choice is kept (a cookie): the next page opens in Chinese without ?lang=
        page.goto(dashboard.url + "/login")
        assert "登录" in page.locator("h1").inner_text()
        page.screenshot(path=artifact("dashboard-login-zh.png"))
    finally:
        page.close()


def _login(page, url, creds, next_path="/teacher"):
    page.goto(f"{url}/login?next={next_path}&lang=en")
    page.fill("#username", creds.username)
    page.fill("#password", creds.password)
    page.click("#login-submit")


def test_teacher_logs_in_stops_all_and_sees_who_acknowledged(broker, dashboard, portfolio, publisher,
                                                            wifi_kits, chromium):
    publisher.status("kit-gone", "offline")                  # a kit that was switched off
    leds = {kit_id: kit.led("GPIO2") for kit_id, kit in wifi_kits.items()}
    for led in leds.values():
        led.on()
    worlds = {kit_id: kit.sim.world for kit_id, kit in wifi_kits.items()}
    wait_until(lambda: all(w.pin_level("GPIO2") for w in worlds.values()), 5, what="LEDs on")
    page = _page(chromium, viewport={"width": 1280, "height": 900})
    try:
        page.goto(dashboard.url + "/teacher")             # without a login: the login page
        page.locator("#login-form").wait_for(timeout=WAIT_MS)
        _login(page, dashboard.url, portfolio["teacher"])
        page.locator("#stop-all").wait_for(timeout=WAIT_MS)
        # both virtual kits online on the class view's feed before the teacher presses the button
        wait_until(lambda: {t["kit"] for t in dashboard.state.snapshot("7a") if t["status"] == "online"}
                   >= {"kit-02", "kit-03"}, 10, what="both kits online")
        page.click("#stop-all")
        page.wait_for_function("document.getElementById('control-state').dataset.state === 'done'", timeout=WAIT_MS)
        rows = {r.get_attribute("data-ack-kit"): r.get_attribute("data-state")
                for r in page.locator("#answers tbody tr").all()}
        assert rows["kit-02"] == OBEYED and rows["kit-03"] == OBEYED
        assert rows["kit-gone"] == OFFLINE
        assert "obeyed" in page.locator('#answers tr[data-ack-kit="kit-02"]').inner_text()
        # the kits really stopped: their LEDs are off in the virtual worlds
        wait_until(lambda: not any(w.pin_level("GPIO2") for w in worlds.values()), 5, what="LEDs off")
        # and the class view shows each kit's acknowledgement on its tile
        page.goto(dashboard.url + "/?lang=en")
        _wait(page, '[data-kit="kit-02"] .ack', "e.textContent.includes('stopped')", timeout=WAIT_MS)
        page.screenshot(path=artifact("dashboard-after-stop.png"), full_page=True)

        # say: the answer of each kit again
        page.goto(dashboard.url + "/teacher")
        page.fill("#say-text", "Tidy up, please")
        page.click("#say-send")
        page.wait_for_function("document.getElementById('control-state').dataset.state === 'done'", timeout=WAIT_MS)
        assert page.locator('#answers tr[data-ack-kit="kit-03"]').get_attribute("data-state") == OBEYED
        page.screenshot(path=artifact("dashboard-teacher.png"), full_page=True)
    finally:
        page.close()


def test_teacher_turns_names_on(dashboard, portfolio, publisher, chromium):
    publisher.status("kit-01", "online")
    page = _page(chromium)
    try:
        _login(page, dashboard.url, portfolio["teacher"])
        page.locator("#names-toggle").wait_for(timeout=WAIT_MS)
        page.click("#names-toggle")
        page.wait_for_function("document.getElementById('names-toggle').dataset.on === '1'", timeout=WAIT_MS)
        page.goto(dashboard.url + "/")
        _wait(page, '[data-kit="kit-01"] .holder', "e.textContent.includes('王小明')")
    finally:
        page.close()
