"""Reference solution: Newton's method in one and two variables, and a damped Newton step.

One variable. Near x_k, f is approximated by the parabola
    q(x) = f(x_k) + f'(x_k) (x - x_k) + 1/2 f''(x_k) (x - x_k)^2,
whose vertex is the Newton step
    x_{k+1} = x_k - f'(x_k) / f''(x_k).
Where f''(x) <= 0 the parabola opens downwards and its vertex is a maximum, so the damped step
replaces the curvature by max(f''(x), 0) + damping, which is never below damping > 0:
    x_{k+1} = x_k - f'(x_k) / (max(f''(x_k), 0) + damping).

Two variables. xy has shape (2,), the gradient g(xy) shape (2,), the Hessian H(xy) shape (2, 2):
    xy_{k+1} = xy_k - H(xy_k)^{-1} g(xy_k),  computed by solving H d = g.

The notebook's function f(x, y) = e^(x + 2y) + x^2 - x y + 2 y^2 - 3x is also written with
jax.numpy (``f_jax``) so that ``jax.grad`` and ``jax.hessian`` check ``gradient_f`` and
``hessian_f``. Below the exercises sit the test functions the checks run the methods on, each
written once with jax.numpy: their derivatives come from JAX, independently of the closed forms
the checks hand to students' code.
"""

import jax
import jax.numpy as jnp
import numpy as np

# ---------------------------------------------------------------------------- one variable


def newtons_method(dfdx, d2fdx2, x, num_iterations=100):
    """Repeat x <- x - f'(x) / f''(x) num_iterations times; return the final x."""
    for _ in range(num_iterations):
        x = x - dfdx(x) / d2fdx2(x)
    return x


def iterations_to_converge(step, x, tolerance=1e-8, max_iterations=1000):
    """Apply x <- step(x) until |x_new - x| < tolerance; return the number of steps taken.

    Returns max_iterations if no step among the first max_iterations is that small.
    """
    for k in range(1, max_iterations + 1):
        x_new = step(x)
        if abs(x_new - x) < tolerance:
            return k
        x = x_new
    return max_iterations


def damped_newton_step(dfdx, d2fdx2, x, damping=1.0):
    """x - f'(x) / (max(f''(x), 0) + damping): a Newton step that always goes downhill."""
    curvature = max(d2fdx2(x), 0.0) + damping
    return x - dfdx(x) / curvature


# ---------------------------------------------------------------------------- two variables


def f(xy):
    """f(x, y) = e^(x + 2y) + x^2 - x y + 2 y^2 - 3x."""
    x, y = xy
    return np.exp(x + 2 * y) + x**2 - x * y + 2 * y**2 - 3 * x


def gradient_f(xy):
    """[df/dx, df/dy] = [e^(x+2y) + 2x - y - 3, 2 e^(x+2y) - x + 4y], shape (2,)."""
    x, y = xy
    e = np.exp(x + 2 * y)
    return np.array([e + 2 * x - y - 3, 2 * e - x + 4 * y])


def hessian_f(xy):
    """[[f_xx, f_xy], [f_yx, f_yy]] = [[e + 2, 2e - 1], [2e - 1, 4e + 4]] with e = e^(x+2y), shape (2, 2)."""
    x, y = xy
    e = np.exp(x + 2 * y)
    return np.array([[e + 2, 2 * e - 1], [2 * e - 1, 4 * e + 4]])


def newtons_method_2d(gradient, hessian, xy, num_iterations=100):
    """Repeat xy <- xy - H(xy)^{-1} g(xy) num_iterations times, solving H d = g; return the final xy."""
    for _ in range(num_iterations):
        xy = xy - np.linalg.solve(hessian(xy), gradient(xy))
    return xy


def f_jax(xy):
    """f(x, y) with jax.numpy, for jax.grad and jax.hessian."""
    x, y = xy[0], xy[1]
    return jnp.exp(x + 2 * y) + x**2 - x * y + 2 * y**2 - 3 * x


# ---------------------------------------------------------------------------- test functions for the checks
# Each family is f(x, *params) in jax.numpy. The checks give students' code closed-form
# derivatives of the same functions; here the derivatives come from JAX, in float64.

FAMILIES_1D = {
    "exp_linear": lambda x, a: jnp.exp(x) - a * x,  # minimum at ln a, f'' = e^x > 0
    # s x^p: a flat minimum at 0 (f''(0) = 0), where every Newton step is x <- (p - 2)/(p - 1) x
    "power_10": lambda x, s: s * x**10,
    "power_12": lambda x, s: s * x**12,
    "softplus_linear": lambda x, beta: jnp.logaddexp(0.0, x) - beta * x,  # minimum at logit(beta)
    "double_well": lambda x, s, t: x**4 / 4 - s * x**2 / 2 + t * x,  # f'' < 0 for |x| < sqrt(s/3)
}

