"""The reference's derivatives by JAX, in float64: what the checks compare students' gradients with.

``reference.grad("cost_jax", argnums=(0, 1))`` and ``reference.hessian(...)`` (:mod:`autograder.oracle`)
ask these; so do the stand-ins for building blocks inside a student's ``jax.grad`` (a VJP at a
point, and what a block returns for inputs of some shapes). 64-bit floats are switched on only for
these computations, and a function is compiled once per process where its inputs are all numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["jax_gradient", "jax_hessian", "jax_shape", "jax_vjp"]


def jax_gradient(function: Callable[..., Any], argnums: int | tuple[int, ...], *args: Any) -> Any:
    """``jax.grad(function, argnums)(*args)`` in float64, returned as numpy arrays."""
    gradient = _transformed("grad", function, argnums, args)
    if isinstance(gradient, tuple):
        return tuple(np.asarray(g, dtype=np.float64) for g in gradient)
    return np.asarray(gradient, dtype=np.float64)


def jax_hessian(function: Callable[..., Any], *args: Any) -> np.ndarray:
    """``jax.hessian(function)(*args)`` in float64, as a numpy array."""
    return np.asarray(_transformed("hessian", function, 0, args), dtype=np.float64)


def jax_vjp(function: Callable[..., Any], args: Sequence[Any], cotangent: Any) -> tuple[np.ndarray, ...]:
    """The vector-Jacobian product of ``function`` at ``args`` with ``cotangent``, in float64: the gradient
    of ⟨cotangent, function(args)⟩ with respect to every argument."""
    import jax
    import jax.numpy as jnp

    with jax.enable_x64(True):
        inputs = [jnp.asarray(a, dtype=jnp.float64) for a in args]
        _, pullback = jax.vjp(function, *inputs)
        return tuple(np.asarray(g, dtype=np.float64) for g in pullback(jnp.asarray(cotangent, dtype=jnp.float64)))


def jax_shape(function: Callable[..., Any], specs: Sequence[Sequence[Any]]) -> tuple[list[int], str]:
    """The shape and dtype ``function`` returns for inputs of these shapes and dtypes, without computing it.
    A function computing in float64 answers float32 to float32 inputs, as the student's JAX would."""
    import jax

    with jax.enable_x64(True):
        result = jax.eval_shape(function, *(jax.ShapeDtypeStruct(tuple(shape), dtype) for shape, dtype in specs))
    dtype = np.dtype(result.dtype)
    floats = [np.dtype(d) for _, d in specs if np.dtype(d).kind == "f"]
    if dtype.kind == "f" and floats and all(d.itemsize == 4 for d in floats):
        dtype = np.dtype(np.float32)
    return list(result.shape), dtype.name


def _transformed(kind: str, function: Callable[..., Any], argnums: int | tuple[int, ...], args: tuple[Any, ...]) -> Any:
    """Apply jax.grad or jax.hessian in float64; compiled once per function when every input is
    numeric (a class of submissions asks the same derivative at many points)."""
    import jax
    import jax.numpy as jnp

    with jax.enable_x64(True):
        numeric = all(isinstance(a, (np.ndarray, float, int, np.number)) for a in args)
        inputs = [jnp.asarray(a, dtype=jnp.float64) if isinstance(a, (np.ndarray, float, int, np.number)) else a
                  for a in args]
        if numeric:
            return _compiled(kind, function, argnums)(*inputs)
        return _transform(kind, function, argnums)(*inputs)


@functools.lru_cache(maxsize=256)
def _compiled(kind: str, function: Callable[..., Any], argnums: int | tuple[int, ...]) -> Callable[..., Any]:
    import jax

    return jax.jit(_transform(kind, function, argnums))


def _transform(kind: str, function: Callable[..., Any], argnums: int | tuple[int, ...]) -> Callable[..., Any]:
    import jax

    return jax.grad(function, argnums=argnums) if kind == "grad" else jax.hessian(function, argnums=argnums)


