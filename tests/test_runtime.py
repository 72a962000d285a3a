"""The child process: cells run one by one, calls are served, and nothing a student does stops the grader."""

from __future__ import annotations

import time

import numpy as np
import pytest

from autograder.config import Limits
from autograder.errors import BudgetExhausted, CallTimeout, ChildCrashed, MissingFunction, StudentCodeRaised


def test_a_failing_cell_is_recorded_and_the_next_cells_still_run(run_notebook):
    submission = run_notebook("def f(x):\n    return 2 * x", "1 / 0", "def g(x):\n    return f(x) + 1")
    statuses = [(c.number, c.status) for c in submission._runtime.cell_reports]
    assert statuses == [(1, "ok"), (2, "error"), (3, "ok")]
    assert "ZeroDivisionError" in submission._runtime.cell_reports[1].message
    assert "cell 2, line 1" in submission._runtime.cell_reports[1].message
    assert submission.g(np.arange(3.0)).tolist() == [1.0, 3.0, 5.0]


def test_an_exception_in_a_call_names_the_cell_and_line(run_notebook):
    submission = run_notebook("import numpy as np", "def f(W, X):\n    Z = W * X\n    return Z")
    with pytest.raises(StudentCodeRaised, match=r"ValueError.*cell 2, line 2: `Z = W \* X`"):
        submission.f(np.ones((2, 3)), np.ones((3, 4)))


def test_a_stub_and_an_undefined_name_are_missing(run_notebook):
    submission = run_notebook("def f():\n    raise NotImplementedError()")
    with pytest.raises(MissingFunction, match="not implemented yet"):
        submission.f()
    with pytest.raises(MissingFunction, match="does not define g"):
        submission.g


def test_a_cell_with_a_syntax_error_explains_why_its_function_is_missing(run_notebook):
    submission = run_notebook("def f(x):\n    return (x")
    with pytest.raises(MissingFunction, match="cell 1, which defines it, failed with SyntaxError"):
        submission.f


def test_an_endless_call_times_out_and_is_not_called_again(run_notebook):
    submission = run_notebook("def spin():\n    while True:\n        pass", "def ok():\n    return 1")
    started = time.monotonic()
    with pytest.raises(CallTimeout, match="did not finish within 2 s"):
        submission.spin()
    assert time.monotonic() - started < 2 + 1.5
    with pytest.raises(CallTimeout, match="earlier check"):
        submission.spin()
    assert submission.ok() == 1


def test_a_call_that_swallows_the_timeout_is_killed_and_the_notebook_restarted(run_notebook):
    submission = run_notebook(
        "import time",
        "def stubborn():\n    while True:\n        try:\n            time.sleep(10)\n"
        "        except BaseException:\n            pass",
        "def ok(x):\n    return x + 1",
    )
    with pytest.raises(CallTimeout):
        submission.stubborn()
    assert submission.ok(1) == 2  # a fresh child, the cells replayed
    assert submission._runtime.restarts == 1


def test_an_endless_cell_is_stopped_and_skipped_when_the_notebook_is_replayed(run_notebook):
    submission = run_notebook("while True:\n    pass", "def f():\n    return 5")
    assert [c.status for c in submission._runtime.cell_reports] == ["timeout", "ok"]
    assert submission.f() == 5


def test_later_cells_that_call_a_function_that_hung_at_top_level_run_only_their_definitions(run_notebook):
    submission = run_notebook(
        "def helper(n):\n    while n:\n        n = n + 1 - 1\n    return n",
        "def train(n):\n    return helper(n)",
        "model = train(3)",  # hangs in train (inside helper): 2 s here
        "again = train(5)\ndef g():\n    return 'g'",  # would hang again: only its definition runs
        "def train(n):\n    return n\nthird = train(7)",  # a new train: runs in full
        "after = train(9)",
        "def look():\n    return [name in globals() for name in ('again', 'third', 'after')]",
    )
    reports = {c.number: (c.status, c.message) for c in submission._runtime.cell_reports}
    assert reports[3][0] == "timeout"
    assert reports[4] == ("skipped", "not run: it calls train, which ran out of time in cell 3; "
                                     "only the cell's imports and definitions ran")
    assert reports[5][0] == reports[6][0] == "ok"
    assert submission.g() == "g" and submission.look() == [False, True, True]
    assert submission._runtime.notebook.used < 3  # the limit was spent once, not twice


def test_a_cell_that_loops_at_top_level_blames_no_function(run_notebook):
    submission = run_notebook("def f():\n    return 1", "f()\nwhile True:\n    pass", "x = f()",
                              "def look():\n    return x")
    assert [c.status for c in submission._runtime.cell_reports] == ["ok", "timeout", "ok", "ok"]
    assert submission.look() == 1


def test_a_crash_costs_the_call_not_the_submission(run_notebook):
    submission = run_notebook("import os", "def die():\n    os._exit(3)", "def ok():\n    return 'alive'")
    with pytest.raises(ChildCrashed, match="exited with status 3"):
        submission.die()
    assert submission.ok() == "alive"


