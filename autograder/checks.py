"""Everything a check file needs, in one import: ``from autograder.checks import expect_close, ...``.

A check is a plain pytest test marked ``@pytest.mark.exercise("<name>", points=N)`` (checks in
``checks_hidden.py`` also get ``pytestmark = pytest.mark.hidden``), taking the fixtures
``submission``, ``reference``, ``mistakes``, ``rng``, ``seed``, ``feedback`` and ``contract``
(docs/authoring.md). This module is the stated API those tests use, and the only module of the
grader they import (a test holds every check file to that); what is here stays, what is not is
the engine's own business.

* the ladder: ``expect_close``, ``expect_float_close``, ``expect_array``, ``expect_bool_array``,
  ``expect_dict``, ``expect_tuple``, ``expect_equal``, ``expect_float``, ``expect_function``,
  ``expect_expression``, with ``TOLERANCE`` and ``relative_error``;
* patterns that recur: ``expect_arrays`` (a dict of parameters), ``expect_initialized`` (their
  shapes, biases at zero), ``expect_step`` (one gradient step on them), ``expect_trained`` (what a
  training loop returns), ``expect_sizes`` (layer sizes read from X and Y), ``expect_elementwise``
  (a function of arrays that works on one number), ``expect_unchanged`` (no in-place update),
  ``expect_small_random`` (``0.01 · randn``), ``expect_printed_each_iteration`` and
  ``expect_training_report`` (a training loop's data left alone, its cost printed),
  ``expect_predicted_classes`` (booleans, the opposite class named); what a function declares and
  is passed: ``expect_declared_defaults`` (its defaults, read from its source),
  ``arguments_in_order`` (a failed call of a function whose arguments are declared in another
  order), ``expect_passed`` with ``ArgumentsMistake`` (the arguments it passed to a building block);
* known mistakes: ``Mistake``, and the recurring ones as factories (``sign_flipped``,
  ``not_averaged``, ``doubled``, ``halved``, ``averaging_mistakes``, ``ascent``, ``unscaled_step``,
  ``rate_ignored``, ``step_mistakes``, ``no_update``, ``iteration_mistakes``, ``size_mistakes``);
  a function that reads notebook globals instead of its arguments gets its hint from the engine;
* verdicts and feedback: ``CheckFailure`` (with a value-free ``summary`` for hidden checks),
  ``StudentCodeRaised`` (to turn a student's exception into a precise verdict), ``Figure``;
* the network assignments' recurring pieces (:mod:`autograder.networks`): a layer's parameters
  (``layer_parameters``, ``layer_shapes``, ``layer_update_case``, ``layer_shape_hints``, ``expect_layers_initialized``) and
  its activations' shape hints (``activation_shape_hints``), the sigmoid's and the log loss's
  known mistakes (``sigmoid_mistakes``, ``log_loss_mistakes``), the sigmoid far out on its tails
  (``sigmoid_far_out``), the log loss with its saturated
  outputs (``saturated_outputs``, ``expect_log_loss``, ``expect_confident_log_loss``), gradients against ``jax.grad`` of
  the reference's cost (``reference_gradients``, ``expect_gradients``), the update step
  (``expect_update``), a training loop on the reference's building blocks (``on_blocks``,
  ``expect_trained_as_reference``) and its ``learning_curve``;
* ``public_checks(__file__)``: the public checks module, for a hidden check file to share its helpers.
"""

from __future__ import annotations

from .diagnosis import (
    Mistake,
    ascent,
    averaging_mistakes,
    doubled,
    halved,
    iteration_mistakes,
    no_update,
    not_averaged,
    rate_ignored,
    sign_flipped,
    size_mistakes,
    step_mistakes,
    unscaled_step,
)
from .errors import CheckFailure, StudentCodeRaised
from .figures import Figure
from .networks import (
    activation_shape_hints,
    expect_confident_log_loss,
    expect_gradients,
    expect_layers_initialized,
    expect_log_loss,
    expect_trained_as_reference,
    expect_update,
    layer_parameters,
    layer_shape_hints,
    layer_shapes,
    layer_update_case,
    learning_curve,
    log_loss_mistakes,
    on_blocks,
    reference_gradients,
    saturated_outputs,
    sigmoid_far_out,
    sigmoid_mistakes,
)
from .numeric import (
    TOLERANCE,
    expect_array,
    expect_bool_array,
    expect_close,
    expect_dict,
    expect_equal,
    expect_expression,
    expect_float,
    expect_float_close,
    expect_function,
    expect_tuple,
    relative_error,
)
from .patterns import (
    ArgumentsMistake,
    arguments_in_order,
    expect_arrays,
    expect_declared_defaults,
    expect_elementwise,
    expect_initialized,
    expect_passed,
    expect_predicted_classes,
    expect_printed_each_iteration,
    expect_sizes,
    expect_small_random,
    expect_step,
    expect_trained,
    expect_training_report,
    expect_unchanged,
)
from .plugin import public_checks

__all__ = [
    "ArgumentsMistake",
    "CheckFailure",
    "Figure",
    "Mistake",
    "StudentCodeRaised",
    "TOLERANCE",
    "activation_shape_hints",
    "arguments_in_order",
    "ascent",
    "averaging_mistakes",
    "doubled",
    "expect_array",
    "expect_arrays",
    "expect_bool_array",
    "expect_close",
    "expect_confident_log_loss",
    "expect_declared_defaults",
    "expect_dict",
    "expect_elementwise",
    "expect_equal",
    "expect_expression",
    "expect_float",
    "expect_float_close",
    "expect_function",
    "expect_gradients",
    "expect_initialized",
    "expect_layers_initialized",
    "expect_log_loss",
    "expect_passed",
    "expect_predicted_classes",
    "expect_printed_each_iteration",
    "expect_sizes",
    "expect_small_random",
    "expect_step",
    "expect_trained",
    "expect_trained_as_reference",
    "expect_training_report",
    "expect_tuple",
    "expect_unchanged",
    "expect_update",
    "halved",
    "iteration_mistakes",
    "layer_parameters",
    "layer_shape_hints",
    "layer_shapes",
    "layer_update_case",
    "learning_curve",
    "log_loss_mistakes",
    "no_update",
    "not_averaged",
    "on_blocks",
    "public_checks",
    "rate_ignored",
    "reference_gradients",
    "relative_error",
    "saturated_outputs",
    "sigmoid_far_out",
    "sigmoid_mistakes",
    "sign_flipped",
    "size_mistakes",
    "step_mistakes",
    "unscaled_step",
]
