"""``makerkit classroom up`` starts the class dashboard too and prints its address; the dashboard shows
the room's virtual kits, and a teacher's stop reaches them over the built-in (amqtt) broker."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

from makerkit.access.logins import issue_login
from makerkit.store import open_store
from support.brokers import free_port

from .conftest import wait_until
from .test_access import Browser


def test_classroom_up_serves_the_dashboard(tmp_path):
    db = tmp_path / "classroom.db"
    with open_store(f"sqlite:///{db}") as store:
        store.add_class("demo")
        teacher = issue_login(store, class_id="demo", role="teacher", name="li")
    port, dash_port = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "classroom", "up", "--duration", "40", "--kits", "1",
                             "--db", str(db), "--port", str(port), "--dashboard-port", str(dash_port),
                             "--interval", "0.5"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, MAKERKIT_LANG="en"))
    lines = []
    try:
        deadline = time.monotonic() + 30
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"Dashboard (http://127\.0\.0\.1:\d+)", line)
            url = m.group(1) if m else None
        assert url == f"http://127.0.0.1:{dash_port}", "".join(lines)
        b = Browser(url)

        def kit_reading():
            tiles = json.loads(b.request("/api/class")[2])["tiles"]
            return [t for t in tiles if t["kit"] == "kit-01" and t["status"] == "online" and "temperature" in t["readings"]]
        wait_until(kit_reading, 20, what="kit-01 online with readings on the dashboard")
        status, headers, _ = b.login(teacher, next_path="/teacher")
        assert status == 303 and headers["location"] == "/teacher"
        page = b.request("/teacher")[2]
        token = json.loads(page.split('type="application/json">', 1)[1].split("</script>", 1)[0])["csrf"]
        status, _, body = b.request("/api/control", {"cmd": "stop"}, {"Content-Type": "application/json",
                                                                       "X-CSRF-Token": token})
        assert status == 200, body
        answers = {k["kit"]: k["state"] for k in json.loads(body)["kits"]}
        assert answers == {"kit-01": "obeyed"}
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=5)