FAMILIES_2D = {
    "f": lambda xy: f_jax(xy),
    # e^(a.xy) + 1/2 xy^T Q xy + b.xy with Q symmetric positive definite: strictly convex
    "exp_quadratic": lambda xy, a, Q, b: jnp.exp(jnp.dot(a, xy)) + 0.5 * xy @ Q @ xy + jnp.dot(b, xy),
    # (u.xy)^6 + (v.xy)^6: homogeneous of degree 6, so every Newton step is xy <- 4/5 xy
    "homogeneous_6": lambda xy, u, v: jnp.dot(u, xy) ** 6 + jnp.dot(v, xy) ** 6,
}

# Update rules x -> step(x) for iterations_to_converge (closed forms; no derivatives needed).
STEPS = {
    "affine": lambda x, c, r: c + r * (x - c),  # converges linearly to c when |r| < 1
    "newton_exp": lambda x, a: x - 1.0 + a * np.exp(-x),  # Newton's step on e^x - a x: quadratic
    "shift": lambda x, d: x + d,  # never converges
}

_JITTED = {}


def _jitted(family, function):
    """jax.jit of a family's derivatives, made once per process (params are arguments, not constants)."""
    if family not in _JITTED:
        _JITTED[family] = jax.jit(function)
    return _JITTED[family]


def derivatives_1d(family, params):
    """(dfdx, d2fdx2) of FAMILIES_1D[family] with these params, from jax.grad, as float -> float functions."""
    f1 = FAMILIES_1D[family]
    both = _jitted(family, lambda x, *p: (jax.grad(f1)(x, *p), jax.grad(jax.grad(f1))(x, *p)))
    with jax.enable_x64(True):
        args = [jnp.asarray(p, dtype=jnp.float64) for p in params]

    def dfdx(x):
        with jax.enable_x64(True):
            return float(both(jnp.float64(x), *args)[0])

    def d2fdx2(x):
        with jax.enable_x64(True):
            return float(both(jnp.float64(x), *args)[1])

    return dfdx, d2fdx2


def derivatives_2d(family, params):
    """(gradient, hessian) of FAMILIES_2D[family], from jax.grad and jax.hessian, on (2,) numpy arrays."""
    f2 = FAMILIES_2D[family]
    both = _jitted(family, lambda xy, *p: (jax.grad(f2)(xy, *p), jax.hessian(f2)(xy, *p)))
    with jax.enable_x64(True):
        args = [jnp.asarray(p, dtype=jnp.float64) for p in params]

    def gradient(xy):
        with jax.enable_x64(True):
            return np.asarray(both(jnp.asarray(xy, dtype=jnp.float64), *args)[0], dtype=np.float64)

    def hessian(xy):
        with jax.enable_x64(True):
            return np.asarray(both(jnp.asarray(xy, dtype=jnp.float64), *args)[1], dtype=np.float64)

    return gradient, hessian


def newton_path(family, params, x, num_iterations):
    """[x_0, x_1, ..., x_num_iterations]: the iterates of newtons_method on a 1-D family, shape (n + 1,)."""
    dfdx, d2fdx2 = derivatives_1d(family, params)
    path = [float(x)]
    for _ in range(num_iterations):
        path.append(newtons_method(dfdx, d2fdx2, path[-1], num_iterations=1))
    return np.array(path)


def newton_path_2d(family, params, xy, num_iterations):
    """The iterates of newtons_method_2d on a 2-D family, shape (n + 1, 2)."""
    gradient, hessian = derivatives_2d(family, params)
    path = [np.asarray(xy, dtype=np.float64)]
    for _ in range(num_iterations):
        path.append(newtons_method_2d(gradient, hessian, path[-1], num_iterations=1))
    return np.array(path)


def damped_step_on(family, params, x, damping):
    """damped_newton_step on a 1-D family."""
    dfdx, d2fdx2 = derivatives_1d(family, params)
    return damped_newton_step(dfdx, d2fdx2, x, damping)


def count_steps(family, params, x, tolerance, max_iterations):
    """iterations_to_converge with the update rule STEPS[family]."""
    rule = STEPS[family]
    return iterations_to_converge(lambda x: rule(x, *params), x, tolerance, max_iterations)
