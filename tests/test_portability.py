"""No verdict depends on the last bits of one machine (DESIGN.md, invariant 8).

The public answers are recorded on one machine and used on every student's laptop; `verify` compares a
fresh recording with the committed one on whatever machine CI runs. Another CPU, another BLAS or
another JAX changes the last bits of computed inputs and answers. Shown here two ways on this one
machine: XLA compiled for an older instruction set (``--xla_cpu_max_isa``) records and self-checks,
and every recorded float is moved a few ulp; neither changes a single verdict or makes anything out
of date.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder.config import Assignment
from autograder.context import GradingContext
from autograder.oracle import ReplaySource, cases_differences, load_cases, wire
from autograder.pipeline import Selection, grade_submission
from autograder.samples import load_samples
from autograder.sandbox.isolation import choose_sandbox

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.parent.name for p in (ROOT / "assignments").glob("*/assignment.toml"))
OLDER_CPUS = ("AVX", "SSE4_2")
ULPS = 4  # how far each float moves: a few ulp, as another CPU's round-off would

RECORD_AND_COMPARE = textwrap.dedent("""
    import json, sys
    from autograder.config import Assignment
    from autograder.oracle import cases_document, cases_differences, load_cases
    from autograder.release import record_cases
    report = {}
    for name in sys.argv[1:]:
        assignment = Assignment.load(name)
        fresh, current = cases_document(name, record_cases(assignment)), load_cases(assignment.cases)
        bits = sum(json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True)
                   for label in fresh["oracles"]
                   for (_, a), (_, b) in zip(fresh["oracles"][label].get("cases", []),
                                             current["oracles"][label].get("cases", [])))
        report[name] = {"differences": cases_differences(fresh, current), "bit_different": bits}
    print(json.dumps(report))
""")


def run_with_isa(isa: str, *command: str, cwd: Path = ROOT, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XLA_FLAGS": f"--xla_cpu_max_isa={isa}", "JAX_PLATFORMS": "cpu", "MPLBACKEND": "Agg"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("isa", OLDER_CPUS)
def test_answers_recorded_for_an_older_cpu_are_up_to_date_with_the_committed_ones(isa):
    done = run_with_isa(isa, sys.executable, "-c", RECORD_AND_COMPARE, *ASSIGNMENTS)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    print(f"XLA for {isa}: answers that differ in their bits from the committed ones: "
          + ", ".join(f"{name} {entry['bit_different']}" for name, entry in report.items()))
    assert {name: entry["differences"] for name, entry in report.items()} == {name: [] for name in ASSIGNMENTS}


SELF_CHECK_IN_A_KERNEL = textwrap.dedent("""
    # The student's side, as a kernel runs it: the notebook's cells in __main__ (its own JAX included),
    # then check_all() from the release folder, answering from the committed public cases.
    import sys, matplotlib
    matplotlib.use("Agg")
    from pathlib import Path
    from autograder.read import read_submission
    class Magics:  # %matplotlib inline and the like do nothing outside IPython
        def __getattr__(self, name):
            return lambda *args, **kwargs: None
    namespace = vars(sys.modules["__main__"])
    namespace["get_ipython"] = Magics
    for cell in read_submission(Path(sys.argv[1])).cells:
        exec(compile(cell.source, f"<cell {cell.number}>", "exec"), namespace)
    from autograder import check_all
    report = check_all()
    print(report)
    sys.exit(0 if report.passed else 1)
""")


@pytest.mark.parametrize("isa", OLDER_CPUS)
def test_the_references_self_check_passes_on_an_older_cpu(isa):
    """Every assignment's reference notebook and its self-check run in one process with XLA compiled for
    the older CPU, as on a student's laptop, with the answers recorded here: every public check passes."""
    failures = {}
    for name in ASSIGNMENTS:
        notebook = ROOT / "tests" / "samples" / name / "reference.ipynb"
        done = run_with_isa(isa, sys.executable, "-c", SELF_CHECK_IN_A_KERNEL, str(notebook), cwd=ROOT / "release" / name)
        if done.returncode != 0:
            failures[name] = done.stdout[-2000:] + done.stderr[-2000:]
    assert failures == {}


