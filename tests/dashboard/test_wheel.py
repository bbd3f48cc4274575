"""Every asset of the dashboard ships in the wheel and nothing is fetched from the internet: the wheel
is built as a school would build it (pip), ``makerkit dashboard`` is run from the unpacked wheel, and
the class view, its script and its style are served from it; no file of the dashboard names a host
(the SVG namespace is a name, not a fetch)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import site as sitepkgs
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from support.brokers import free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "makerkit" / "dashboard" / "static"
_URL = re.compile(r"""https?://[^\s"'<>)]+""")
_RELATIVE = re.compile(r"""(?:src|href|action)\s*=\s*["']//|url\(\s*["']?//|@import\s+["']?//""")
_NAMESPACES = {"http://www.w3.org/2000/svg"}          # names of XML vocabularies, never fetched


def _hosts_named(text: str) -> set[str]:
    """Addresses beyond the dashboard in ``text``: ``http(s)://...`` but the SVG namespace and the
    dashboard's own ``http://{host}`` it prints, and protocol-relative ``//host`` in src, href, url()."""
    found = {u for u in _URL.findall(text) if u not in _NAMESPACES and not u.startswith("http://{")}
    return found | {m.group(0) for m in _RELATIVE.finditer(text)}


def test_no_file_of_the_dashboard_names_a_host():
    files = [p for p in (ROOT / "makerkit" / "dashboard").rglob("*") if p.suffix in (".py", ".js", ".css", ".html")]
    named = {str(p.relative_to(ROOT)): _hosts_named(p.read_text("utf-8")) for p in files}
    assert {k: v for k, v in named.items() if v} == {}
    assert _hosts_named('<link href="https://cdn.example.invalid/x.css">') == {"https://cdn.example.invalid/x.css"}
    assert _hosts_named('<script src="//cdn.example.invalid/x.js">') and _hosts_named("a { b: url(//x.invalid/f) }")


def _copy_source(dest: Path) -> None:
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("makerkit", "lessons", "boards", "firmware", "conf"):
        shutil.copytree(ROOT / name, dest / name, ignore=skip)


@pytest.mark.slow
def test_the_wheel_serves_the_dashboard(tmp_path, broker, portfolio):
    src = tmp_path / "src"
    src.mkdir()
    _copy_source(src)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "w"), str(src)],
                           capture_output=True, text=True, timeout=300)
    if built.returncode and "No matching distribution" in built.stderr:
        pytest.skip("no package index to fetch setuptools from")
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "w").glob("makerkit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assets = sorted(p.name for p in STATIC.iterdir() if p.is_file())
    assert assets and all(f"makerkit/dashboard/static/{a}" in names for a in assets)

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), *sitepkgs.getsitepackages()]), MAKERKIT_LANG="en")
    port = free_port()
    script = ("import sys; from makerkit.cli import main; sys.argv[0] = 'makerkit'; "
              f"main(['dashboard', '--broker', {broker.url!r}, '--db', {portfolio['url']!r}, "
              f"'--listen', '127.0.0.1:{port}'])")
    proc = subprocess.Popen([sys.executable, "-S", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=tmp_path, text=True)
    try:
        wait_port(port, timeout=30)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/?lang=en", timeout=10) as resp:
            page = resp.read().decode()
        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
        assert sorted(linked) == ["/static/dashboard.css", "/static/dashboard.js"]
        for path in linked:
            with urllib.request.urlopen(base + path, timeout=10) as resp:
                assert resp.status == 200
                assert resp.read() == (STATIC / path.rsplit("/", 1)[1]).read_bytes()
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert str(site) in subprocess.run(
        [sys.executable, "-S", "-c", "import makerkit.dashboard.server as s; print(s.STATIC)"], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=60).stdout                  # served from the wheel, not the checkout
