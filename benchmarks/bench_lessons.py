"""How fast lessons check on the virtual kit's virtual clock (target: a 10-second lesson in well
under a second), and the wall-clock cost of the runner's parts.

Run on demand (not collected by pytest)::

    python3 benchmarks/bench_lessons.py            # every lesson, solution and starter, Uno and ESP32
    python3 benchmarks/bench_lessons.py --repeat 5

For each (lesson, script, board) it prints the simulated seconds the check covered, the median wall
time of a whole ``check_lesson`` (opening the virtual kit, the run, the checker, closing), the
median wall time when one kit is reused across checks, and the speed-up over real time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from makerkit.catalog.lessons import load_lessons  # noqa: E402
from makerkit.lessons_runner import check_lesson, open_kit  # noqa: E402


def measure(lesson, board: str, solution: bool, repeat: int) -> tuple[float, float, float, int]:
    cold = []
    for _ in range(repeat):
        started = time.perf_counter()
        report = check_lesson(lesson, sim=True, board=board, solution=solution)
        cold.append(time.perf_counter() - started)
    kit = open_kit(sim=True, board=board)
    warm = []
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            check_lesson(lesson, kit=kit, solution=solution)
            warm.append(time.perf_counter() - started)
    finally:
        kit.close()
    simulated = report.run.elapsed if report.run is not None else 0.0
    return simulated, statistics.median(cold), statistics.median(warm), report.exit_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'lesson':16} {'script':9} {'board':6} {'sim s':>6} {'check s':>8} {'reused s':>9} {'x real':>7} exit")
    for lesson in load_lessons():
        for solution in (True, False):
            for board in ("uno", "esp32"):
                simulated, cold, warm, code = measure(lesson, board, solution, args.repeat)
                speed = simulated / warm if warm else float("inf")
                print(f"{lesson.id:16} {'solution' if solution else 'starter':9} {board:6} {simulated:6.1f} "
                      f"{cold:8.3f} {warm:9.3f} {speed:7.0f} {code}")


if __name__ == "__main__":
    main()
