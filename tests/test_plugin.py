"""Checks are plain pytest tests: their outcomes become verdicts, and broken checks are the instructor's to fix."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from autograder.config import Assignment
from autograder.context import GradingContext
from autograder.errors import InstructorError
from autograder.oracle import write_cases
from autograder.pipeline import Selection, grade_submission
from autograder.release import record_cases
from autograder.sandbox.isolation import Unisolated

REFERENCE = """
def double(x):
    return 2 * x


def slow(x):
    return x
"""

PUBLIC = '''
import time
import pytest
from autograder.errors import CheckFailure
from autograder.numeric import Mistake, expect_float_close


@pytest.mark.exercise("double", points=2)
def check_double(submission, reference):
    expect_float_close(submission.double(1.5), reference.double(1.5), name="double(1.5)",
                       mistakes=[Mistake("You added instead of multiplying.", 3.5)])


@pytest.mark.exercise("double", points=1)
def check_double_with_a_bare_assert(submission):
    assert submission.double(3) == 6, "double(3) should be 6"


@pytest.mark.exercise("slow", points=1)
@pytest.mark.limits(call_seconds=3)
def check_slow_gets_more_time(submission):
    assert submission.slow(1.5) == 1.5


@pytest.mark.exercise("seeds", points=1)
def check_seed_one(seed, rng):
    assert isinstance(seed, int) and 0 <= rng.random() < 1
'''

HIDDEN = '''
import pytest
pytestmark = pytest.mark.hidden


@pytest.mark.exercise("double", points=1)
def check_double_hidden(submission):
    assert submission.double(-1) == -2


@pytest.mark.exercise("seeds", points=1)
def check_seed_two(seed):
    assert seed >= 0
'''


def make_course(root: Path, public: str = PUBLIC, hidden: str = HIDDEN) -> Assignment:
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    folder = root / "assignments" / "toy"
    folder.mkdir(parents=True)
    (folder / "assignment.toml").write_text('exercises = ["double", "slow", "seeds"]\n[limits]\ncall_seconds = 1\n')
    (folder / "checks_public.py").write_text(textwrap.dedent(public))
    (folder / "checks_hidden.py").write_text(textwrap.dedent(hidden))
    (root / "solutions").mkdir()
    (root / "solutions" / "toy.py").write_text(REFERENCE)
    return Assignment.load("toy", root)


def grade(assignment: Assignment, tmp_path: Path, code: str, context=None, **options):
    path = tmp_path / "submission.py"
    path.write_text(textwrap.dedent(code))
    return grade_submission(assignment, path, Unisolated(), selection=Selection(**options), context=context)


def test_verdicts_map_from_check_outcomes(tmp_path):
    assignment = make_course(tmp_path)
    result = grade(assignment, tmp_path, """
        import time
        def double(x):
            return x + 2
        def slow(x):
            time.sleep(1.5)
            return x
    """)
    double = result.exercise("double")
    assert (double.points, double.max_points, double.status) == (0, 4, "failed")
    assert double.hint == "You added instead of multiplying."
    bare = next(c for c in double.checks if c.name == "double_with_a_bare_assert")
    assert bare.status == "failed" and "double(3) should be 6" in bare.message
    assert result.exercise("slow").status == "passed"  # 1.5 s is over the default 1 s but within the marker's 3 s


def test_a_student_exception_is_an_error_verdict_and_a_check_bug_is_flagged_for_the_instructor(tmp_path):
    public = PUBLIC + '''

@pytest.mark.exercise("seeds", points=1)
def check_with_a_bug(submission):
    return {}["missing key"]
'''
    assignment = make_course(tmp_path, public=public)
    result = grade(assignment, tmp_path, "def double(x):\n    raise ValueError('nope')\n")
    double = result.exercise("double")
    assert double.status == "error" and "ValueError: nope" in double.message
    bug = next(c for e in result.exercises for c in e.checks if c.name == "with_a_bug")
    assert bug.status == "error" and "grader failed on this check, not your code" in bug.message
    assert any(note.startswith("grader error:") and "check_with_a_bug" in note for note in result.notes)


def test_a_message_quoting_a_huge_student_value_is_cut_and_says_so(tmp_path):
    """expect_equal quotes what the student returned; a 3 MB string must not become a 3 MB verdict in every report."""
    public = PUBLIC + '''

@pytest.mark.exercise("seeds", points=1)
def check_sizes(submission):
    from autograder.checks import expect_equal
    expect_equal(submission.sizes(), (3, 4), name="sizes()")
'''
    assignment = make_course(tmp_path, public=public)
    result = grade(assignment, tmp_path, "def sizes():\n    return ('x' * 3_000_000, 4)\n")
    check = next(c for e in result.exercises for c in e.checks if c.name == "sizes")
    assert check.status == "failed" and check.message.startswith("`sizes()` is ('xxx")
    assert len(check.message) < 2100 and check.message.endswith("more characters left out)")


def test_public_visibility_runs_only_the_public_checks(tmp_path):
    assignment = make_course(tmp_path)
    code = "def double(x):\n    return 2 * x\ndef slow(x):\n    return x\n"
    write_cases(assignment.cases, "toy", record_cases(assignment))
    everything = grade(assignment, tmp_path, code)
    public = grade(assignment, tmp_path, code, visibility="public", exercise=None)
    assert {c.hidden for e in everything.exercises for c in e.checks} == {True, False}
    assert {c.hidden for e in public.exercises for c in e.checks} == {False}
    assert everything.points == everything.max_points == 7 and public.max_points == 5


def test_each_check_has_its_own_stable_seed(tmp_path):
    assignment = make_course(tmp_path)
    code = "def double(x):\n    return 2 * x\n"
    first, second = grade(assignment, tmp_path, code), grade(assignment, tmp_path, code)
    seeds = [c.seed for e in first.exercises for c in e.checks]
    assert len(set(seeds)) == len(seeds)
    assert seeds == [c.seed for e in second.exercises for c in e.checks]
    assert seeds != [c.seed for e in grade(assignment, tmp_path, code, seed=7).exercises for c in e.checks]


@pytest.mark.parametrize("public, complaint", [
    ("def check_unmarked(submission):\n    pass\n", "has no @pytest.mark.exercise"),
    ("import pytest\n@pytest.mark.hidden\n@pytest.mark.exercise('double')\ndef check_h(submission):\n    pass\n",
     "ships to students"),
    ("import pytest\n@pytest.mark.exercise('double', points='two')\ndef check_p(submission):\n    pass\n",
     "invalid points"),
    ("this is not python\n", "failed to load"),
])
def test_a_broken_check_file_is_an_instructor_error_naming_the_check(tmp_path, public, complaint):
    assignment = make_course(tmp_path, public=public)
    with pytest.raises(InstructorError, match=complaint):
        grade(assignment, tmp_path, "def double(x):\n    return 2 * x\n")


def test_bad_configuration_names_its_source(tmp_path):
    make_course(tmp_path)
    config = tmp_path / "assignments" / "toy" / "assignment.toml"
    config.write_text('[limits]\ncall_seconds = "ten"\n')
    with pytest.raises(InstructorError, match=r"invalid value 'ten' for limit 'call_seconds' in .*assignment.toml"):
        Assignment.load("toy", tmp_path)
    config.write_text('[limits]\ncall_secs = 10\n')
    with pytest.raises(InstructorError, match="unknown limit 'call_secs'.*valid limits: call_seconds"):
        Assignment.load("toy", tmp_path)
    with pytest.raises(InstructorError, match="no assignment called 'nope'. Known assignments: toy"):
        Assignment.load("nope", tmp_path)


# ---------------------------------------------------------------------------- kept sessions (grading processes)


@pytest.fixture
def kept():
    """A grading worker's context: the checks kept collected between submissions."""
    context = GradingContext.for_worker()
    yield context
    context.close()


