"""The simple-structure CFA model: its parameters, implied covariance, ML objective,
analytic gradient and expected information, and lavaan-style start values.

Used by :mod:`kemitraan_assess.stats.confirmatory`, which fits the model and reports it.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np


@dataclasses.dataclass(frozen=True)
class CFAModel:
    """Where each free parameter sits: kinds 'l' (loading), 't' (residual), 'p' (factor cov)."""

    p: int
    k: int
    factor_of: np.ndarray  # item -> factor index
    kind: tuple[str, ...]
    row: tuple[int, ...]  # item index for 'l'/'t', first factor for 'p'
    col: tuple[int, ...]  # factor for 'l', item for 't', second factor for 'p'
    fixed_loading: np.ndarray  # p booleans: loading fixed at 1 (marker)
    std_lv: bool

    @functools.cached_property
    def _index(self) -> dict[str, np.ndarray]:
        """Positions of the free parameters of each kind, for vectorised unpacking."""
        kind = np.array(self.kind)
        row, col = np.array(self.row, dtype=np.intp), np.array(self.col, dtype=np.intp)
        fixed = np.flatnonzero(self.fixed_loading)
        return {
            "l": np.flatnonzero(kind == "l"),
            "t": np.flatnonzero(kind == "t"),
            "p": np.flatnonzero(kind == "p"),
            "row": row,
            "col": col,
            "fixed_row": fixed,
            "fixed_col": self.factor_of[fixed],
        }

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Loadings (p x k), factor covariance (k x k), residual variances (p); any dtype."""
        ix = self._index
        lam = np.zeros((self.p, self.k), dtype=x.dtype)
        lam[ix["fixed_row"], ix["fixed_col"]] = 1.0
        phi = np.eye(self.k, dtype=x.dtype) if self.std_lv else np.zeros((self.k, self.k), x.dtype)
        theta = np.zeros(self.p, dtype=x.dtype)
        l_, t_, p_ = ix["l"], ix["t"], ix["p"]
        lam[ix["row"][l_], ix["col"][l_]] = x[l_]
        theta[ix["col"][t_]] = x[t_]
        phi[ix["row"][p_], ix["col"][p_]] = x[p_]
        phi[ix["col"][p_], ix["row"][p_]] = x[p_]
        return lam, phi, theta

    def sigma(self, x: np.ndarray) -> np.ndarray:
        lam, phi, theta = self.unpack(x)
        return lam @ phi @ lam.T + np.diag(theta)

    def factors_uv(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """dSigma / dx_a = u_a w_a^T + w_a u_a^T: the columns u_a, w_a, each (p, q).

        Loading (r, c): u = e_r, w = (Lambda Phi)[:, c]; residual c: u = e_c, w = e_c / 2;
        factor variance f: u = lambda_f, w = lambda_f / 2; factor covariance (f, g):
        u = lambda_f, w = lambda_g.
        """
        ix = self._index
        lam, phi, _ = self.unpack(x)
        lp = lam @ phi
        u = np.zeros((self.p, len(self.kind)))
        w = np.zeros((self.p, len(self.kind)))
        l_, t_, p_ = ix["l"], ix["t"], ix["p"]
        row, col = ix["row"], ix["col"]
        u[row[l_], l_] = 1.0
        w[:, l_] = lp[:, col[l_]]
        u[col[t_], t_] = 1.0
        w[col[t_], t_] = 0.5
        u[:, p_] = lam[:, row[p_]]
        w[:, p_] = lam[:, col[p_]] * np.where(row[p_] == col[p_], 0.5, 1.0)
        return u, w


def objective(model: CFAModel, s: np.ndarray, logdet_s: float, x: np.ndarray) -> float:
    """F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p; +inf where Sigma is not positive
    definite."""
    try:
        chol = np.linalg.cholesky(model.sigma(x))
    except np.linalg.LinAlgError:
        return math.inf
    inv_l = np.linalg.solve(chol, np.eye(model.p))
    return float(
        2.0 * np.sum(np.log(np.diag(chol))) + np.sum((inv_l @ s) * inv_l) - logdet_s - model.p
    )


def gradient(model: CFAModel, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dF/dx = tr(G dSigma/dx) with G = Sigma^-1 - Sigma^-1 S Sigma^-1; with
    dSigma_a = u_a w_a^T + w_a u_a^T (:meth:`CFAModel.factors_uv`) that is 2 u_a^T G w_a."""
    try:
        inv = np.linalg.inv(model.sigma(x))
    except np.linalg.LinAlgError:
        return np.zeros(len(model.kind))
    g = inv - inv @ s @ inv
    u, w = model.factors_uv(x)
    return 2.0 * np.einsum("ia,ia->a", u, g @ w)


def information(model: CFAModel, x: np.ndarray) -> np.ndarray:
    """Expected second derivative of F_ML: H_ab = tr(Sigma^-1 dSigma_a Sigma^-1 dSigma_b).

    With dSigma_a = u_a w_a^T + w_a u_a^T and W = Sigma^-1,
    H_ab = 2 [(u_a^T W u_b)(w_a^T W w_b) + (u_a^T W w_b)(w_a^T W u_b)]: three q x q
    products instead of q matrix products of p x p.
    """
    try:
        inv = np.linalg.inv(model.sigma(x))
    except np.linalg.LinAlgError:
        return np.eye(len(model.kind))
    u, w = model.factors_uv(x)
    wu, ww = inv @ u, inv @ w
    a = u.T @ wu
    b = w.T @ ww
    c = u.T @ ww
    h = 2.0 * (a * b + c * c.T)
    return (h + h.T) / 2.0


def build_model(structure: dict[str, tuple[str, ...]], std_lv: bool) -> CFAModel:
    factors = tuple(structure)
    items = tuple(i for f in factors for i in structure[f])
    p, k = len(items), len(factors)
    factor_of = np.array([j for j, f in enumerate(factors) for _ in structure[f]], dtype=int)
    first = np.r_[True, factor_of[1:] != factor_of[:-1]]
    fixed = first & (not std_lv)
    entries = [("l", j, int(factor_of[j])) for j in range(p) if not fixed[j]]
    entries += [("t", j, j) for j in range(p)]
    entries += [] if std_lv else [("p", f, f) for f in range(k)]
    entries += [("p", f, g) for f in range(k) for g in range(f + 1, k)]
    kind, row, col = (tuple(column) for column in zip(*entries, strict=True))
    return CFAModel(p, k, factor_of, kind, row, col, fixed, std_lv)


def start_values(model: CFAModel, s: np.ndarray) -> np.ndarray:
    """One-factor principal-axis loadings per scale, residual variances S_jj / 2 (as lavaan)."""
    lam = np.zeros((model.p, model.k))
    phi = np.eye(model.k)
    for f in range(model.k):
        idx = np.flatnonzero(model.factor_of == f)
        w, v = np.linalg.eigh(s[np.ix_(idx, idx)])
        a = v[:, -1] * math.sqrt(max(w[-1], 1e-8))
        if a[0] < 0:
            a = -a
        if model.std_lv:
            lam[idx, f] = a
        else:
            lam[idx, f] = a / a[0] if abs(a[0]) > 1e-8 else 1.0
            phi[f, f] = a[0] ** 2 if abs(a[0]) > 1e-8 else w[-1]
    x = np.empty(len(model.kind))
    for a_, (kind, r, c) in enumerate(zip(model.kind, model.row, model.col, strict=True)):
        x[a_] = lam[r, c] if kind == "l" else s[c, c] / 2.0 if kind == "t" else phi[r, c]
    return x
