"""Score a response table: respondents, partnerships, ICC, and the ``scores.json`` summary."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import DataError, InsufficientDataError, KemitraanError
from ..instrument.model import BAND_HALF_UNIT, Instrument
from ..stats.agreement import rwg_j_by_group
from ..stats.icc import icc_nested, respondents_needed
from ..stats.results import finite_or_none
from ._summary import Columns, partnership_entries, summary_json_bytes, suppressed_entries
from .groups import GroupIndex, band_uncertain, group_describe, group_index, modal_choice
from .profile import model_profile

if TYPE_CHECKING:
    from .results import PartnershipResult
    from .rounds import Rounds

__all__ = ["ScoreResult", "score", "agreement_class"]

_RESERVED = ("respondent_id", "partnership", "source_row")


@dataclass(frozen=True)
class ScoreResult:
    """Everything the scoring stage produces.

    Attributes
    ----------
    instrument
        The instrument used.
    responses
        The ingested table as given (raw answer codes, not reverse-keyed).
    respondents
        One row per respondent: id, partnership, respondent fields, one column per
        scale score (NaN when too few items answered) and ``readiness``.
    partnerships
        One row per partnership (sorted by name), flat columns as in ``partnerships.csv``.
    overview
        The summary without its per-partnership entries: instrument, settings, counts,
        ICC, portfolio, warnings (its ``"partnerships"`` value is None).
    summary
        The plain-data summary written as ``scores.json`` (``overview`` with one entry
        per partnership). Built on first use: writing ``scores.json`` does not need it.
    rounds
        When the responses have a wave column: which round each partnership's numbers
        come from (its latest), and how the other rows were used; else None.
    previous
        When there are rounds: the scores of each partnership's previous round (the rows
        used only for the comparison), or None when no partnership has one.

    With rounds, ``responses``, ``respondents`` and every number above are those of each
    partnership's latest round.
    """

    instrument: Instrument
    responses: pd.DataFrame
    respondents: pd.DataFrame
    partnerships: pd.DataFrame
    overview: dict[str, Any] = field(repr=False)
    _columns: Any = field(repr=False, compare=False)
    rounds: Rounds | None = field(default=None, repr=False)
    previous: ScoreResult | None = field(default=None, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per partnership (as ``partnerships.csv``)."""
        return self.partnerships

    def __repr__(self) -> str:
        n_suppressed = int(np.count_nonzero(self._columns["suppressed"]))
        return (
            f"ScoreResult({self.instrument.id} {self.instrument.version}: "
            f"{len(self.respondents)} respondents, "
            f"{len(self.partnerships)} partnerships, {n_suppressed} suppressed)"
        )

    @property
    def exit_code(self) -> int:
        return 1 if self.overview.get("warnings") else 0

    @functools.cached_property
    def summary(self) -> dict[str, Any]:
        c = self._columns
        cols = c["columns"]
        suppressed = c["suppressed"]
        rounds = self.rounds is not None
        shown = iter(
            partnership_entries(
                cols.subset(~suppressed), c["scale_ids"], c["model_ids"], rounds=rounds
            )
        )
        hidden = iter(suppressed_entries(cols.subset(suppressed), rounds=rounds))
        entries = {
            name: next(hidden) if hide else next(shown)
            for name, hide in zip(c["names"], suppressed.tolist(), strict=True)
        }
        return {k: (entries if k == "partnerships" else v) for k, v in self.overview.items()}

    def round_of(self, name: str) -> str | None:
        """The round whose answers give ``name``'s numbers (None without rounds)."""
        return None if self.rounds is None else self.rounds.shown.get(str(name))

    @functools.cached_property
    def _rows(self) -> dict[str, np.ndarray]:
        from .results import _rows_of

        return _rows_of(self)

    def partnership_rows(self, name: str) -> np.ndarray:
        """Row positions of the partnership's respondents in ``responses`` / ``respondents``."""
        return self._rows.get(str(name), np.empty(0, dtype=np.int64))

    def partnership(self, name: str) -> PartnershipResult:
        """The typed results of one partnership (see :class:`PartnershipResult`).

        Raises
        ------
        KemitraanError
            When ``name`` is not a partnership of these scores.
        """
        from .results import partnership_result

        cache = self._columns.setdefault("_results", {})
        hit = cache.get(name)
        if hit is None:
            if name not in self._rows:
                raise KemitraanError(f"partnership {name!r} is not in the scores")
            hit = cache[name] = partnership_result(self, name, self._rows[name])
        return hit

    def summary_json_bytes(self) -> bytes:
        """``scores.json``: the summary as indented JSON (UTF-8, LF), byte-deterministic.

        The same bytes as ``json.dumps(summary, ensure_ascii=False, indent=2,
        allow_nan=False) + "\\n"``; partnership entries are encoded column by column
        (:mod:`kemitraan_assess.scoring._summary`), without building their dicts.
        """
        c = self._columns
        return summary_json_bytes(
            self.overview,
            c["names"],
            c["suppressed"],
            c["columns"],
            c["scale_ids"],
            c["model_ids"],
            rounds=self.rounds is not None,
        )


