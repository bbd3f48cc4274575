"""The Node-RED flow in docs/dashboards/ against a real Node-RED (npm package ``node-red``, installed
into .cache/node-red by this test when it is missing) and a real mosquitto: imported unchanged but for
its broker port, it shows the class's kits, their status and their latest readings, and drops what
does not follow the contract. Skipped, with the reason, only when npm cannot install Node-RED."""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import urllib.request

import pytest

from support.brokers import free_port, wait_port
from support.locks import shared_step

from .conftest import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLOW = os.path.join(ROOT, "docs", "dashboards", "node-red-class-flow.json")
CACHE = os.path.join(ROOT, ".cache", "node-red")
RED_JS = os.path.join(CACHE, "node_modules", "node-red", "red.js")
NODE_RED = "node-red@4"


@pytest.fixture(scope="session")
def node_red_js():
    if os.path.exists(RED_JS):
        return RED_JS
    with shared_step("node-red"):
        return _install_node_red()


def _install_node_red():
    if os.path.exists(RED_JS):          # another test worker installed it while this one waited
        return RED_JS
    npm, node = shutil.which("npm"), shutil.which("node")
    if not npm or not node:
        pytest.skip("npm/node are not installed (scripts/test.sh installs them: apt-get install nodejs npm)")
    os.makedirs(CACHE, exist_ok=True)
    if not os.path.exists(os.path.join(CACHE, "package.json")):
        with open(os.path.join(CACHE, "package.json"), "w") as fh:
            json.dump({"name": "makerkit-node-red-test", "private": True}, fh)
    try:
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", NODE_RED], cwd=CACHE,
                              capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install {NODE_RED} took over 10 minutes (is the npm registry reachable?)")
    if done.returncode != 0 or not os.path.exists(RED_JS):
        pytest.skip(f"npm could not install {NODE_RED} (is the npm registry reachable?): {done.stderr[-400:]}")
    return RED_JS


def _flow_for(broker_port: int) -> list:
    flow = json.load(open(FLOW, encoding="utf-8"))
    flow = copy.deepcopy(flow)
    for node in flow:
        if node["type"] == "tab":
            for var in node["env"]:
                if var["name"] == "MAKERKIT_MQTT_PORT":
                    var["value"] = str(broker_port)
    return flow


@pytest.fixture
def node_red(node_red_js, broker, tmp_path):
    user_dir = tmp_path / "node-red"
    user_dir.mkdir()
    (user_dir / "flows.json").write_text(json.dumps(_flow_for(broker.port)), encoding="utf-8")
    port = free_port()
    (user_dir / "settings.js").write_text(
        "module.exports = { uiHost: '127.0.0.1', uiPort: %d, flowFile: 'flows.json', credentialSecret: false,\n"
        "  httpAdminRoot: '/admin', httpNodeRoot: '/', diagnostics: { enabled: false },\n"
        "  telemetry: { enabled: false }, logging: { console: { level: 'info' } } };\n" % port)
    log = open(tmp_path / "node-red.log", "ab")
    proc = subprocess.Popen([shutil.which("node") or "node", node_red_js, "--userDir", str(user_dir), "--settings",
                             str(user_dir / "settings.js")], stdout=log, stderr=log, cwd=str(user_dir))
    try:
        wait_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}", tmp_path / "node-red.log"
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()


def _table(url):
    try:
        with urllib.request.urlopen(url + "/makerkit/class", timeout=5) as resp:
            return {k["kit"]: k for k in json.loads(resp.read())["kits"]}
    except OSError:
        return {}


def test_the_flow_shows_a_class_in_real_node_red(node_red, publisher, chromium):
    url, log = node_red
    publisher.status("kit-01", "online")
    publisher.status("kit-02", "offline")
    publisher.status("kit-05", "online", class_id="7b")                   # another class: not this flow's
    wait_until(lambda: set(_table(url)) == {"kit-01", "kit-02"}, 60,
               what=f"retained statuses in Node-RED (log: {log})")
    publisher.reading("kit-01", {"temperature": 22.25, "light": 0.5}, {"temperature": "°C"})
    publisher.client.publish("makerkit/v1/7a/kit-01/telemetry", b"not json", qos=1).wait_for_publish(5)
    publisher.client.publish("makerkit/v1/7a/kit-01/telemetry", json.dumps(
        {"v": 1, "seq": 99, "boot": 1, "uptime_ms": 1, "readings": {"temperature": "hot", "bad name": 1}}),
        qos=1).wait_for_publish(5)
    publisher.reading("kit-03", {"distance": 31.0}, {"distance": "cm"})
    table = wait_until(lambda: (lambda t: t if "kit-03" in t else None)(_table(url)), 20, what="kit-03 in the table")
    assert table["kit-01"]["status"] == "online" and table["kit-02"]["status"] == "offline"
    assert table["kit-01"]["readings"] == {"temperature": 22.25, "light": 0.5}
    assert table["kit-01"]["units"] == {"temperature": "°C"}
    assert table["kit-03"]["readings"] == {"distance": 31.0} and table["kit-03"]["class"] == "7a"
    page = chromium.new_page()
    try:
        page.goto(url + "/makerkit/")
        page.locator('tr[data-kit="kit-03"] [data-reading="distance"]').wait_for(timeout=10_000)
        assert "31" in page.locator('tr[data-kit="kit-03"]').inner_text()
    finally:
        page.close()
