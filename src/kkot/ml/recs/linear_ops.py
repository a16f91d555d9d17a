"""Matrix building blocks of :mod:`kkot.ml.recs.linear` (SLIST): training rows, Gram lookups and solvers."""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

_I = np.zeros(0, dtype=np.int64)


def normalize_rows(m: sp.csr_matrix, how: str) -> sp.csr_matrix:
    if how == "none" or m.nnz == 0:
        return m
    m = m.tocsr()
    if how == "l1":
        norm = np.asarray(abs(m).sum(axis=1)).ravel()
    else:
        norm = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norm[norm == 0] = 1.0
    return sp.diags((1.0 / norm).astype(np.float32)) @ m


def session_rows(indptr: np.ndarray, cols: np.ndarray, n_cols: int) -> sp.csr_matrix:
    """Binary session x kept-item matrix (``cols`` = column of every event, -1 when the item is not kept)."""
    n_s = indptr.size - 1
    sess = np.repeat(np.arange(n_s, dtype=np.int64), np.diff(indptr))
    keep = cols >= 0
    m = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (sess[keep], cols[keep])), shape=(n_s, n_cols)
    )
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


def transition_rows(
    indptr: np.ndarray,
    cols: np.ndarray,
    n_cols: int,
    train_weight: float,
    max_len: int = 50,
    cols_out: np.ndarray | None = None,
    n_out: int | None = None,
) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """(prefix inputs, future targets, session of every row): one row per prefix ``t`` of every session.

    Input ``j <= t`` weighs ``exp(-(t - j) / train_weight)``, target ``j > t`` weighs ``exp(-(j - t - 1) /
    train_weight)``. Sessions longer than ``max_len`` keep their newest ``max_len`` events (cost is quadratic)."""
    lengths = np.diff(indptr)
    starts = indptr[:-1].copy()
    long = lengths > max_len
    starts[long] += lengths[long] - max_len
    lengths = np.minimum(lengths, max_len)
    sess = np.flatnonzero(lengths >= 2)
    if sess.size == 0:
        empty = sp.csr_matrix((0, n_cols), dtype=np.float32)
        return empty, empty, _I
    n_rows_s = lengths[sess] - 1
    row_sess = np.repeat(sess, n_rows_s)
    first_row = np.zeros(sess.size, dtype=np.int64)
    np.cumsum(n_rows_s[:-1], out=first_row[1:])
    row_t = np.arange(row_sess.size, dtype=np.int64) - np.repeat(first_row, n_rows_s)
    row_len = lengths[row_sess]
    elem_row = np.repeat(np.arange(row_sess.size, dtype=np.int64), row_len)
    row_first_elem = np.zeros(row_sess.size, dtype=np.int64)
    np.cumsum(row_len[:-1], out=row_first_elem[1:])
    j = np.arange(elem_row.size, dtype=np.int64) - row_first_elem[elem_row]
    ev = starts[row_sess[elem_row]] + j
    col = cols[ev]
    col_o = col if cols_out is None else cols_out[ev]
    n_out = n_cols if n_out is None else n_out
    t = row_t[elem_row]
    is_in = j <= t
    gap = np.where(is_in, t - j, j - t - 1).astype(np.float32)
    w = (
        np.exp(-gap / np.float32(max(train_weight, 1e-6)))
        if train_weight > 0
        else np.ones(gap.size, np.float32)
    )
    n_rows = row_sess.size

    def build(mask: np.ndarray, c: np.ndarray, n: int) -> sp.csr_matrix:
        mask = mask & (c >= 0)
        m = sp.csr_matrix((w[mask], (elem_row[mask], c[mask])), shape=(n_rows, n), dtype=np.float32)
        m.sum_duplicates()
        return m

    return build(is_in, col, n_cols), build(~is_in, col_o, n_out), row_sess


