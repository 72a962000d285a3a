"""Checks that recur in the network assignments: a perceptron or a network of sigmoid layers trained on a log loss
or a squared error, built from ``layer_sizes``, ``initialize_parameters``, ``forward_propagation``, a cost,
``backward_propagation``, ``update_parameters`` and ``nn_model``.

The sigmoid far out on its tails; a layer's parameters (``W`` of shape (n_out, n_in) and ``b`` of shape (n_out, 1);
numbered ``W1``, ``b1``, ... in a network of more than one layer) drawn from the check's ``rng``, their shapes, what a
wrong shape of each (and of a forward pass's activations) says, and freshly initialised ones; the log loss with its
catalogued mistakes and its saturated outputs (and outputs saturated on purpose); the gradients against ``jax.grad``
of the reference's cost; the update step with a learning rate passed in; a training loop run on the reference's
building blocks against the reference's; the learning curve a student's printed costs draw. Built on the ladder and
the patterns (:mod:`autograder.numeric`, :mod:`autograder.patterns`); each raises
:class:`~autograder.errors.CheckFailure` with a value-free summary, so it serves hidden checks as well as public ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .diagnosis import Mistake, not_averaged, sign_flipped
from .errors import CheckFailure
from .figures import Figure
from .numeric import expect_close, expect_dict, expect_float, expect_float_close
from .patterns import expect_arrays, expect_initialized, expect_step, expect_trained, expect_unchanged

__all__ = [
    "LOG_LOSS_HINTS",
    "SIGMOID_HINTS",
    "activation_shape_hints",
    "expect_confident_log_loss",
    "expect_gradients",
    "expect_layers_initialized",
    "expect_log_loss",
    "expect_trained_as_reference",
    "expect_update",
    "layer_parameters",
    "layer_shape_hints",
    "layer_shapes",
    "layer_update_case",
    "learning_curve",
    "log_loss_mistakes",
    "on_blocks",
    "reference_gradients",
    "saturated_outputs",
    "sigmoid_far_out",
    "sigmoid_mistakes",
]

ShapeHints = dict[str, dict[tuple[int, ...], str]]


# ---------------------------------------------------------------------------- the sigmoid

SIGMOID_HINTS = {
    "exponent_sign": "Mind the sign in the exponent: sigma(z) = 1 / (1 + e^(-z)). With e^(+z) you get 1 - sigma(z).",
    "tanh": "That is tanh. The sigmoid is 1 / (1 + np.exp(-z)), with values between 0 and 1.",
    "parentheses": "Take the reciprocal of the whole denominator: 1 / (1 + np.exp(-z)), with the parentheses "
                   "(1 / 1 + np.exp(-z) is 1 + e^(-z)).",
}


def sigmoid_mistakes(z: Any, hints: Mapping[str, str] = SIGMOID_HINTS) -> list[Mistake]:
    """The sigmoid's known mistakes at ``z`` named in ``hints`` (in its order, each with its hint): "exponent_sign"
    (1 / (1 + e^z), that is 1 - sigma(z)), "tanh", "parentheses" (1 + e^(-z): 1 / 1 + np.exp(-z)), "reciprocal" (e^z:
    the 1 never added), "derivative" (sigma(z)(1 - sigma(z)))."""
    def sigma(x: Any) -> Any:
        return 1 / (1 + np.exp(-x))

    values: dict[str, Callable[[], Any]] = {
        "exponent_sign": lambda: 1 / (1 + np.exp(z)), "tanh": lambda: np.tanh(z), "parentheses": lambda: 1 + np.exp(-z),
        "reciprocal": lambda: np.exp(z), "derivative": lambda: sigma(z) * (1 - sigma(z))}
    return [Mistake(hint, _quiet(values[name])) for name, hint in hints.items()]


OVERFLOW_HINT = ("For large z, e^z overflows to inf and inf / inf is nan. Write the sigmoid as 1 / (1 + np.exp(-z)): it "
                 "tends to 0 and 1 correctly at both ends (numpy's overflow warning is then harmless; "
                 'np.errstate(over="ignore") silences it).')


def sigmoid_far_out(got: Any, expected: Any, z: Any, *, name: str = "sigmoid(z)", hints: Mapping[str, str] = SIGMOID_HINTS,
                    finite: bool = False, message: str = "`{name}` is {value} at z = {z:g}.", hint: str = OVERFLOW_HINT,
                    summary: str | None = None) -> np.ndarray:
    """The student's sigmoid at inputs ``z`` far out on both tails (|z| up to 1000, where e^z overflows): nan there
    (with ``finite``, inf too) is the verdict, worded by ``message`` (``{name}``, the ``{value}``, its ``{z}`` and
    ``{index}``) with the overflow ``hint``; then close to ``expected``, the sigmoid's ``hints`` named
    (:func:`sigmoid_mistakes`)."""
    if isinstance(got, np.ndarray) and got.shape == np.shape(z) and got.dtype.kind == "f":
        bad = ~np.isfinite(got) if finite else np.isnan(got)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise CheckFailure(message.format(name=name, value=got[index], z=z[index], index=index), hint, summary=summary or
                               f"`{name}` is {'not finite' if finite else 'nan'} for some large |z|.")
    return expect_close(got, expected, name=name, mistakes=sigmoid_mistakes(z, hints))


# ---------------------------------------------------------------------------- a layer's parameters


def _keys(sizes: Sequence[int]) -> list[tuple[str, str]]:
    """(W, b) per layer: plain for one layer, numbered from 1 for more."""
    layers = len(sizes) - 1
    return [("W", "b")] if layers == 1 else [(f"W{layer}", f"b{layer}") for layer in range(1, layers + 1)]


def layer_shapes(sizes: Sequence[int]) -> dict[str, tuple[int, int]]:
    """The parameters' shapes for layer sizes (n_x, ..., n_y): W (n_out, n_in) and b (n_out, 1) per layer."""
    shapes: dict[str, tuple[int, int]] = {}
    for (W, b), n_in, n_out in zip(_keys(sizes), sizes[:-1], sizes[1:], strict=True):
        shapes[W], shapes[b] = (n_out, n_in), (n_out, 1)
    return shapes