def test_the_total_budget_stops_further_calls(run_notebook):
    limits = Limits(call_seconds=1, cell_seconds=1, submission_seconds=1.5)
    submission = run_notebook("def spin():\n    while True: pass", "def ok():\n    return 1", limits=limits)
    with pytest.raises(CallTimeout):
        submission.spin()
    time.sleep(0.6)
    with pytest.raises(BudgetExhausted, match="used up its total time"):
        submission.ok()


def test_functions_cross_both_ways_as_callbacks_and_handles(run_notebook):
    submission = run_notebook("def descend(dfdx, x):\n    return x - 0.1 * dfdx(x)",
                              "def derivative():\n    return lambda x: 3 * x ** 2")
    assert submission.descend(lambda x: 2 * x, 1.0) == pytest.approx(0.8)
    returned = submission.derivative()
    assert returned(2.0) == 12.0


def test_replaced_building_blocks_are_used_during_a_call_and_restored_after(run_notebook):
    submission = run_notebook("def block(x):\n    return -1", "def outer(x):\n    return block(x) + 1")
    assert submission.outer.with_options(replace={"block": lambda x: 10 * x})(2) == 21
    assert submission.outer(2) == 0


def test_arguments_changed_in_place_are_reported(run_notebook):
    submission = run_notebook("def sneaky(d):\n    d['W'] -= 1\n    return d")
    record = submission.sneaky.with_options(watch_args=True).call({"W": np.zeros(2)})
    assert record.args_after[0][0]["W"].tolist() == [-1.0, -1.0]


def test_output_is_captured_per_call_and_capped(run_notebook):
    limits = Limits(call_seconds=5, output_kb=1)
    submission = run_notebook("def chatty():\n    print('x' * 5000)\n    return 1", limits=limits)
    record = submission.chatty.call()
    assert record.value == 1 and len(record.stdout) < 1200 and "dropped" in record.stdout


def test_numpy_seeding_makes_random_functions_reproducible(run_notebook):
    submission = run_notebook("import numpy as np", "def draw():\n    return np.random.randn(3)")
    seeded = submission.draw.with_options(np_seed=5)
    assert seeded().tolist() == seeded().tolist() == np.random.RandomState(5).randn(3).tolist()


def test_a_memory_bomb_gets_a_memory_error_not_a_dead_grader(run_notebook):
    submission = run_notebook("import numpy as np", "def hog():\n    return np.ones(10**9).sum()",
                              limits=Limits(memory_mb=512))
    with pytest.raises(StudentCodeRaised, match="MemoryError"):
        submission.hog()


def test_a_timeout_in_the_middle_of_callbacks_leaves_the_channel_in_step(run_notebook):
    submission = run_notebook("def loop(f):\n    while True:\n        f(1.0)", "def apply(f, x):\n    return f(x)")
    with pytest.raises(CallTimeout):
        submission.loop(lambda x: time.sleep(0.05) or x)  # the limit strikes while a callback is pending
    assert [submission.apply(lambda x: 2 * x, float(k)) for k in range(3)] == [0.0, 2.0, 4.0]
    assert submission._runtime.restarts == 0


def test_a_cell_that_crashes_its_process_still_defines_its_functions(run_notebook):
    submission = run_notebook("import os", "def f(x):\n    return x + 1\nos._exit(1)", "def g():\n    return f(1)")
    assert submission.g() == 2
    crashed = submission._runtime.cell_reports[1]
    assert crashed.status == "crashed" and "keep only its imports and definitions" in crashed.message


def test_after_the_top_level_time_budget_cells_only_define_their_functions(run_notebook):
    limits = Limits(call_seconds=2, cell_seconds=5, cells_seconds=1, submission_seconds=30)
    submission = run_notebook("import time\ntime.sleep(1.2)", "def f():\n    return 'defined'\nprint(1 / 0)",
                              limits=limits)
    assert [c.status for c in submission._runtime.cell_reports] == ["ok", "skipped"]
    assert "used up its 1 s" in submission._runtime.cell_reports[1].message
    assert submission.f() == "defined"


def test_a_function_that_kills_its_process_is_not_called_again(run_notebook):
    submission = run_notebook("import os", "def die():\n    os._exit(3)", "def ok():\n    return 1")
    with pytest.raises(ChildCrashed):
        submission.die()
    with pytest.raises(ChildCrashed, match="on an earlier check"):
        submission.die()
    assert submission.ok() == 1 and submission._runtime.restarts == 1


def test_a_replaced_block_inside_jax_grad_falls_back_to_the_notebooks_own(run_notebook):
    """A traced value cannot cross to the grader, so inside jax.grad the student's own block answers."""
    limits = Limits(call_seconds=30, cell_seconds=30, submission_seconds=60)
    submission = run_notebook("import jax\njax.config.update('jax_enable_x64', True)",
                              "def block(w):\n    return w ** 2", "def slope(w):\n    return float(jax.grad(block)(w))",
                              limits=limits)
    assert submission.slope.with_options(replace={"block": lambda w: 0.0})(3.0) == 6.0
