"""Building blocks handed to a student's function answer only what the reference's own computation
asks, and only during the call that received them (DESIGN.md, invariant 7)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from autograder.errors import StudentCodeRaised
from autograder.oracle import LiveSource, Memo, Oracle, load_module

REFERENCE = '''
import numpy as np

def scale(v):
    """A building block: 3 v."""
    return 3 * v

def shift(v):
    """Another, called by scale_and_shift only through scale_then_shift."""
    return scale(v) + 1

def scale_then_shift(v):
    """A block that calls a block."""
    return shift(v)

def composite(v):
    """What the student writes: the blocks, in order."""
    return scale_then_shift(v) * 2

'''


@pytest.fixture
def reference(tmp_path):
    path = tmp_path / "toy_reference.py"
    path.write_text(textwrap.dedent(REFERENCE))
    module = load_module(path, f"toy-{tmp_path.name}")
    return Oracle(module, LiveSource(module, Memo()), "reference")


BLOCKS = '''
import numpy as np
kept = {}

def scale(v):
    return -1000 * v  # the student's own blocks are wrong: a stand-in shows when it answered

def shift(v):
    return scale(v) - 1000

def scale_then_shift(v):
    return shift(v)

def uses_what_it_kept(v):
    return kept["scale"](v)
'''
ALL_BLOCKS = ("scale", "shift", "scale_then_shift")


def composite(body: str) -> str:
    return BLOCKS + "\ndef composite(v):\n" + textwrap.indent(textwrap.dedent(body), "    ")


def test_a_right_composite_gets_the_references_blocks_at_every_depth(run_notebook, reference):
    v = np.array([1.0, 2.0])
    right = run_notebook(composite("return scale_then_shift(v) * 2"))
    assert np.allclose(right.composite.with_options(replace=reference.blocks(*ALL_BLOCKS))(v), (3 * v + 1) * 2)
    # written differently: it asks shift itself, which the reference asks only two calls deep
    direct = run_notebook(composite("return shift(v) * 2"))
    assert np.allclose(direct.composite.with_options(replace=reference.blocks(*ALL_BLOCKS))(v), (3 * v + 1) * 2)


def test_a_stand_in_asked_what_the_reference_does_not_ask_leaves_it_to_the_students_own(run_notebook, reference):
    v = np.array([1.0, 2.0])
    submission = run_notebook(composite("return scale(v + 5)"))
    record = submission.composite.with_options(replace=reference.blocks("scale")).call(v)
    assert np.allclose(record.value, -1000 * (v + 5))  # the student's own scale answered, not 3 (v + 5)
    assert record.unanswered == ("scale",) and len(record.stand_in_calls["scale"]) == 1
    assert "composite called scale" in submission.stand_in_log[-1].hint()


def test_a_stand_in_kept_after_its_call_answers_nothing(run_notebook, reference):
    v = np.array([1.0, 2.0])
    submission = run_notebook(composite("kept.update(scale=scale)\nreturn scale_then_shift(v) * 2"))
    assert np.allclose(submission.composite.with_options(replace=reference.blocks(*ALL_BLOCKS))(v), (3 * v + 1) * 2)
    with pytest.raises(StudentCodeRaised, match="for one call only"):
        submission.uses_what_it_kept(v)


def test_inputs_a_few_ulp_away_from_the_references_are_still_answered(run_notebook, reference):
    v = np.array([1.0, 2.0])
    submission = run_notebook(composite("return scale_then_shift(v * (1 + 2 ** -50)) * 2"))
    got = submission.composite.with_options(replace=reference.blocks(*ALL_BLOCKS))(v)
    assert np.allclose(got, (3 * v + 1) * 2)


def test_the_calls_a_composite_made_are_known_even_when_it_raised(run_notebook, reference):
    submission = run_notebook(composite("shift(v)\nraise ValueError('after asking')"))
    function = submission.composite.with_options(replace=reference.blocks("shift"))
    with pytest.raises(StudentCodeRaised, match="after asking"):
        function(np.array([1.0]))
    assert len(function.stand_in_calls["shift"]) == 1
