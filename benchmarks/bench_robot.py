"""How fast robot lessons check on the virtual kit (target: at least 50 simulated seconds per
wall-clock second), and how long checking every lesson on every board it lists takes.

Run on demand (not collected by pytest)::

    python3 benchmarks/bench_robot.py                  # robot lessons, every board, then the whole catalogue
    python3 benchmarks/bench_robot.py --repeat 5 --boards uno esp32
    python3 benchmarks/bench_robot.py --no-catalogue   # only the robot lessons

For each robot lesson (a lesson with a ``[robot]`` table) and board it prints the simulated seconds
one check of the solution covers, the median wall time of that check on one reused virtual kit (the
run, the robot, the checker), and their ratio (the speed-up over real time, "x real"), then the
same for the process's CPU time ("x cpu": the speed with a core to itself); then the slowest wall
ratio against the target. The catalogue part checks every lesson's solution and starter on
every board it lists, as ``tests/lessons/test_every_lesson.py`` does (a fresh kit each, the wiring
check first), and prints the total wall time and the simulated seconds it covered, as a ratio too.
On a shared machine the figures move with the load: run it on an idle one.
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
from makerkit.lessons_runner.wiring_check import check_wiring  # noqa: E402

TARGET = 50.0       # simulated seconds per wall-clock second


def robot_speed(lesson, board: str, repeat: int) -> tuple[float, float, float, int]:
    """(simulated seconds, median wall seconds, median CPU seconds, exit code) of checking the
    solution on one kit. CPU seconds are the process's own (every thread): what the check costs
    when the machine has a core to spare for it."""
    kit = open_kit(sim=True, board=board)
    walls, cpus, report = [], [], None
    try:
        check_lesson(lesson, kit=kit, solution=True)           # warm: modules imported, arena parsed once
        for _ in range(repeat):
            started, cpu = time.perf_counter(), time.process_time()
            report = check_lesson(lesson, kit=kit, solution=True)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
    finally:
        kit.close()
    return report.run.elapsed, statistics.median(walls), statistics.median(cpus), report.exit_code


def catalogue(boards: list[str] | None) -> tuple[float, float, int, int]:
    """(wall seconds, simulated seconds, checks, checks that went as they should) for every
    lesson's solution and starter on every board it lists."""
    started = time.perf_counter()
    simulated, checks, good = 0.0, 0, 0
    for lesson in load_lessons():
        for board in lesson.boards:
            if boards and board not in boards:
                continue
            for solution in (True, False):
                kit = open_kit(sim=True, board=board)
                try:
                    check_wiring(lesson, kit)
                    report = check_lesson(lesson, kit=kit, solution=solution)
                finally:
                    kit.close()
                checks += 1
                good += report.passed == solution
                simulated += report.run.elapsed if report.run is not None else 0.0
    return time.perf_counter() - started, simulated, checks, good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--boards", nargs="*", help="only these boards (default: every board a lesson lists)")
    parser.add_argument("--no-catalogue", action="store_true", help="skip checking the whole catalogue")
    args = parser.parse_args()
    print(os.getloadavg() and f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'robot lesson':22} {'board':9} {'sim s':>6} {'wall s':>7} {'x real':>7} {'cpu s':>6} {'x cpu':>6} exit")
    slowest = None
    for lesson in (item for item in load_lessons() if item.robot is not None):
        for board in lesson.boards:
            if args.boards and board not in args.boards:
                continue
            simulated, wall, cpu, code = robot_speed(lesson, board, args.repeat)
            ratio = simulated / wall if wall else float("inf")
            slowest = ratio if slowest is None else min(slowest, ratio)
            print(f"{lesson.id:22} {board:9} {simulated:6.1f} {wall:7.3f} {ratio:6.0f}x {cpu:6.3f} "
                  f"{simulated / cpu if cpu else float('inf'):5.0f}x {code}")
    if slowest is not None:
        verdict = "meets" if slowest >= TARGET else "MISSES"
        print(f"slowest robot check: {slowest:.0f}x real time ({verdict} the target of {TARGET:.0f}x)")
    if not args.no_catalogue:
        wall, simulated, checks, good = catalogue(args.boards)
        print(f"every lesson on every board: {checks} checks (solution and starter) in {wall:.1f} s wall, "
              f"{simulated:.0f} simulated s: {simulated / wall:.0f}x real time; {good} of {checks} as expected "
              "(solution passes, starter does not)")


if __name__ == "__main__":
    main()
