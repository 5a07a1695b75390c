"""The tutorial ftrans grew from, reproduced: f(x1, x2) = (sin(x1/x2) + x1/x2 - e^x2)(x1/x2 - e^x2)
at (1.5, 0.5) — its jaxpr, the forward-mode tables (directions x1 and x2), the reverse-mode
table, the gradient, and a 3x2 Jacobian built column by column and row by row.

Run: python examples/tutorial.py
"""

import numpy as np

import ftrans
import ftrans.numpy as fnp
from ftrans.explain import forward_table, reverse_table


def f(x1, x2):
    v1 = x1 / x2
    v2 = fnp.sin(v1)
    v3 = fnp.exp(x2)
    v4 = v1 - v3
    v5 = v2 + v4
    v6 = v5 * v4
    return v6


A = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, 0.0]])


def g(x):
    """A small R^2 -> R^3 function for the Jacobian: A @ (sin(x) * x)."""
    return A @ (fnp.sin(x) * x)


def main():
    x = (1.5, 0.5)
    print("f(x1, x2) = (sin(x1/x2) + x1/x2 - exp(x2)) * (x1/x2 - exp(x2)) at", x)
    print("\nThe jaxpr of f:")
    print(ftrans.make_jaxpr(f)(*x))

    print("\nForward mode, direction x1 (tangent of x1 = 1):")
    print(forward_table(f, x, (1.0, 0.0)))
    print("\nForward mode, direction x2 (tangent of x2 = 1):")
    print(forward_table(f, x, (0.0, 1.0)))
    print("\nReverse mode (adjoint of f = 1):")
    print(reverse_table(f, x))

    value, grad = ftrans.value_and_grad(f, argnums=(0, 1))(*x)
    print(f"\nf = {value:.4f}   grad f = [{grad[0]:.4f}, {grad[1]:.4f}]")

    x0 = np.array([0.3, 1.2])
    cols = np.column_stack([ftrans.jacobian_columns(g, [j])(x0)[:, 0] for j in range(2)])
    rows = np.vstack([ftrans.jacobian_rows(g, [i])(x0)[0] for i in range(3)])
    print("\nJacobian of g: R^2 -> R^3 at", x0)
    print("column by column (forward mode, one jvp each):\n", cols)
    print("row by row (reverse mode, one vjp each):\n", rows)
    print("agree:", bool(np.allclose(cols, rows)), "| jacfwd == jacrev:",
          bool(np.allclose(ftrans.jacfwd(g)(x0), ftrans.jacrev(g)(x0))))


if __name__ == "__main__":
    main()