def spd_inverse(a: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite float32 matrix (Cholesky, LAPACK ``spotrf``/``spotri``)."""
    c, info = sla.lapack.spotrf(a, lower=1, overwrite_a=1, clean=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"Cholesky factorisation failed (info={info})")
    p, info = sla.lapack.spotri(c, lower=1, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"inverse failed (info={info})")
    # only the lower triangle is valid: mirror it
    il = np.triu_indices(p.shape[0], 1)
    p[il] = p.T[il]
    return p


def dense_top_rows(b: np.ndarray, keep: int, block: int = 1024) -> sp.csr_matrix:
    """CSR of the ``keep`` largest positive entries of every row of a dense matrix (ties: smaller column)."""
    n, m = b.shape
    keep = max(min(int(keep), m), 1)
    rows, cols, vals = [], [], []
    for start in range(0, n, block):
        blk = b[start : start + block]
        if keep < m:
            idx = np.argpartition(-blk, keep - 1, axis=1)[:, :keep]
        else:
            idx = np.broadcast_to(np.arange(m), blk.shape)
        v = np.take_along_axis(blk, idx, axis=1)
        r = np.broadcast_to(np.arange(start, start + blk.shape[0])[:, None], idx.shape)
        pos = v > 0
        rows.append(r[pos])
        cols.append(idx[pos])
        vals.append(v[pos].astype(np.float32))
    out = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, m), dtype=np.float32
    )
    out.sort_indices()
    return out


class GramLookup:
    """``G[a, b]`` for arrays of index pairs: a dense block over the most frequent inputs (most pairs), a binary
    search in the sorted sparse entries for the others; index ``m`` (padding) reads 0."""

    def __init__(self, gram: sp.csr_matrix, dense_rows: np.ndarray) -> None:
        gram = gram.tocsr()
        gram.sort_indices()
        self.m = m = gram.shape[0]
        self.pos = np.full(m + 1, -1, dtype=np.int64)
        self.pos[dense_rows] = np.arange(dense_rows.size)
        self.block = gram[dense_rows][:, dense_rows].toarray().astype(np.float32)
        rows = np.repeat(np.arange(m, dtype=np.int64), np.diff(gram.indptr))
        self.keys = rows * (m + 1) + gram.indices  # row-major with sorted columns: already sorted
        self.vals = gram.data.astype(np.float32)

    def __call__(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        pa, pb = self.pos[a], self.pos[b]
        out = np.zeros(a.shape, dtype=np.float32)
        both = (pa >= 0) & (pb >= 0)
        out[both] = self.block[pa[both], pb[both]]
        rest = ~both & (a < self.m) & (b < self.m)
        if rest.any() and self.keys.size:
            keys = a[rest] * (self.m + 1) + b[rest]
            j = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
            out[rest] = np.where(self.keys[j] == keys, self.vals[j], 0.0)
        return out


def local_solve(
    gram: GramLookup,
    target: sp.csc_matrix,
    reg: float,
    neighbors: int,
    zero_diag: bool,
    out_to_in: np.ndarray,
    batch: int = 256,
) -> sp.csr_matrix:
    """Column ``j`` of ``B`` from a ridge regression restricted to ``j``'s ``neighbors`` strongest inputs (the
    inputs with the largest ``target[:, j]``): ``B[N, j] = (G[N, N] + reg I)^-1 target[N, j]``. Inputs that never
    co-occur with ``j`` get weight 0 (in the exact solution they act only through other items), so the cost is
    ``n_out * neighbors^3`` instead of ``m^3``. ``out_to_in[j]`` is output ``j``'s input row (-1: not an
    input)."""
    m_in, m_out = target.shape
    target = target.tocsc()
    k = max(1, min(int(neighbors), m_in))
    rows_out, cols_out, vals_out = [], [], []
    eye = np.eye(k, dtype=np.float32) * np.float32(reg)
    for start in range(0, m_out, batch):
        js = np.arange(start, min(m_out, start + batch))
        idx = np.full((js.size, k), m_in, dtype=np.int64)  # m_in = padding (zero row and column of gram)
        rhs = np.zeros((js.size, k), dtype=np.float32)
        for r, j in enumerate(js.tolist()):
            lo, hi = target.indptr[j], target.indptr[j + 1]
            ii, val = target.indices[lo:hi], target.data[lo:hi]
            if zero_diag and out_to_in[j] >= 0:
                keep = ii != out_to_in[j]
                ii, val = ii[keep], val[keep]
            if ii.size > k:
                top = np.argpartition(-val, k - 1)[:k]
                ii, val = ii[top], val[top]
            idx[r, : ii.size] = ii
            rhs[r, : ii.size] = val
        a = gram(
            np.broadcast_to(idx[:, :, None], (js.size, k, k)),
            np.broadcast_to(idx[:, None, :], (js.size, k, k)),
        )
        a += eye
        sol = np.linalg.solve(a, rhs[..., None])[..., 0]
        real = idx < m_in
        rows_out.append(idx[real])
        cols_out.append(np.broadcast_to(js[:, None], idx.shape)[real])
        vals_out.append(sol[real].astype(np.float32))
    if not rows_out:
        return sp.csr_matrix((m_in, m_out), dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals_out), (np.concatenate(rows_out), np.concatenate(cols_out))),
        shape=(m_in, m_out),
        dtype=np.float32,
    )