def agreement_class(rwg: np.ndarray, strong: float, moderate: float) -> np.ndarray:
    """'strong' (≥ strong), 'moderate' (≥ moderate), 'weak' or None (LeBreton & Senter 2008)."""
    out = np.full(len(rwg), None, dtype=object)
    ok = ~np.isnan(rwg)
    out[ok] = np.where(
        rwg[ok] >= strong, "strong", np.where(rwg[ok] >= moderate, "moderate", "weak")
    )
    return out


def _band_ids(instrument: Instrument, values: np.ndarray) -> np.ndarray:
    """Band id for each value (None for NaN), vectorised over the sorted band minima.

    A value reaches a band when it rounds (half to even, as the reports print it) to at
    least the band's minimum: ``value >= min - 0.005`` for two decimals.
    """
    bands = instrument.bands  # sorted high → low
    out = np.full(len(values), None, dtype=object)
    ok = ~np.isnan(values)
    assigned = np.zeros(len(values), dtype=bool)
    for b in bands:
        hit = ok & ~assigned & (values >= b.min - BAND_HALF_UNIT)
        out[hit] = b.id
        assigned |= hit
    out[ok & ~assigned] = bands[-1].id
    return out


def score(
    responses: pd.DataFrame,
    instrument: Instrument,
    *,
    min_group_size: int | None = None,
    previous: pd.DataFrame | None = None,
) -> ScoreResult:
    """Score an ingested response table.

    Parameters
    ----------
    responses
        The table from :func:`kemitraan_assess.io.ingest` (``IngestResult.responses``):
        ``respondent_id``, ``partnership``, respondent field columns and one column per item.
    instrument
        The instrument.
    min_group_size
        Confidentiality minimum; defaults to the instrument's (5). Never below 3.
    previous
        Responses of an earlier survey round, used only for each partnership's comparison
        with it (never for its headline numbers). Both tables must label their rows in the
        instrument's wave field.

    Returns
    -------
    ScoreResult

    Notes
    -----
    Per partnership and scale: n (respondents with a scale score), mean, SD (n − 1),
    a t-based 95 % CI of the mean, and rwg(j) with a uniform null (James, Demaree &
    Wolf 1984) on the scale's items. The readiness index is the mean over respondents of
    their weighted mean of the composite's scales; its band is flagged ``band_uncertain``
    when the CI straddles a band boundary. ICC(1) and ICC(2) (Bliese 2000) use every
    usable respondent, suppressed partnerships included: suppression governs only what is
    shown about a partnership.

    **Rounds.** When the instrument has a field with role ``wave`` and the responses carry
    it, each partnership's numbers (and its n, suppression, sectors, period and comments)
    are those of its latest round (:mod:`kemitraan_assess.scoring.rounds`); the round
    before is scored on its own as ``ScoreResult.previous`` for the comparison, and ICC
    uses the rows shown. ``scores.json`` then says, per partnership, which round it shows.
    """
    from .rounds import has_rounds, split_rounds

    d = instrument.defaults
    k_min = d.min_group_size if min_group_size is None else int(min_group_size)
    if k_min < 3:
        raise DataError(f"the confidentiality minimum cannot be below 3 (got {k_min})")
    if "partnership" not in responses.columns:
        raise DataError("the response table has no 'partnership' column", column="partnership")
    if len(responses) == 0:
        raise DataError("no usable responses to score")
    wave = instrument.field_by_role("wave")
    wave_col = None if wave is None else wave.id
    if previous is not None:
        if wave_col is None or not (
            has_rounds(responses, wave_col) and has_rounds(previous, wave_col)
        ):
            raise DataError(
                "previous responses are compared by round: the instrument needs a field with "
                "role 'wave' and both tables need its round labels",
                column=wave_col,
            )
        if "partnership" not in previous.columns:
            raise DataError("the previous round has no 'partnership' column", column="partnership")
        eligible = np.r_[np.zeros(len(previous), bool), np.ones(len(responses), bool)]
        responses = pd.concat([previous, responses], ignore_index=True)
    elif wave_col is not None and has_rounds(responses, wave_col):
        eligible = None
    else:
        return _score_table(responses, instrument, k_min)
    split = split_rounds(responses, str(wave_col), eligible=eligible)
    current = _score_table(responses[split.current], instrument, k_min)
    prev = (
        _score_table(responses[split.previous], instrument, k_min) if split.previous.any() else None
    )
    if prev is not None:  # the previous round's results name their round too
        labels = {k: v for k, v in split.rounds.previous.items() if v is not None}
        prev = _with_rounds(
            prev,
            dataclasses.replace(
                split.rounds,
                latest=max(labels.values(), key=split.rounds.order.index),
                shown=labels,
                previous=dict.fromkeys(labels),
            ),
            warn=False,
        )
    return dataclasses.replace(_with_rounds(current, split.rounds), previous=prev)