def moved(document: dict, rng: np.random.Generator) -> dict:
    """The cases file with every float (in questions and answers, arrays included) moved by up to ULPS ulp."""

    def move(value):
        if isinstance(value, float):
            return float(_nudge(np.float64(value), rng))
        if isinstance(value, list):
            return [move(v) for v in value]
        if isinstance(value, dict):
            if value.get("$t") in ("nd", "np") and np.dtype(value["dtype"]).kind == "f":
                data = np.frombuffer(base64.b64decode(value["b64"]), dtype=value["dtype"])
                return {**value, "b64": base64.b64encode(_nudge(data, rng).tobytes()).decode("ascii")}
            return {k: move(v) for k, v in value.items()}
        return value

    return move(document)


def _nudge(values, rng):
    steps = rng.integers(-ULPS, ULPS + 1, size=np.shape(values))
    out = np.array(values, dtype=np.float64, copy=True)
    flat, counts = out.reshape(-1), np.asarray(steps).reshape(-1)
    for index, count in enumerate(counts):
        start = flat[index]
        if not np.isfinite(start):
            continue  # inf and nan have no neighbours: another CPU gives them as they are
        for _ in range(abs(int(count))):
            flat[index] = np.nextafter(flat[index], np.inf if count > 0 else -np.inf)
        if not np.isfinite(flat[index]):  # the largest float moved up: no CPU rounds a finite answer to inf
            flat[index] = start
    return out.astype(np.asarray(values).dtype)


@pytest.fixture(scope="module")
def moved_cases(tmp_path_factory):
    """Each assignment's public cases with every float moved, written next to a copy of its checks."""
    folders = {}
    for index, name in enumerate(ASSIGNMENTS):
        assignment = Assignment.load(name, ROOT)
        folder = tmp_path_factory.mktemp(name)
        path = folder / "public_cases.json"
        path.write_text(json.dumps(moved(load_cases(assignment.cases), np.random.default_rng(index))), encoding="utf-8")
        folders[name] = path
    return folders


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_recorded_float_moved_a_few_ulp_is_still_up_to_date(name, moved_cases):
    assignment = Assignment.load(name, ROOT)
    original, nudged = load_cases(assignment.cases), load_cases(moved_cases[name])
    assert nudged != original  # the floats did move
    assert cases_differences(nudged, original) == []
    assert cases_differences(original, nudged) == []


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_recorded_question_is_found_from_inputs_a_few_ulp_away(name, moved_cases):
    assignment = Assignment.load(name, ROOT)
    for label, cases in load_cases(moved_cases[name])["oracles"].items():
        source = ReplaySource.load(assignment.cases, label)
        for question, _ in cases.get("cases", []):
            found = source.answer(tuple(wire.decode(question)), lambda: None)
            assert found is not None


def verdicts(result):
    return {(c.exercise, c.name): (c.status, c.points, c.hint) for e in result.exercises for c in e.checks}


MUTANTS_PER_ASSIGNMENT = 6  # spread over the samples: enough to meet every kind of check, quick enough for CI


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_self_checks_give_the_same_verdicts_with_every_recorded_float_moved(name, moved_cases):
    """The reference, the stub and mutants of the samples, self-checked (public checks, recorded
    answers) with the committed cases and with the moved ones: the same verdicts, check by check."""
    assignment = Assignment.load(name, ROOT)
    nudged = dataclasses.replace(assignment, cases=moved_cases[name])
    sandbox = choose_sandbox(assignment)
    everything = [s for s in load_samples(assignment) if s.path.suffix == ".ipynb"]
    mutants = [s for s in everything if s.kind == "mutant"]
    step = max(1, len(mutants) // MUTANTS_PER_ASSIGNMENT)
    samples = [s for s in everything if s.kind != "mutant"] + mutants[::step][:MUTANTS_PER_ASSIGNMENT]
    differing = []
    context = GradingContext()
    for sample in samples:
        before = grade_submission(assignment, sample.path, sandbox, selection=Selection("public"), context=context)
        after = grade_submission(nudged, sample.path, sandbox, selection=Selection("public"), context=context)
        if verdicts(before) != verdicts(after):
            differing.append(sample.name)
        if sample.kind == "reference":
            assert before.points == before.max_points > 0, before
    context.close()
    assert differing == []
