"""A full disk, for real: SQLite's ``PRAGMA max_page_count`` makes the portfolio (or the bridge's outbox)
refuse to grow with "database or disk is full". Nothing is acknowledged that was not stored, the
error is reported (stats, stats topic, CLI), the collector keeps running and retries, and everything
lands once there is room again. Real mosquitto."""

from __future__ import annotations

import json

import pytest

import makerkit
from makerkit.bridge import Bridge
from makerkit.classroom.headless import HeadlessKit
from makerkit.collector import Collector
from makerkit.errors import DiskFullError
from makerkit.store import open_store

from .conftest import retained_status, wait_until, seqs_of


def fill_up(store) -> None:
    """No more pages: the next rows that need one fail with SQLITE_FULL."""
    pages = store._execute("PRAGMA page_count")[0][0]
    store._execute(f"PRAGMA max_page_count = {pages}")


def make_room(store) -> None:
    store._execute("PRAGMA max_page_count = 1073741823")


def send(broker_url, kit_id, n, start=0.0):
    kit = HeadlessKit("7a", kit_id, broker=broker_url, capacity=n)
    try:
        for i in range(n):
            kit.record({"temperature": start + i / 10, "humidity": 40.0})
        wait_until(lambda: (kit.pump(), kit.pending == 0)[1], 20, what="kit records sent")
    finally:
        kit.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_collector_waits_out_a_full_disk_and_loses_nothing(broker, db_url):
    store = open_store(db_url)
    fill_up(store)
    col = Collector(broker.url, store, collector_id="full", stats_interval=0.5).start()
    try:
        send(broker.url, "df1", 300)
        wait_until(lambda: col.stats.store_error is not None, 10, what="the disk-full error in the stats")
        err = col.stats.store_error
        assert isinstance(err, DiskFullError)
        assert "full" in err.message_en and "磁盘已满" in err.hint_zh
        assert col.running, "the collector must keep running on a full disk"
        wait_until(lambda: col.stats.store_retries >= 2, 10, what="retries")
        stats = json.loads(retained_status(broker.url, "makerkit/v1/_collector/full/stats") or "{}")
        assert stats.get("error", {}).get("code") == "disk_full"
        assert store.count("df1") < 300
        make_room(store)
        wait_until(lambda: store.count("df1") == 300, 20, what="every row once there is room")
        assert seqs_of(store, "df1") == list(range(1, 301))
        wait_until(lambda: col.stats.store_error is None, 5, what="the error cleared")
        wait_until(lambda: col.stats.stored == 300, 5, what="every row counted")
    finally:
        col.stop()
        store.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_unacknowledged_batches_come_back_after_a_restart(broker, db_url):
    """A collector stopped while the disk is full acknowledged nothing it could not store: the
    broker delivers those messages again to the next run (same id, persistent session)."""
    store = open_store(db_url)
    fill_up(store)
    col = Collector(broker.url, store, collector_id="full2").start()
    try:
        send(broker.url, "df2", 200)
        wait_until(lambda: col.stats.store_error is not None, 10, what="the disk-full error")
    finally:
        col.stop()
    stored_before = store.count("df2")
    assert stored_before < 200
    make_room(store)
    col = Collector(broker.url, store, collector_id="full2").start()
    try:
        wait_until(lambda: store.count("df2") == 200, 20, what="the redelivered messages stored")
        assert seqs_of(store, "df2") == list(range(1, 201))
    finally:
        col.stop()
        store.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bridge_does_not_ack_the_kit_while_its_outbox_disk_is_full(broker, db_url, tmp_path):
    col = Collector(broker.url, db_url, collector_id="bfull").start()
    try:
        with makerkit.connect("sim://uno", clock="virtual") as kit:
            kit.configure(kit="uno-9", class_="7b")
            bridge = Bridge(kit, broker.url, outbox=str(tmp_path / "outbox.db")).start()
            try:
                tel = kit.sim.device.app.telemetry
                pages = bridge.outbox.db.execute("PRAGMA page_count").fetchone()[0]
                bridge.outbox.db.execute(f"PRAGMA max_page_count = {pages}")
                seqs = [kit.publish("light", i / 100 + 0.123456789, unit="lx")["seq"] for i in range(120)]
                wait_until(lambda: bridge.disk_error is not None, 10, what="the bridge's disk-full error")
                assert isinstance(bridge.disk_error, DiskFullError)
                kit.sleep(0.1)
                assert tel.pending() > 0, "records the bridge could not save must stay unacknowledged on the kit"
                bridge.check()                                  # a full disk does not stop the bridge
                bridge.outbox.db.execute("PRAGMA max_page_count = 1073741823")
                wait_until(lambda: col.store.count("uno-9") == 120, 20, what="all rows once there is room")
                assert seqs_of(col.store, "uno-9") == sorted(seqs)
                assert bridge.disk_error is None
                kit.sleep(0.1)
                assert tel.pending() == 0
            finally:
                bridge.stop()
    finally:
        col.stop()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MB tmpfs (needs root and mount permission; skipped otherwise), unmounted afterwards."""
    import subprocess
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True,
                          text=True, timeout=10)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield disk
    finally:
        if subprocess.run(["umount", str(disk)], capture_output=True, timeout=10).returncode != 0:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=10)   # still busy: detach


def fill_disk(path) -> None:
    with open(path, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass


@pytest.mark.slow
def test_makerkit_collect_cli_on_a_really_full_disk(broker, tiny_disk):
    """`makerkit collect` (writer in a child process) on a filesystem that is really full (ENOSPC):
    it says so in both languages' terms, keeps running, and stores everything once space is freed."""
    import os
    import signal
    import subprocess
    import sys
    db = tiny_disk / "portfolio.db"
    url = f"sqlite:///{db}"
    env = {**os.environ, "MAKERKIT_LANG": "en", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "collect", "--broker", broker.url, "--db", url,
                             "--id", "fullcli", "--quiet"], stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    import threading
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True)
    reader.start()
    try:
        wait_until(lambda: retained_status(broker.url, "makerkit/v1/_collector/fullcli/status", 0.5)
                   .find("online") >= 0, 20, what="the collector online")
        fill_disk(tiny_disk / "filler")                  # the disk fills up while the collector runs
        send(broker.url, "dfc", 300)
        wait_until(lambda: any(line.startswith("Error:") and "The disk is full" in line for line in lines), 20,
                   what="the disk-full error printed by the CLI")
        assert proc.poll() is None, "the collector must keep running"
        os.remove(tiny_disk / "filler")
        store = open_store(url)
        try:
            wait_until(lambda: store.count("dfc") == 300, 30, what="every row once the disk has room")
            assert seqs_of(store, "dfc") == list(range(1, 301))
        finally:
            store.close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        reader.join(5)