def _with_rounds(result: ScoreResult, rounds: Rounds, *, warn: bool = True) -> ScoreResult:
    """``result`` naming, per partnership, the round shown and the one before."""
    overview = dict(result.overview)
    overview["rounds"] = rounds.to_dict()
    if warn:
        overview["warnings"] = [*overview["warnings"], *rounds.warnings()]
    cols = result._columns
    names = [str(n) for n in cols["names"]]
    cols["columns"].add("round", "str", [rounds.shown.get(n) for n in names])
    cols["columns"].add("previous_round", "str", [rounds.previous.get(n) for n in names])
    table = result.partnerships
    table.insert(1, "round", cols["columns"].py("round"))
    return dataclasses.replace(result, overview=overview, rounds=rounds, partnerships=table)


def _score_table(responses: pd.DataFrame, instrument: Instrument, k_min: int) -> ScoreResult:
    """:func:`score` on one table whose rows are all shown (no round split)."""
    from .scales import keyed_items, readiness_scores, scale_score

    d = instrument.defaults
    if len(responses) == 0:
        raise DataError("no usable responses to score")

    keyed = keyed_items(responses, instrument)  # per item, reverse-keyed (views where possible)
    row_of = {item_id: k for k, item_id in enumerate(instrument.items)}
    sc = pd.DataFrame(
        {
            scale.id: scale_score(
                [keyed[row_of[i.id]] for i in scale.items], instrument.min_answered_count(scale)
            )
            for scale in instrument.scales
        },
        index=responses.index,
    )
    ready = readiness_scores(sc, instrument)
    gi = group_index(responses["partnership"])
    sizes = gi.sizes()
    suppressed = sizes < k_min

    head_cols = [c for c in _RESERVED if c in responses.columns]
    field_cols = [
        f.id
        for f in instrument.fields
        if f.id in responses.columns and f.role != "comment" and f.id not in head_cols
    ]
    respondents = pd.concat(
        [responses[head_cols + field_cols].reset_index(drop=True), sc.reset_index(drop=True)],
        axis=1,
    )
    respondents["readiness"] = ready.to_numpy()

    table: dict[str, Any] = {"partnership": gi.names, "n": sizes, "suppressed": suppressed}
    boundaries = [b.min for b in instrument.bands[:-1]]
    icc: dict[str, Any] = {}
    scale_stats: dict[str, dict[str, np.ndarray]] = {}
    buffers: dict[int, np.ndarray] = {}
    for scale in instrument.scales:
        vals = sc[scale.id].to_numpy()
        desc = group_describe(vals, gi, ci_level=d.ci_level)
        answers = [keyed[row_of[i.id]] for i in scale.items]
        # an item nobody answered leaves the scale's agreement to the items that were answered,
        # as its score is (otherwise listwise deletion would drop every respondent)
        answers = [x for x in answers if not np.isnan(x).all()] or answers
        items = _stack(buffers, answers)  # (respondents, items)
        a_opts = instrument.response_scales[scale.items[0].response].n_options
        rwg = rwg_j_by_group(items, gi.codes, a_opts, null="uniform", n_groups=gi.n_groups).value
        desc["rwg_j"] = rwg
        desc["agreement"] = agreement_class(rwg, d.agreement_strong, d.agreement_moderate)
        desc["band"] = _band_ids(instrument, desc["mean"])
        desc["band_uncertain"] = band_uncertain(desc["ci_low"], desc["ci_high"], boundaries)
        scale_stats[scale.id] = desc
        try:
            res = icc_nested(vals, gi.codes)
            needed = respondents_needed(res.icc1, d.icc2_threshold)
            icc[scale.id] = {
                "icc1": finite_or_none(res.icc1),
                "icc2": finite_or_none(res.icc2),
                "n_groups": int(res.n_groups),
                "mean_group_size": finite_or_none(res.mean_group_size),
                "respondents_needed": needed if needed is None else finite_or_none(needed),
            }
        except InsufficientDataError as exc:  # too few groups or answers
            icc[scale.id] = {"icc1": None, "icc2": None, "not_computed": str(exc)}
    del keyed, buffers

    rd = group_describe(ready.to_numpy(), gi, ci_level=d.ci_level)
    rd["band"] = _band_ids(instrument, rd["mean"])
    rd["band_uncertain"] = band_uncertain(rd["ci_low"], rd["ci_high"], boundaries)
    table["readiness_index"] = rd["mean"]
    table["readiness_ci_low"] = rd["ci_low"]
    table["readiness_ci_high"] = rd["ci_high"]
    table["readiness_band"] = rd["band"]
    table["readiness_band_uncertain"] = rd["band_uncertain"]

    type_field = instrument.field_by_role("type")
    if type_field is not None and type_field.id in responses.columns:
        types, type_share = modal_choice(responses[type_field.id], gi)
    else:
        types, type_share = [None] * gi.n_groups, np.full(gi.n_groups, np.nan)
    table["type"] = types
    table["type_share"] = type_share

    profile = model_profile(responses, sc, instrument, gi)
    table["model"] = profile["top"]
    table["model_margin"] = profile["margin"]
    table["model_fit"] = profile["fits"]

    for sid, desc in scale_stats.items():
        for key in (
            "n",
            "mean",
            "sd",
            "ci_low",
            "ci_high",
            "rwg_j",
            "agreement",
            "band",
            "band_uncertain",
        ):
            table[f"{sid}_{key}"] = desc[key]
    partnerships = pd.DataFrame(table)
    _blank_suppressed(partnerships)

    cols = _entry_columns(
        instrument, gi, sizes, suppressed, scale_stats, rd, types, type_share, profile, k_min
    )
    overview = _overview(instrument, respondents, gi, suppressed, cols, icc, rd, scale_stats, k_min)
    return ScoreResult(
        instrument=instrument,
        responses=responses,
        respondents=respondents,
        partnerships=partnerships,
        overview=overview,
        _columns={
            "names": gi.names,
            "suppressed": suppressed,
            "columns": cols,
            "scale_ids": list(scale_stats),
            "model_ids": profile["model_ids"],
            "codes": gi.codes,
        },
    )


