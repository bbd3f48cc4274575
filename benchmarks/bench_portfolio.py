"""Portfolio export figures on a term-sized store. Run on demand (not collected by pytest)::

    python3 benchmarks/bench_portfolio.py                        # SQLite in a temporary folder
    python3 benchmarks/bench_portfolio.py --db postgresql://postgres@127.0.0.1:5432/test?schema=mk_bench
    python3 benchmarks/bench_portfolio.py --readings 100000      # a quicker, smaller store

The store: one class of 40 students, each holding their own kit for the term (and a group kit per
four students), 1,000,000 readings in all (two values each, one every ~10 s of lesson time), and per
student 6 lesson checks with code snapshots, a project through the four stages with a 60 KB photo,
and 9 evaluations. Measured (median of 3 runs, wall time, this computer):

* one student's term portfolio as HTML (readings charted, photos embedded): target < 1 s;
* the whole class's comprehensive-quality record as CSV: target < 5 s.

Building the store is reported too (it is not what the targets are about).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from makerkit.portfolio import add_stage_entry, create_project, evaluate, export_portfolio, record_lesson_result  # noqa: E402
from makerkit.protocol.telemetry import TelemetryRecord, iso_utc  # noqa: E402
from makerkit.store import StoredRecord, open_store  # noqa: E402

STUDENTS = 40
TERM_START = 1788220800.0        # 2026-09-01T00:00:00Z


def build(store, readings: int, folder: str) -> None:
    store.add_class("7a")
    groups = [store.add_group("7a", f"team {i}", group_id=f"g-team{i:02d}") for i in range(STUDENTS // 4)]
    ids = [store.add_student("7a", f"学生{i:02d}", student_id=f"s-bench{i:02d}", group_id=groups[i // 4])
           for i in range(STUDENTS)]
    for i, sid in enumerate(ids):
        store.assign("7a", f"kit-{i:02d}", student=sid, since=iso_utc(TERM_START - 60))
    per_kit = readings // STUDENTS
    step = 10.0
    for i in range(STUDENTS):
        kit, batch = f"kit-{i:02d}", []
        for seq in range(1, per_kit + 1):
            t = iso_utc(TERM_START + seq * step)
            rec = TelemetryRecord("7a", kit, seq, 1, seq * 10000, t, {"temperature": 20 + seq % 97 / 10,
                                                                       "light": 300 + seq % 501}, {"temperature": "°C"})
            batch.append(StoredRecord(rec, t, t, "device"))
            if len(batch) == 20000:
                store.write_batch(batch)
                batch = []
        if batch:
            store.write_batch(batch)
    photo = os.urandom(60_000)
    code = os.path.join(folder, "my_blink.py")
    with open(code, "w", encoding="utf-8") as f:
        f.write("def main(kit):\n    led = kit.led('D13')\n    while True:\n        led.toggle()\n        kit.sleep(0.5)\n")
    shot = os.path.join(folder, "build.png")
    for i, sid in enumerate(ids):
        for lesson in ("01-blink", "02-button-led", "03-thermometer") * 2:
            record_lesson_result(store, lesson_id=lesson, mode="check", board="uno", sim=True, outcome="passed",
                                 findings=[{"status": "pass", "en": "ok", "zh": "好"}], script=code, credits=0.5,
                                 student=sid)
        with open(shot, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + photo[:-8] + i.to_bytes(8, "big"))
        pid = create_project(store, student=sid, title=f"project {i}", credits=1)
        for stage in ("research", "plan", "make", "reflect"):
            add_stage_entry(store, project=pid, stage=stage, text=f"{stage} notes", author=sid,
                            attach=[shot] if stage == "make" else [])
        for dim in ("individual", "group", "maker"):
            for by in ("teacher", "self", f"peer:{ids[(i + 1) % STUDENTS]}"):
                evaluate(store, student=sid, dimension=dim, by=by, level=3)


def timed(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="portfolio URL (default: a new SQLite file in a temporary folder)")
    ap.add_argument("--readings", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{folder}/bench.db"
        store = open_store(url)
        try:
            t0 = time.perf_counter()
            build(store, args.readings, folder)
            print(f"store: {store.engine}, {store.count():,} readings of {STUDENTS} students, "
                  f"built in {time.perf_counter() - t0:.1f} s")
            html = os.path.join(folder, "one.html")
            t_html = timed(lambda: export_portfolio(store, out=html, fmt="html", student="s-bench07",
                                                    term="2026-2027-1"))
            print(f"one student's term portfolio as HTML: {t_html:.3f} s ({os.path.getsize(html):,} bytes)  "
                  f"target < 1 s")
            csv_out = os.path.join(folder, "class.csv")
            t_csv = timed(lambda: export_portfolio(store, out=csv_out, fmt="csv", class_id="7a", term="2026-2027-1"))
            print(f"the class's quality record as CSV: {t_csv:.3f} s ({os.path.getsize(csv_out):,} bytes)  "
                  f"target < 5 s")
        finally:
            if hasattr(store, "drop_schema") and args.db:
                store.drop_schema()
            store.close()


if __name__ == "__main__":
    main()
