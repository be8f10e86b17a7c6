"""The structure of a Jacobian, found before any spectrum is computed.

* **Irreducible blocks.** Order the coordinates by the strongly connected components of the
  sparsity graph (an edge ``i -> j`` where ``J[i, j] != 0``): the matrix becomes block triangular,
  so its eigenvalues are those of the diagonal blocks, one component at a time. Equal blocks
  (the copies of ``B`` in ``B (x) I_k`` under any coordinate permutation) are kept once, with
  their number of copies.
* **Kronecker structure.** With the state ordered ``(phi_1..phi_n, theta_1..theta_n)``, a loss
  invariant under permutations of the coordinate pairs gives ``J = B (x) I_n + C (x) 1 1^T``
  (2x2 ``B``, ``C``); then the spectrum is that of ``B + nC`` once and of ``B`` ``n - 1`` times
  (an orthogonal change of basis diagonalises ``1 1^T`` as ``diag(n, 0, ..., 0)``).

>>> import sympy as sp
>>> m = sp.Matrix([[1, 2, 0], [3, 4, 0], [5, 6, 7]])
>>> [(b.indices, b.copies) for b in irreducible_blocks(m)]
[((0, 1), 1), ((2,), 1)]
>>> exchangeable(sp.Matrix([[-1, -2, 0, 0], [-2, -1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]]), 2)
(Matrix([
[1, 0],
[1, 0]]), Matrix([
[-2, 0],
[ 0, 0]]))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["Block", "strongly_connected_components", "irreducible_blocks", "kron_block", "exchangeable", "nonzero"]


def nonzero(m) -> dict:
    """``{(i, j): value}`` of the entries of ``m`` that are not identically zero (a dict passes through)."""
    if isinstance(m, dict):
        return {k: v for k, v in m.items() if v.is_zero is not True}
    return {k: v for k, v in m.todok().items() if v.is_zero is not True}


def strongly_connected_components(size: int, edges: dict) -> list[list[int]]:
    """The strongly connected components of the graph ``{i: [j, ...]}`` on ``0..size-1`` (Tarjan).

    Iterative (no recursion limit); components come in reverse topological order.

    >>> strongly_connected_components(4, {0: [1], 1: [0, 2], 2: [3], 3: [2]})
    [[2, 3], [0, 1]]
    """
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    for root in range(size):
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            advanced = False
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(edges.get(w, ()))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


@dataclass(frozen=True)
class Block:
    """A diagonal block of the block-triangular form: its coordinates, its matrix, and how many equal blocks."""

    indices: tuple[int, ...]
    matrix: sp.ImmutableMatrix
    copies: int = 1


def irreducible_blocks(m, size: int | None = None) -> tuple[Block, ...]:
    """The irreducible diagonal blocks of ``m`` (strongly connected components), equal ones merged.

    ``m`` is a square matrix, or its entries ``{(i, j): value}`` with ``size``.
    """
    size = m.rows if size is None else size
    entries = nonzero(m)
    edges: dict[int, list[int]] = {}
    for i, j in entries:
        if i != j:
            edges.setdefault(i, []).append(j)
    merged: dict[sp.ImmutableMatrix, list] = {}
    for comp in sorted(strongly_connected_components(size, edges)):
        sub = sp.ImmutableMatrix([[entries.get((i, j), 0) for j in comp] for i in comp])
        if sub in merged:
            merged[sub][1] += 1
        else:
            merged[sub] = [tuple(comp), 1]
    return tuple(Block(idx, sub, k) for sub, (idx, k) in merged.items())


def _entry(entries: dict, i: int, j: int):
    return entries.get((i, j), sp.S.Zero)


def exchangeable(m, n: int) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix] | None:
    """``(B, C)`` with ``m = B (x) I_n + C (x) 1 1^T`` (2x2 ``B``, ``C``; ``m`` a matrix or its entries), else None."""
    entries = nonzero(m)
    b = [[sp.S.Zero] * 2 for _ in range(2)]
    c = [[sp.S.Zero] * 2 for _ in range(2)]
    for p in range(2):
        for q in range(2):
            off = _entry(entries, p * n + 0, q * n + 1) if n > 1 else sp.S.Zero
            diag = _entry(entries, p * n, q * n)
            c[p][q], b[p][q] = off, diag - off
    for (i, j), v in entries.items():  # every entry must be b + c (diagonal) or c (off-diagonal) of its block
        p, q = i // n, j // n
        want = b[p][q] + c[p][q] if i % n == j % n else c[p][q]
        if (v - want).is_zero is not True:
            return None
    count = {}
    for i, j in entries:  # the entries left out are 0, so what they should equal must be 0
        key = (i // n, j // n, i % n == j % n)
        count[key] = count.get(key, 0) + 1
    for p in range(2):
        for q in range(2):
            if c[p][q].is_zero is not True and count.get((p, q, False), 0) != n * (n - 1):
                return None
            if (b[p][q] + c[p][q]).is_zero is not True and count.get((p, q, True), 0) != n:
                return None
    return sp.ImmutableMatrix(b), sp.ImmutableMatrix(c)


def kron_block(m, n: int) -> sp.ImmutableMatrix | None:
    """``B`` if ``m == B (x) I_n`` exactly (``m`` a matrix or its entries ``{(i, j): value}``), else None."""
    found = exchangeable(m, n)
    if found is None or any(v != 0 for v in found[1]):
        return None
    return found[0]
