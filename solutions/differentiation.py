"""Reference solution: symbolic, numerical and automatic differentiation, and a cost minimised with JAX.

The running example is f(x) = x³ e^(−x), whose derivative is f'(x) = 3x² e^(−x) − x³ e^(−x).

Symbolic (SymPy):    dfdx_by_hand(x) is f' typed by hand; derivative_function(expr, x) turns
                     sympy.diff(expr, x) into a numpy function with sympy.lambdify.
Numerical (NumPy):   central_difference(f, x, h) = (f(x + h) − f(x − h)) / 2h, error ∝ h²;
                     gradient_on_grid(y, x) = np.gradient(y, x) for sampled values.
Automatic (JAX):     dfdx_jax(x) = jax.grad(f_jax)(x); dfdx_jax_array = jax.vmap(jax.grad(f_jax)).

Cost minimisation, with monthly prices pA, pB of two suppliers, shape (n,), and ω the share bought from A:
    f(ω)  = pA ω + pB (1 − ω)                 the blended price, shape (n,)
    L(ω)  = 1/n Σ (f(ω)_i − mean f(ω))²       its population variance (jnp.var, ddof = 0)
    dL/dω = jax.grad(L)                       mapped over an array of ω with jax.vmap
The JAX functions run with 64-bit floats (``in_float64``), so the reference answers are as exact
as numpy's; a student's JAX code runs in float32 and is compared with the float32 tolerance.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import sympy


def in_float64(function):
    """Run a JAX function with 64-bit floats switched on (only for the duration of the call)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with jax.enable_x64(True):
            return function(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------- symbolic


def dfdx_by_hand(x):
    """f'(x) for f(x) = x³ e^(−x): product rule, with the chain rule giving (e^(−x))' = −e^(−x)."""
    return 3 * x**2 * sympy.exp(-x) - x**3 * sympy.exp(-x)


def derivative_function(expr, x):
    """A numpy function of d(expr)/dx: sympy.diff, then sympy.lambdify; the output has the input's shape."""
    dexpr_dx = sympy.diff(expr, x)
    dfdx_numpy = sympy.lambdify(x, dexpr_dx, "numpy")

    def dfdx(x_values):
        x_values = np.asarray(x_values, dtype=float)
        return dfdx_numpy(x_values) + np.zeros_like(x_values)  # a constant derivative is a number: broadcast it

    return dfdx


def derivative_values(expr, x, points):
    """d(expr)/dx at the given points, as a float array (what derivative_function's result returns)."""
    return np.asarray(derivative_function(expr, x)(np.asarray(points, dtype=float)), dtype=float)


# ---------------------------------------------------------------------------- numerical


def central_difference(f, x, h=1e-5):
    """f'(x) ≈ (f(x + h) − f(x − h)) / 2h, elementwise on an array x."""
    return (f(x + h) - f(x - h)) / (2 * h)


def gradient_on_grid(y_values, x_values):
    """dy/dx at every grid point: np.gradient with the coordinates (central inside, one-sided at the ends)."""
    return np.gradient(y_values, x_values)


# ---------------------------------------------------------------------------- automatic


def f_jax(x):
    """f(x) = x³ e^(−x) with jax.numpy."""
    return x**3 * jnp.exp(-x)


@in_float64
def dfdx_jax(x):
    """f'(x) by jax.grad, at a number x (int or float), as a Python float."""
    return float(jax.grad(f_jax)(float(x)))


@in_float64
def dfdx_jax_array(x_array):
    """f' at every entry of a 1-D array: jax.vmap(jax.grad(f_jax)) on float values."""
    x_array = jnp.asarray(x_array, dtype=float)
    return jax.vmap(jax.grad(f_jax))(x_array)


# ---------------------------------------------------------------------------- cost minimisation


def f_of_omega(omega, pA, pB):
    """The blended prices pA ω + pB (1 − ω), shape (n,)."""
    return pA * omega + pB * (1 - omega)


@in_float64
def L_of_omega(omega, pA, pB):
    """L(ω) = population variance of the blended prices (ddof = 0), a scalar."""
    return jnp.var(f_of_omega(omega, pA, pB))


@in_float64
def L_of_omega_array(omega_array, pA, pB):
    """L at every ω of omega_array, shape (k,): L_of_omega mapped over the first argument."""
    return jax.vmap(L_of_omega, in_axes=(0, None, None))(omega_array, pA, pB)


@in_float64
def dLdOmega_of_omega_array(omega_array, pA, pB):
    """dL/dω at every ω of omega_array, shape (k,): jax.grad of L_of_omega, mapped with jax.vmap."""
    return jax.vmap(jax.grad(L_of_omega), in_axes=(0, None, None))(omega_array, pA, pB)


def find_omega_min(omega_array, pA, pB):
    """The ω of omega_array where L is smallest, as a float."""
    L_array = L_of_omega_array(omega_array, pA, pB)
    return float(omega_array[np.argmin(L_array)])
