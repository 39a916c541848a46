"""Minimum-residual factor extraction (psych's ``fa(fm = "minres")`` core), shared by
:mod:`~kemitraan_assess.stats.exploratory`, :mod:`~kemitraan_assess.stats.omegas` and the
parallel analysis of :mod:`~kemitraan_assess.stats.factor`."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import optimize

from kemitraan_assess.stats.moments import smc

__all__ = ["MinresFit", "minres", "reduced_eigenvalues", "LOWER"]

_EPS = float(np.finfo(np.float64).eps)
# R's optim(method = "L-BFGS-B") defaults as psych calls it: factr = 1e7, pgtol = 0,
# maxit = 100, lmm = 5, parscale = 0.01 on every uniqueness, bounds [0.005, 1].
_OPTIM = {"maxcor": 5, "ftol": 1e7 * _EPS, "gtol": 0.0, "maxiter": 100}
_PARSCALE = 0.01
LOWER = 0.005


def _top_eigen(s: np.ndarray, nf: int) -> tuple[np.ndarray, np.ndarray]:
    w, v = np.linalg.eigh(s)
    return w[::-1][:nf], v[:, ::-1][:, :nf]


def _fit_residuals(psi: np.ndarray, r: np.ndarray, nf: int) -> float:
    """psych's minres objective: squared lower-triangle residuals with 1 - psi on the diagonal."""
    s = r.copy()
    np.fill_diagonal(s, 1.0 - psi)
    w, v = _top_eigen(s, nf)
    w = np.where(w < _EPS, 100 * _EPS, w)
    lam = v * np.sqrt(w)
    res = s - lam @ lam.T
    return float(np.sum(np.tril(res, -1) ** 2))


def _fit_gradient(psi: np.ndarray, r: np.ndarray, nf: int) -> np.ndarray:
    """psych's ``FAgr.minres``: reproduced minus assumed communality, item by item."""
    w, v = _top_eigen(r - np.diag(psi), nf)
    lam = v * np.sqrt(np.maximum(w, 0.0))
    return np.sum(lam**2, axis=1) + psi - np.diag(r)


@dataclasses.dataclass(frozen=True)
class MinresFit:
    loadings: np.ndarray
    psi: np.ndarray
    objective: float
    iterations: int
    converged: bool
    message: str

    @property
    def at_bound(self) -> bool:
        """A uniqueness stopped at psych's lower bound 0.005: a Heywood case."""
        return bool(np.any(self.psi <= LOWER + 1e-12))


def minres(r: np.ndarray, nf: int) -> MinresFit:
    """Minimum residual (unweighted least squares) extraction, as ``psych:::fac``."""
    start = np.diag(r) - smc(r)
    upper = max(float(smc(r).max()), 1.0)
    res = optimize.minimize(
        lambda x: _fit_residuals(x * _PARSCALE, r, nf),
        start / _PARSCALE,
        jac=lambda x: _fit_gradient(x * _PARSCALE, r, nf) * _PARSCALE,
        method="L-BFGS-B",
        bounds=[(LOWER / _PARSCALE, upper / _PARSCALE)] * r.shape[0],
        options=dict(_OPTIM),
    )
    psi = res.x * _PARSCALE
    s = r - np.diag(psi)
    w, v = _top_eigen(s, nf)
    lam = v * np.sqrt(np.maximum(w, 0.0))
    return MinresFit(lam, psi, float(res.fun), int(res.nit), bool(res.success), str(res.message))


def reduced_eigenvalues(r: np.ndarray, n_factors: int = 1) -> np.ndarray:
    """Eigenvalues of R with minres communalities on its diagonal (psych ``fa(...)$values``).

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1, .6, .5, .3], [.6, 1, .4, .35], [.5, .4, 1, .2], [.3, .35, .2, 1]])
    >>> reduced_eigenvalues(r).round(3).tolist()  # In R: psych::fa(r, 1)$values
    [1.709, 0.089, -0.033, -0.056]
    """
    fit = minres(r, n_factors)
    s = r.copy()
    np.fill_diagonal(s, np.sum(fit.loadings**2, axis=1))
    return np.linalg.eigvalsh(s)[::-1]
