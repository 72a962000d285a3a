"""Grade a class side by side: the real `nbgrader autograde` and our grader, same machine, same run.

    python bench/batch.py [--nbgrader 40] [--sizes 10 40 160] [--workers 2]

Makes N submissions of perceptron_regression in nbgrader's layout (a realistic mix: correct
notebooks, the sample mutants, one that crashes its process, one with an endless loop), then:

1. `nbgrader autograde perceptron_regression` on the first --nbgrader of them, in a scratch copy
   of the course (its grade cells call `grade()`, which runs every check in nbgrader's kernel);
2. `autograder grade` (isolation on, --workers processes) on --sizes of them, each from scratch.

Prints per-submission medians, total wall time, peak memory, the ratio, our overhead beyond the
time spent in student code and checks (from each result's timings), and how time grows with N.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "perceptron_regression"
SAMPLES = ROOT / "tests" / "samples" / ASSIGNMENT
CRASHING = ROOT / "tests" / "redteam" / ASSIGNMENT / "os_exit_in_a_function.ipynb"
LOOPING = SAMPLES / "infinite_loop_in_one_function.ipynb"


def make_class(folder: Path, size: int) -> Path:
    """submitted/<student>/<assignment>/<assignment>.ipynb for `size` students."""
    honest = [p for p in sorted(SAMPLES.glob("*.ipynb")) if p != LOOPING]
    picks = [CRASHING, LOOPING] + [honest[i % len(honest)] for i in range(size - 2)]
    for index, source in enumerate(picks[:size]):
        target = folder / "submitted" / f"student{index:03d}" / ASSIGNMENT
        target.mkdir(parents=True)
        shutil.copy(source, target / f"{ASSIGNMENT}.ipynb")
    return folder / "submitted"


def scratch_course(folder: Path) -> Path:
    for part in ("assignments", "solutions", "source", "nbgrader_config.py"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, folder / part)
    return folder


def peak_child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_nbgrader(size: int, work: Path) -> dict[str, float]:
    course = scratch_course(work / "nbgrader")
    make_class(course, size)
    nbgrader = [sys.executable, "-m", "nbgrader"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # alembic
    subprocess.run([*nbgrader, "generate_assignment", ASSIGNMENT, "--force"], cwd=course, check=True,
                   capture_output=True, env=env)
    started = time.monotonic()
    done = subprocess.run([*nbgrader, "autograde", ASSIGNMENT], cwd=course, capture_output=True, text=True, env=env)
    wall = time.monotonic() - started
    graded = len(list((course / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb")))
    return {"wall": wall, "per": wall / size, "graded": graded, "exit": done.returncode, "rss": peak_child_rss_mb()}


def run_ours(size: int, work: Path, workers: int) -> dict[str, float]:
    folder = work / f"ours-{size}"
    submitted = make_class(folder, size)
    out = folder / "out"
    command = [sys.executable, "-m", "autograder.cli", "grade", ASSIGNMENT, str(submitted), "--workers", str(workers),
               "--out", str(out), "--json", str(folder / "results.json")]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"autograder grade failed:\n{done.stderr[-2000:]}")
    results = json.loads((folder / "results.json").read_text())["results"]
    timings = [r["timings"] for r in results if r.get("timings")]
    return {
        "wall": wall, "per": wall / size, "graded": len(results),
        "median_submission": statistics.median(r["duration_seconds"] for r in results),
        "median_overhead": statistics.median(t["overhead"] for t in timings),
        "mean_overhead": statistics.mean(t["overhead"] for t in timings),
        "median_engine": statistics.median(t.get("engine", t["overhead"]) for t in timings),
        "median_child_start": statistics.median(t.get("child_start", 0.0) for t in timings),
        "median_student": statistics.median(t["cells"] + t["checks"] for t in timings),
        "worker_rss": max(t["worker_peak_mb"] for t in timings),
        "child_rss": max(t["children_peak_mb"] for t in timings),
        "zygote_rss": max(t.get("zygote_peak_mb", 0.0) for t in timings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nbgrader", type=int, default=40, help="submissions for nbgrader autograde (0: skip)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40, 160])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; our grader with {args.workers} workers, bubblewrap isolation on")
    with tempfile.TemporaryDirectory(prefix="calc4ml-bench-") as scratch:
        work = Path(scratch)
        ours = {size: run_ours(size, work, args.workers) for size in args.sizes}
        print("\nour grader (each size from scratch: worker start-up, JAX compilation and all):")
        print(f"  {'N':>5} {'wall s':>8} {'s/sub':>7} {'median sub s':>13} {'cells+checks':>13} "
              f"{'overhead s (median/mean)':>25} {'child start':>12} {'engine':>8} {'peak MB/worker':>15} "
              f"{'peak MB/child':>14} {'peak MB/zygote':>15}")
        for size, r in ours.items():
            print(f"  {size:>5} {r['wall']:>8.1f} {r['per']:>7.3f} {r['median_submission']:>13.3f} "
                  f"{r['median_student']:>13.3f} {r['median_overhead']:>12.3f} / {r['mean_overhead']:<10.3f} "
                  f"{r['median_child_start']:>12.3f} {r['median_engine']:>8.3f} {r['worker_rss']:>15.0f} "
                  f"{r['child_rss']:>14.0f} {r['zygote_rss']:>15.0f}")
        print("  (medians per submission; overhead = wall - cells - checks = child start (a fork of the worker's\n"
              "   sandboxed zygote, which imported numpy and matplotlib once) + engine (reading, pytest, IPC, scoring);\n"
              "   a worker's memory is its own process plus its sandbox: the zygote and one child, which shares its pages)")
        sizes = sorted(ours)
        for small, large in zip(sizes, sizes[1:], strict=False):
            step = (ours[large]["wall"] - ours[small]["wall"]) / (large - small)
            print(f"  from {small} to {large} submissions: {step:.3f} s per extra submission")
        if len(sizes) > 1:
            first, last = sizes[0], sizes[-1]
            growth = (ours[last]["wall"] - ours[first]["wall"]) / (last - first)
            print(f"  time per extra submission from {first} to {last}: {growth:.3f} s (linear: wall ≈ "
                  f"{ours[first]['wall'] - growth * first:.1f} s + {growth:.3f} s × N)")
        if args.nbgrader:
            nb = run_nbgrader(args.nbgrader, work)
            print(f"\nnbgrader autograde on {args.nbgrader} submissions: {nb['wall']:.1f} s "
                  f"({nb['per']:.2f} s per submission, {nb['graded']:.0f} graded, exit {nb['exit']:.0f}, "
                  f"peak {nb['rss']:.0f} MB in one process)")
            if args.nbgrader in ours:
                ratio = nb["wall"] / ours[args.nbgrader]["wall"]
                print(f"ratio on {args.nbgrader} submissions: nbgrader {nb['wall']:.1f} s / ours "
                      f"{ours[args.nbgrader]['wall']:.1f} s = {ratio:.1f}x faster")


if __name__ == "__main__":
    main()