def _stack(buffers: dict[int, np.ndarray], columns: list[np.ndarray]) -> np.ndarray:
    """The (respondents, items) matrix of ``columns``, as a view of a reused buffer.

    The buffer holds one contiguous row per item (fast to fill) and is shared by every
    scale with as many items; the matrix is its transpose, with the same values as
    ``np.column_stack(columns)``.
    """
    buf = buffers.get(len(columns))
    if buf is None:
        buf = buffers[len(columns)] = np.empty((len(columns), len(columns[0])))
    np.stack(columns, out=buf)
    return buf.T


def _blank_suppressed(frame: pd.DataFrame) -> None:
    """Suppressed partnerships keep only their name, n and the flag."""
    keep = {"partnership", "n", "suppressed"}
    mask = frame["suppressed"].to_numpy()
    if not mask.any():
        return
    for col in frame.columns:
        if col in keep:
            continue
        if frame[col].dtype == bool:
            frame[col] = frame[col].astype(object)
        if frame[col].dtype.kind in "iu":
            frame[col] = frame[col].astype("Int64")
        frame.loc[mask, col] = None


def _percentiles(mean: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """Readiness percentile among shown partnerships (ties share their mid-rank)."""
    pct = np.full(len(mean), np.nan)
    if shown.any():
        ranks = pd.Series(mean[shown]).rank(method="average").to_numpy()
        pct[shown] = (ranks - 0.5) / shown.sum() * 100
    return pct


def _sector_counts(
    instrument: Instrument, respondents: pd.DataFrame, gi: GroupIndex
) -> list[dict[str, int]]:
    """Respondents per sector answer in each partnership (sorted by answer)."""
    out: list[dict[str, int]] = [{} for _ in range(gi.n_groups)]
    sector_field = instrument.field_by_role("sector")
    if sector_field is None or sector_field.id not in respondents.columns:
        return out
    sec = respondents[sector_field.id].astype("string")
    ok = sec.notna().to_numpy()
    ct = (
        pd.DataFrame({"g": gi.codes[ok], "s": sec[ok].to_numpy()})
        .groupby(["g", "s"], sort=True)
        .size()
    )
    groups = ct.index.get_level_values(0).to_numpy()
    sectors = ct.index.get_level_values(1).to_numpy()
    for g, s, k in zip(groups.tolist(), sectors.tolist(), ct.to_numpy().tolist(), strict=True):
        out[int(g)][str(s)] = int(k)
    return out


def _entry_columns(
    instrument: Instrument,
    gi: GroupIndex,
    sizes: np.ndarray,
    suppressed: np.ndarray,
    scale_stats: dict[str, dict[str, np.ndarray]],
    rd: dict[str, np.ndarray],
    types: list[str | None],
    type_share: np.ndarray,
    profile: dict[str, Any],
    k_min: int,
) -> Columns:
    """Every value of the per-partnership entries of ``scores.json``, one column each."""
    cols = Columns(gi.n_groups)
    cols.add("n", "int", sizes)
    reasons = np.full(gi.n_groups, None, dtype=object)
    reasons[suppressed] = [f"n = {int(k)} < {k_min}" for k in sizes[suppressed]]
    cols.add("reason", "str", reasons)
    for sid, desc in scale_stats.items():
        cols.add(f"{sid}/n", "int", desc["n"])
        for key in ("mean", "sd", "ci_low", "ci_high", "rwg_j"):
            cols.add(f"{sid}/{key}", "float", desc[key])
        cols.add(f"{sid}/agreement", "str", desc["agreement"])
        cols.add(f"{sid}/band", "str", desc["band"])
        cols.add(f"{sid}/band_uncertain", "bool", desc["band_uncertain"])
    shown = ~suppressed & ~np.isnan(rd["mean"])
    cols.add("readiness/index", "float", rd["mean"])
    cols.add("readiness/ci_low", "float", rd["ci_low"])
    cols.add("readiness/ci_high", "float", rd["ci_high"])
    cols.add("readiness/band", "str", rd["band"])
    cols.add("readiness/band_uncertain", "bool", rd["band_uncertain"])
    cols.add("readiness/percentile", "float", _percentiles(rd["mean"], shown))
    cols.add("type", "str", types)
    cols.add("type_share", "float", type_share)
    for j, m in enumerate(profile["model_ids"]):
        cols.add(f"model/scores/{m}", "float", profile["means"][:, j])
    cols.add("model/top", "str", profile["top"])
    cols.add("model/runner_up", "str", profile["runner_up"])
    cols.add("model/margin", "float", profile["margin"])
    cols.add("model/clear", "bool", profile["clear"])
    cols.add("model_fit", "obj", profile["fit"])
    return cols


def _overview(
    instrument: Instrument,
    respondents: pd.DataFrame,
    gi: GroupIndex,
    suppressed: np.ndarray,
    cols: Columns,
    icc: dict[str, Any],
    rd: dict[str, np.ndarray],
    scale_stats: dict[str, dict[str, np.ndarray]],
    k_min: int,
) -> dict[str, Any]:
    """The summary with ``"partnerships": None`` where the entries go."""
    d = instrument.defaults
    cols.add("sectors", "obj", _sector_counts(instrument, respondents, gi))

    shown = ~suppressed & ~np.isnan(rd["mean"])
    portfolio_scales = {}
    for sid, desc in scale_stats.items():
        vals = desc["mean"][shown]
        portfolio_scales[sid] = {"median": finite_or_none(np.median(vals)) if len(vals) else None}
    rvals = rd["mean"][shown]
    warnings = []
    n_sup = int(suppressed.sum())
    if n_sup:
        warnings.append(
            f"{n_sup} partnership(s) with fewer than {k_min} respondents are suppressed"
        )
    low_icc = [
        sid for sid, v in icc.items() if v.get("icc2") is not None and v["icc2"] < d.icc2_threshold
    ]
    return {
        "instrument": {"id": instrument.id, "version": instrument.version},
        "settings": {
            "min_group_size": k_min,
            "ci_level": d.ci_level,
            "agreement_strong": d.agreement_strong,
            "agreement_moderate": d.agreement_moderate,
            "icc2_threshold": d.icc2_threshold,
            "null": "uniform",
            "rwg_missing": "listwise",
            "min_answered": {s.id: instrument.min_answered_count(s) for s in instrument.scales},
            "readiness_scales": list(instrument.readiness_composite.scales),
        },
        "n_respondents": int(len(respondents)),
        "n_partnerships": int(len(gi.names)),
        "n_suppressed": n_sup,
        "partnerships": None,
        "icc": icc,
        "icc2_below_threshold": low_icc,
        "portfolio": {
            "readiness": {
                "median": finite_or_none(np.median(rvals)) if len(rvals) else None,
                "n": int(len(rvals)),
            },
            "scales": portfolio_scales,
        },
        "warnings": warnings,
    }