def test_a_wal_portfolio_on_a_full_disk_is_reported_as_disk_full(tiny_disk):
    """On a really full disk SQLite often says "disk I/O error" (its -shm file cannot grow): still a
    DiskFullError, whose hint says what to do."""
    url = f"sqlite:///{tiny_disk / 'p.db'}"
    open_store(url).close()
    fill_disk(tiny_disk / "filler")
    with pytest.raises(DiskFullError) as info:
        open_store(url)
    assert "磁盘已满" in info.value.hint_zh


@pytest.fixture
def pg_tiny_tablespace(tmp_path):
    """A PostgreSQL tablespace on a 4 MB tmpfs owned by the server's user, and a portfolio URL whose tables
    live there (needs root, mount, a local superuser connection; skipped otherwise)."""
    import pwd
    import subprocess
    import uuid
    from .conftest import PG_BASE, _pg_reachable
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    try:
        pg = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no local postgres user: the server is not on this machine")
    import shutil
    import tempfile
    from pathlib import Path
    base = Path(tempfile.mkdtemp(prefix="mk-pgdisk-", dir="/tmp"))   # the server's user must reach it
    base.chmod(0o755)
    disk = base / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size=4m,uid={pg.pw_uid},gid={pg.pw_gid},mode=0700",
                           "tmpfs", str(disk)], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or done.returncode}")
    import psycopg
    name = f"mk_small_{uuid.uuid4().hex[:8]}"
    schema = f"mk_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(PG_BASE, autocommit=True)
    try:
        try:
            admin.execute(f"CREATE TABLESPACE {name} LOCATION '{disk}'")
        except psycopg.Error as exc:
            pytest.skip(f"cannot create a tablespace on the test server: {exc}")
        yield disk, f"{PG_BASE}?schema={schema}&options=-cdefault_tablespace%3D{name}"
        admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.execute(f"DROP TABLESPACE IF EXISTS {name}")
    finally:
        admin.close()
        if subprocess.run(["umount", str(disk)], capture_output=True, timeout=10).returncode != 0:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=10)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.postgres
def test_collector_on_postgresql_with_a_full_disk(broker, pg_tiny_tablespace):
    disk, url = pg_tiny_tablespace
    col = Collector(broker.url, url, collector_id="pgfull").start()
    try:
        fill_disk(disk / "filler")
        send(broker.url, "pgf", 300)
        wait_until(lambda: col.stats.store_error is not None, 20, what="the disk-full error from PostgreSQL")
        assert isinstance(col.stats.store_error, DiskFullError) and col.running
        assert "PostgreSQL" in col.stats.store_error.message_en
        import os
        os.remove(disk / "filler")
        wait_until(lambda: col.store.count("pgf") == 300, 30, what="every row once there is room")
        assert seqs_of(col.store, "pgf") == list(range(1, 301))
        wait_until(lambda: col.stats.store_error is None, 5, what="the error cleared")
    finally:
        col.stop()