SUBMISSIONS = [
    "def double(x):\n    return x + 2\ndef slow(x):\n    return x\n",  # the added-instead mistake
    "def double(x):\n    raise ValueError('nope')\n",  # an error; slow missing
    "def double(x):\n    return 2 * x\ndef slow(x):\n    return x\n",  # all right
    "import time\ndef double(x):\n    return 2 * x\ndef slow(x):\n    time.sleep(5)\n",  # a timeout
]


def _verdicts(result):
    data = result.to_json()
    for key in ("timings", "duration_seconds", "submission"):
        data.pop(key, None)
    return data


def test_a_kept_session_gives_the_verdicts_of_fresh_ones(tmp_path, kept):
    assignment = make_course(tmp_path)
    stdout = sys.stdout
    with_kept = [_verdicts(grade(assignment, tmp_path, code, kept)) for code in SUBMISSIONS * 2]
    sessions = list(kept.sessions.sessions.values())
    assert len(sessions) == 1 and sessions[0].open  # one session served all eight
    assert sys.stdout is stdout  # pytest's capture is not left on while the session waits
    fresh = [_verdicts(grade(assignment, tmp_path, code)) for code in SUBMISSIONS]
    assert with_kept == fresh * 2
    assert fresh[2]["points"] == fresh[2]["max_points"] > max(fresh[0]["points"], fresh[1]["points"], fresh[3]["points"])
    assert "<your notebook>.double" in str(fresh[0])  # a bare assert's message: no address that differs per run


def test_a_broken_check_file_is_an_instructor_error_in_a_kept_session_too(tmp_path, kept):
    assignment = make_course(tmp_path, public="this is not python\n")
    for _ in range(2):
        with pytest.raises(InstructorError, match="failed to load"):
            grade(assignment, tmp_path, "def double(x):\n    return 2 * x\n", kept)
    assert not [s for s in kept.sessions.sessions.values() if s.open]
