"""What isolation costs per submission: the same submissions graded with and without the sandbox.

    python bench/isolation.py [--rounds 3]

Prints the median time to start a child ready for a notebook (the assignment's preloaded imports
done) and stop it, and the median time to grade each sample submission of perceptron_regression,
with the bubblewrap sandbox (a fork of its zygote; for comparison also a sandbox per child) and
without isolation (a fresh process each time), interleaved in one process after a warm-up, so both see the same machine state.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from autograder.config import Assignment
from autograder.context import GradingContext
from autograder.pipeline import grade_submission
from autograder.samples import load_samples
from autograder.sandbox.children import spawn_child
from autograder.sandbox.isolation import Unisolated, choose_sandbox

ROOT = Path(__file__).resolve().parents[1]


def child_start_seconds(context: GradingContext, sandbox, assignment: Assignment, rounds: int, fork: bool = True) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        if fork:  # as grading does: a fork of the sandbox's zygote where it hosts one
            context.children.take(sandbox, assignment.limits, 0, assignment.preload).close()
        else:  # a process (a sandbox) of its own
            spawn_child(sandbox, assignment.limits, 0, assignment.preload).close()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    assignment = Assignment.load("perceptron_regression", ROOT)
    isolated = choose_sandbox(assignment)
    base, files = assignment.data_files()
    plain = Unisolated(files, base)
    sandboxes = {"bubblewrap": isolated, "none": plain}
    samples = [s for s in load_samples(assignment) if s.name != "infinite_loop_in_one_function"]

    context = GradingContext()  # one grading process's: the zygote and the reference's answers kept between gradings
    grade_submission(assignment, samples[0].path, isolated, context=context)  # warm-up: imports, JAX compilation
    print(f"child start + stop, median of {10 * args.rounds}:")
    starts = {name: child_start_seconds(context, sb, assignment, 10 * args.rounds) for name, sb in sandboxes.items()}
    own = child_start_seconds(context, isolated, assignment, 10 * args.rounds, fork=False)
    for name, seconds in starts.items():
        print(f"  {name:<10} {seconds * 1000:7.1f} ms")
    print(f"  (bubblewrap with a sandbox of its own per child instead of a fork of the zygote: {own * 1000:.1f} ms)")

    per_submission: dict[str, list[float]] = {name: [] for name in sandboxes}
    for _ in range(args.rounds):
        for sample in samples:
            for name, sandbox in sandboxes.items():
                started = time.perf_counter()
                grade_submission(assignment, sample.path, sandbox, context=context)
                per_submission[name].append(time.perf_counter() - started)
    context.close()
    medians = {name: statistics.median(times) for name, times in per_submission.items()}
    print(f"grading one submission, median over {len(samples)} samples x {args.rounds} rounds:")
    for name, seconds in medians.items():
        print(f"  {name:<10} {seconds:7.3f} s")
    extra = medians["bubblewrap"] - medians["none"]
    if extra >= 0:
        print(f"isolation adds {extra * 1000:.0f} ms per submission ({extra / medians['none'] * 100:.1f} %)")
    else:  # without isolation there is no zygote: every child is a new process importing numpy and matplotlib
        print(f"isolated grading is {-extra * 1000:.0f} ms faster per submission: its children are forks of a "
              "zygote that imported numpy and matplotlib once; unisolated children are new processes")


if __name__ == "__main__":
    main()