def layer_parameters(rng: np.random.Generator, sizes: Sequence[int], bias: float = 0.0) -> dict[str, np.ndarray]:
    """Parameters of order one for layer sizes (n_x, ..., n_y), drawn from ``rng`` layer by layer, W then b: standard
    normal weights and biases centred on ``bias`` (non-zero, so that a forgotten bias shows)."""
    parameters = {}
    for key, shape in layer_shapes(sizes).items():
        parameters[key] = rng.normal(loc=bias, size=shape) if key[0] == "b" else rng.normal(size=shape)
    return parameters


def layer_update_case(rng: np.random.Generator, sizes: Sequence[int]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The inputs of an update step for layer sizes (n_x, ..., n_y): parameters, then gradients of the same shapes
    keyed "d" + key, both drawn by :func:`layer_parameters` (biases centred on 0)."""
    parameters = layer_parameters(rng, sizes)
    return parameters, {"d" + key: value for key, value in layer_parameters(rng, sizes).items()}


def _words(layers: int, units: Sequence[str] | None, symbols: Sequence[str] | None) -> tuple[Sequence[str], Sequence[str]]:
    """What the rows of each layer's arrays stand for (input feature, hidden unit, output) and their sizes' symbols
    (n_x, n_h, n_y; n_h1, n_h2, ... for more hidden layers), from the input layer on."""
    hidden = layers - 1
    units = units or ("input feature", *["hidden unit"] * hidden, "output")
    symbols = symbols or ("n_x", *(["n_h"] if hidden == 1 else [f"n_h{i}" for i in range(1, hidden + 1)]), "n_y")
    return units, symbols


def layer_shape_hints(sizes: Sequence[int], m: int | None = None, *, biases: bool = True,
                      units: Sequence[str] | None = None, symbols: Sequence[str] | None = None) -> ShapeHints:
    """What a wrong shape of each parameter says, for layer sizes (n_x, ..., n_y): W transposed; with ``biases``, b
    flat or a row. With ``m``, the same for each gradient ("d" + key), where a bias's gradient summed over the wrong
    axis (a row of m, or m numbers) says so too. ``units`` names what the rows and columns stand for (input feature,
    hidden unit, output) and ``symbols`` their sizes (n_x, n_h, n_y) in the hints' words."""
    units, symbols = _words(len(sizes) - 1, units, symbols)
    hints: ShapeHints = {}
    for layer, (W, b) in enumerate(_keys(sizes)):
        n_in, n_out, unit_in, unit_out, rows = sizes[layer], sizes[layer + 1], units[layer], units[layer + 1], symbols[layer + 1]
        hints[W] = {(n_in, n_out): f"{W} has one row per {unit_out} and one column per {unit_in}: shape ({rows}, "
                                   f"{symbols[layer]})."}
        if biases:
            hints[b] = {(n_out,): f"Keep {b} a column of shape ({rows}, 1): np.zeros(({rows}, 1)), or sum with "
                                  "keepdims=True.", (1, n_out): f"{b} is a column, one entry per {unit_out}: shape ({rows}, 1)."}
    if m is None:
        return hints
    axis = "sums over the examples, which are the columns: np.sum(dZ, axis=1, keepdims=True) / m."
    return {"d" + key: {**table, **({(1, m): f"d{key} {axis}", (m,): f"d{key} {axis}"} if key[0] == "b" else {})}
            for key, table in hints.items()}


def activation_shape_hints(arrays: Mapping[str, Any], *, units: Sequence[str] | None = None,
                           symbols: Sequence[str] | None = None) -> ShapeHints:
    """What a transposed array of a forward pass says, for each of ``arrays`` (the expected ``Z1``, ``A1``, ...,
    numbered by layer, the highest number the output; ``Z`` and ``A`` for a single layer), of shape (n_out, m): it
    has one row per unit of its layer and one column per example. ``units`` and ``symbols`` as for
    :func:`layer_shape_hints`."""
    numbers = {key: int(key[1:] or 1) for key in arrays}
    units, symbols = _words(max(numbers.values(), default=1), units, symbols)
    return {key: {np.shape(value)[::-1]: f"{key} has one row per {units[numbers[key]]} and one column per example: "
                                         f"({symbols[numbers[key]]}, m)."} for key, value in arrays.items()}


def expect_layers_initialized(got: Any, sizes: Sequence[int], *, zero_biases: bool = False, bias_hints: bool = True,
                              hint: str | None = None) -> dict[str, np.ndarray]:
    """What ``initialize_parameters(*sizes)`` returned: a dict with every layer's W and b, each of its shape
    (:func:`layer_shapes`, a wrong one named by :func:`layer_shape_hints`; ``bias_hints`` for the biases' too); with
    ``zero_biases``, the biases all zero (else ``hint``). Whether the weights look random is
    :func:`~autograder.patterns.expect_small_random`'s."""
    shapes = layer_shapes(sizes)
    zeros = [key for key in shapes if key[0] == "b"] if zero_biases else []
    hints = layer_shape_hints(sizes, biases=bias_hints)
    return expect_initialized(got, shapes, zeros=zeros, shape_hints=hints, **({"hint": hint} if hint else {}))


# ---------------------------------------------------------------------------- the log loss

SMALLEST_FLOAT = 5e-324  # the smallest positive float64: no clip can keep A any closer to 0
CONFIDENT = 1e-4  # a clip this far from 0 and 1, or closer, still makes a confident mistake expensive

LOG_LOSS_HINTS = {
    "sign": "The log of a probability is negative, so the cost needs a minus sign in front: "
            "L = -1/m * sum(Y log {A} + (1 - Y) log(1 - {A})).",
    "not_averaged": "Average over the examples: divide the sum by m, the number of columns.",
    "entries": "Divide by m, the number of examples (columns), not by the number of entries n_y * m: np.mean averages "
               "over every entry.",
}
SATURATED_HINT = ("log(0) is -inf, and 0 * log(0) is nan in numpy. Keep {A} away from exactly 0 and 1 before taking logs: "
                  "{A} = np.clip({A}, 1e-15, 1 - 1e-15).")
DOT_HINT = ("np.dot of two (n_y, m) arrays is an (n_y, n_y) matrix that mixes the output rows. Multiply elementwise, add up "
            "every entry with np.sum, divide by m and return float(cost).")
CONFIDENT_WHEN = "when some outputs are exactly 0 where Y = 1, or exactly 1 where Y = 0"


def saturated_outputs(rng: np.random.Generator, A: Any, Y: Any, count: int, *, wrong: bool = False,
                      gap: float = 0.0) -> np.ndarray:
    """A copy of the outputs ``A`` with ``count`` entries of each row (drawn from ``rng``, row by row) at exactly their
    label in ``Y``, as a saturated sigmoid gives them; with ``wrong``, at 1 - the label (confident mistakes). ``gap``
    keeps them that far inside (0, 1), for a notebook whose cost takes the logs of A as it is."""
    A = np.array(A, dtype=float)
    for row in range(len(A)):
        columns = rng.choice(A.shape[1], size=count, replace=False)
        A[row, columns] = np.abs((1 - Y[row, columns] if wrong else Y[row, columns]) - gap)
    return A


def log_loss_mistakes(expected: float, A: Any, Y: Any, hints: Mapping[str, str]) -> list[Mistake]:
    """The log loss's catalogued mistakes named in ``hints`` (in its order, each with its hint): "sign" (no minus
    sign), "not_averaged" (the sum over the m examples), "sign_and_average" (both), "positive_term_only" (only
    Y log A), "swapped_terms" (log A with 1 - Y), "entries" (divided by n_y m)."""
    n_y, m = np.shape(Y)
    values: dict[str, Callable[[], Any]] = {
        "sign": lambda: -expected, "not_averaged": lambda: m * expected, "sign_and_average": lambda: -m * expected,
        "positive_term_only": lambda: -np.sum(Y * np.log(A)) / m,
        "swapped_terms": lambda: -np.sum(Y * np.log(1 - A) + (1 - Y) * np.log(A)) / m,
        "entries": lambda: expected / n_y}
    return [not_averaged(expected, m, hint) if name == "not_averaged" else Mistake(hint, _quiet(values[name]))
            for name, hint in hints.items()]


def _quiet(value: Callable[[], Any]) -> Callable[[], Any]:
    """``value`` computed without numpy's warnings about log(0) and 0 * inf (a wrong answer may well be nan)."""
    def computed() -> Any:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return value()
    return computed


def _not_finite(got: Any) -> bool:
    return isinstance(got, (float, np.floating)) and not math.isfinite(got)


def expect_log_loss(got: Any, expected: float, A: Any, Y: Any, *, hints: Mapping[str, str] | None = None,
                    mistakes: Sequence[Mistake] = (), when: str | None = None, output: str = "A",
                    saturated_hint: str | None = None) -> float:
    """The log loss -1/m sum(Y log A + (1 - Y) log(1 - A)) as a float close to ``expected``, its catalogued mistakes
    (:func:`log_loss_mistakes`: ``hints``, by default :data:`LOG_LOSS_HINTS`) then ``mistakes`` named. With ``when``
    (the outputs' circumstance, "" for none), a nan or inf cost is the verdict, with the clipping hint; an (n_y, n_y)
    array is np.dot where an elementwise product was meant. ``output`` is the outputs' name in the default hints."""
    if when is not None and _not_finite(got):
        raise CheckFailure(f"`cost` is {float(got)}" + (f" {when}." if when else "."),
                           (saturated_hint or SATURATED_HINT).format(A=output),
                           summary=f"`cost` is not finite{' ' + when if when else ''}.")
    n_y = np.shape(Y)[0]
    if isinstance(got, np.ndarray) and got.shape == (n_y, n_y) and n_y > 1:
        raise CheckFailure(f"`cost` is a numpy array of shape {got.shape}, but a single number was expected.", DOT_HINT,
                           summary="`cost` is an (n_y, n_y) numpy array, but a single number was expected.")
    hints = hints or {name: hint.format(A=output) for name, hint in LOG_LOSS_HINTS.items()}
    return expect_float_close(got, expected, name="cost", mistakes=[*log_loss_mistakes(expected, A, Y, hints), *mistakes])


def expect_confident_log_loss(got: Any, rest: float, k: int, m: int, *, output: str = "A",
                              saturated_hint: str | None = None, summaries: tuple[str, str] | None = None) -> float:
    """The log loss when ``k`` of the m outputs are exactly 0 where Y = 1 (or 1 where Y = 0): finite (else the
    clipping hint), and ``rest`` (the cost of the other outputs) plus log(1/eps)/m for each such output, for any clip
    eps from the smallest float up to 1e-4 (a clip much further from 0 and 1 lets a confident mistake cost little).
    ``summaries``: what hidden checks say when the cost is not finite, and when it is off."""
    not_finite, off = summaries or (f"`cost` is not finite {CONFIDENT_WHEN}.",
                                    "`cost` is off when some outputs are exactly 0 or 1 on the wrong side of the labels.")
    if _not_finite(got):
        raise CheckFailure(f"`cost` is {float(got)} {CONFIDENT_WHEN}.", (saturated_hint or SATURATED_HINT).format(A=output),
                           summary=not_finite)
    cost = expect_float(got, name="cost")
    low, high = (rest + k * -math.log(eps) / m for eps in (CONFIDENT, SMALLEST_FLOAT))
    if not low <= cost <= high:
        raise CheckFailure(f"`cost` is {cost:.6g} {CONFIDENT_WHEN}; expected between {low:.4g} ({output} clipped at "
                           f"{CONFIDENT:g}) and {high:.4g} ({output} clipped at {SMALLEST_FLOAT:g}).",
                           f"Clip {output} only a tiny distance from 0 and 1 (e.g. np.clip({output}, 1e-15, 1 - 1e-15)), so "
                           "that a confident mistake still costs a lot.", summary=off)
    return cost


# ---------------------------------------------------------------------------- gradients and the update step


def reference_gradients(reference: Any, parameters: Mapping[str, Any], *data: Any, cost: str = "cost_jax") -> dict[str, Any]:
    """The gradients {"d" + key: ...} of the reference's ``cost(*parameters.values(), *data)`` (written with
    jax.numpy), by ``jax.grad`` with respect to every parameter."""
    grads = reference.grad(cost, argnums=tuple(range(len(parameters))))(*parameters.values(), *data)
    return {"d" + key: value for key, value in zip(parameters, grads, strict=True)}


def expect_gradients(got: Any, expected: Mapping[str, Any], keys: Sequence[str], m: int, *, sign_hint: str,
                     average_hint: str = "Average over the examples: divide by m.",
                     mistakes_for: Callable[[str], Sequence[Mistake]] | None = None,
                     shape_hints: Mapping[str, Mapping[tuple[int, ...], str]] | None = None,
                     name: str = "grads") -> dict[str, np.ndarray]:
    """A dict of gradients with every key of ``expected``; those named in ``keys`` entry by entry against their values,
    with the sign flipped (``sign_hint``) and the sum over the m examples (``average_hint``) named, then the exercise's
    own ``mistakes_for(key)``."""
    found = expect_dict(got, name=name, keys=tuple(expected))
    return expect_arrays(found, {key: expected[key] for key in keys}, name=name, shape_hints=shape_hints,
                         mistakes_for=lambda key: [sign_flipped(expected[key], sign_hint),
                                                   not_averaged(expected[key], m, average_hint),
                                                   *(mistakes_for(key) if mistakes_for else ())])


def expect_update(update: Any, reference_update: Callable[..., Any], parameters: Mapping[str, Any],
                  grads: Mapping[str, Any], learning_rate: float, *, inputs_alone: str | None = None, watched: int = 1,
                  what: str = "parameters", function: str = "update_parameters") -> dict[str, np.ndarray]:
    """The student's ``update(parameters, grads, learning_rate=...)`` against ``reference_update`` (the reference's
    update_parameters), one descent step with its usual mistakes named (:func:`~autograder.patterns.expect_step`, the
    default rate from the reference called without one). With ``inputs_alone`` (the hint), the call is watched: its
    first ``watched`` arguments (parameters, then grads; ``what`` names them) must come back unchanged."""
    watch = inputs_alone is not None
    record = (update.with_options(watch_args=True) if watch else update).call(parameters, grads, learning_rate=learning_rate)
    expected = reference_update(parameters, grads, learning_rate=learning_rate)
    stepped = expect_step(record.value, expected, parameters, grads, learning_rate, reference_update(parameters, grads))
    if watch:
        expect_unchanged(record.args_after[0][:watched], [parameters, grads][:watched], function=function, what=what,
                         hint=inputs_alone)
    return stepped


# ---------------------------------------------------------------------------- a training loop


def on_blocks(function: Any, reference: Any, seed: int, blocks: Sequence[str], *, seeded: Sequence[str] =
              ("initialize_parameters",), **options: Any) -> Any:
    """The student's ``function`` (``submission.nn_model``) with numpy seeded and the reference's ``blocks`` in place
    of the notebook's (those in ``seeded`` drawing from numpy seeded the same way): a bug in one costs only its own
    exercise. ``options``: more of ``with_options`` (``watch_args=True``)."""
    replace = reference.blocks(*blocks, np_seeds={name: seed for name in seeded})
    return function.with_options(np_seed=seed, replace=replace, **options)


def expect_trained_as_reference(got: Any, reference: Any, seed: int, args: Sequence[Any], sizes: Sequence[int], *,
                                iterations: int = 10, learning_rate: float = 1.2, defaults: tuple[int, float] = (10, 1.2),
                                function: str = "nn_model", start: str = "initialize_parameters",
                                shape_hints: Mapping[str, Mapping[tuple[int, ...], str]] | None = None) -> dict[str, Any]:
    """What the student's training loop returned after ``iterations`` steps at ``learning_rate`` against the
    reference's ``function(*args, n, rate)`` from numpy seeded with ``seed``
    (:func:`~autograder.patterns.expect_trained`: the start is the reference's ``start(*sizes)``)."""
    train = reference.function(function, np_seed=seed)
    initial = reference.function(start, np_seed=seed)(*sizes)
    return expect_trained(got, lambda n, rate: train(*args, n, rate), initial, iterations=iterations,
                          learning_rate=learning_rate, defaults=defaults, function=function, shape_hints=shape_hints)


NUMBER_CHARACTERS = frozenset("0123456789.eE+-")


def cost_at_end(line: str) -> float | None:
    """The number that ends ``line`` ("Cost after iteration 3: 0.693147", "cost=0.69"), if it ends with one. A scan
    back from the end, in time linear in the line: the student wrote it (a regular expression that backtracks took
    minutes on one long line of digits)."""
    end = len(line.rstrip())
    start = end
    while start > 0 and line[start - 1] in NUMBER_CHARACTERS:
        start -= 1
    try:
        return float(line[start:end])
    except ValueError:
        return None


def learning_curve(printed: str, expected: Sequence[float], *, title: str = "Learning curve: the cost at each iteration",
                   label: str = "yours (printed with print_cost=True)") -> Figure:
    """The costs a training loop printed (the number ending each line of ``printed``), iteration by iteration, against
    the ``expected`` ones: a figure for a wrong training loop's feedback."""
    theirs = [cost for cost in map(cost_at_end, printed.splitlines()) if cost is not None]
    figure = Figure(title, xlabel="iteration", ylabel="cost")
    figure.line(range(len(expected)), expected, role="reference")
    if theirs:
        figure.line(range(len(theirs)), theirs, role="student", label=label)
    return figure
