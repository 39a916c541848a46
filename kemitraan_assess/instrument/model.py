"""The typed model of an instrument file.

An instrument is a YAML file (see ``instruments/kemitraan-readiness.yaml`` and the JSON
Schema ``instruments/schema.json``). Only ``id``, ``version``, ``languages``,
``response_scales`` and ``scales`` are required; everything else has a documented
default, so any Likert questionnaire a researcher brings can be described in a few lines.

Texts are dictionaries from a language code to the text (``{id: ..., en: ...}``); every
text must exist in every language the instrument declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "LocalText",
    "ResponseScale",
    "Item",
    "Scale",
    "Choice",
    "RespondentField",
    "Band",
    "Composite",
    "PartnershipModel",
    "PartnershipType",
    "Defaults",
    "Instrument",
    "SCALE_KINDS",
    "FIELD_ROLES",
    "BAND_DIGITS",
    "BAND_HALF_UNIT",
]

LocalText = dict[str, str]
"""A text in several languages: ``{"id": "...", "en": "..."}``."""

_ID = r"^[A-Za-z][A-Za-z0-9_.-]*$"
Identifier = Annotated[str, Field(pattern=_ID, max_length=64)]

SCALE_KINDS = ("success_factor", "benefit", "model", "other")
FIELD_ROLES = (
    "partnership",
    "respondent_id",
    "sector",
    "type",
    "goals",
    "resources",
    "context",
    "wave",
    "comment",
    "other",
)


#: Means are shown with two decimals and a band is assigned to the mean as shown, so a mean
#: of 3.996 (printed "4.00") is a strength, as in the Wilder inventory's "3.0-3.99" reading.
BAND_DIGITS = 2
#: A value reaches a band when it rounds (half to even, as the reports print) to its minimum.
BAND_HALF_UNIT = 0.5 * 10.0**-BAND_DIGITS


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ResponseScale(_Frozen):
    """An ordered set of integer answer codes ``min..max`` with optional labels.

    ``labels`` maps a code to its label per language; ``label_variants`` lists other
    spellings that mean the same code (for example "Ragu-ragu" for "Netral");
    ``missing_labels`` are answers that count as missing, not as a scale point
    ("Tidak tahu" / "Don't know").
    """

    min: int = Field(description="Lowest answer code.")
    max: int = Field(description="Highest answer code.")
    labels: dict[int, LocalText] = Field(default_factory=dict)
    label_variants: dict[int, list[str]] = Field(default_factory=dict)
    missing_labels: list[LocalText] = Field(default_factory=list)
    missing_codes: list[int] = Field(
        default_factory=list,
        description="Numeric codes that mean 'missing' (e.g. 9 or -99 in a coded export).",
    )

    @model_validator(mode="after")
    def _check_range(self) -> ResponseScale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        for code in list(self.labels) + list(self.label_variants):
            if not self.min <= code <= self.max:
                raise ValueError(f"label code {code} is outside {self.min}..{self.max}")
        for code in self.missing_codes:
            if self.min <= code <= self.max:
                raise ValueError(
                    f"missing code {code} lies inside the scale {self.min}..{self.max}"
                )
        return self

    @property
    def n_options(self) -> int:
        """Number of answer options A (used by the rwg null distribution)."""
        return self.max - self.min + 1


class Item(_Frozen):
    """One Likert item."""

    id: Identifier
    text: LocalText
    response: Identifier = Field(description="Key of the response scale in response_scales.")
    reverse: bool = Field(default=False, description="Reverse-keyed: scored as min + max - x.")
    short: LocalText | None = Field(
        default=None, description="A short label for tables and charts."
    )
    aliases: list[str] = Field(
        default_factory=list,
        description="Other column names this item may appear under in an export.",
    )


class Scale(_Frozen):
    """A group of items scored together (mean of the answered, reverse-keyed items)."""

    id: Identifier
    name: LocalText
    kind: Literal["success_factor", "benefit", "model", "other"] = "other"
    description: LocalText | None = None
    model: Identifier | None = Field(
        default=None, description="For kind 'model': the id of the partnership model it points to."
    )
    min_answered: float | None = Field(
        default=None,
        gt=0,
        description=(
            "Items needed for a scale score: a fraction (< 1) of the items or a count (>= 1)."
        ),
    )
    items: list[Item] = Field(min_length=1)


class Choice(_Frozen):
    """One answer of a choice field."""

    code: Identifier
    label: LocalText
    variants: list[str] = Field(default_factory=list)
    suits: list[Identifier] = Field(
        default_factory=list,
        description=(
            "Partnership models this answer points to (for goals/resources/context fields)."
        ),
    )
    reason: LocalText | None = Field(
        default=None, description="Why this answer suits those models (shown in reports)."
    )


class RespondentField(_Frozen):
    """A non-scored question: partnership name, sector, type, model-choice factors, comments."""

    id: Identifier
    role: Literal[
        "partnership",
        "respondent_id",
        "sector",
        "type",
        "goals",
        "resources",
        "context",
        "wave",
        "comment",
        "other",
    ] = "other"
    text: LocalText
    kind: Literal["text", "choice", "date", "integer"] = "text"
    required: bool = False
    choices: list[Choice] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_choices(self) -> RespondentField:
        if self.kind == "choice" and not self.choices:
            raise ValueError("a field of kind 'choice' needs choices")
        codes = [c.code for c in self.choices]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"duplicate choice codes: {', '.join(dup)}")
        return self


class Band(_Frozen):
    """A readiness band: applies when the index is >= ``min``."""

    id: Identifier
    min: float
    label: LocalText
    description: LocalText


class Composite(_Frozen):
    """The readiness index: a (weighted) mean of scale scores."""

    scales: list[Identifier] = Field(min_length=1)
    weights: dict[Identifier, float] | None = None

    @model_validator(mode="after")
    def _check_weights(self) -> Composite:
        if self.weights is not None:
            extra = sorted(set(self.weights) - set(self.scales))
            if extra:
                raise ValueError(f"weights for scales not in the composite: {', '.join(extra)}")
            missing = sorted(set(self.scales) - set(self.weights))
            if missing:
                raise ValueError(f"no weight for: {', '.join(missing)}")
            if any(w <= 0 for w in self.weights.values()):
                raise ValueError("weights must be positive")
        return self


class PartnershipModel(_Frozen):
    """A way of working (collaboration, coordination, network, coalition, alliance)."""

    id: Identifier
    name: LocalText
    description: LocalText
    suits_when: LocalText | None = None


class PartnershipType(_Frozen):
    """A type of partnership by who takes part."""

    id: Identifier
    name: LocalText
    description: LocalText


class Defaults(_Frozen):
    """Rules used when scoring; each can be overridden in the instrument file."""

    min_answered: float = Field(
        default=2 / 3,
        gt=0,
        description=(
            "Items needed for a scale score: a fraction (< 1) of the items or a count (>= 1)."
        ),
    )
    min_group_size: int = Field(
        default=5,
        ge=3,
        description=(
            "Partnerships (and sub-groups) with fewer respondents are suppressed; never below 3."
        ),
    )
    agreement_strong: float = Field(default=0.70, gt=0, le=1)
    agreement_moderate: float = Field(default=0.51, gt=0, le=1)
    icc2_threshold: float = Field(default=0.70, gt=0, le=1)
    ci_level: float = Field(default=0.95, gt=0, lt=1)


_DEFAULT_BANDS = [
    Band(
        id="strength",
        min=4.0,
        label={"id": "Kekuatan", "en": "Strength"},
        description={
            "id": "Sudah menjadi kekuatan kemitraan. Pertahankan praktik yang sudah berjalan baik.",
            "en": "Already a strength of the partnership. Keep up the practices that work.",
        },
    ),
    Band(
        id="attention",
        min=3.0,
        label={"id": "Perlu perhatian", "en": "Needs attention"},
        description={
            "id": "Belum mantap. Bahas bersama para mitra dan sepakati langkah perbaikan.",
            "en": "Borderline. Discuss it with the partners and agree on steps to improve.",
        },
    ),
    Band(
        id="concern",
        min=0.0,
        label={"id": "Mengkhawatirkan", "en": "Concern"},
        description={
            "id": "Melemahkan kemitraan dan perlu segera ditangani bersama oleh semua mitra.",
            "en": "Weakens the partnership and needs prompt action by all partners.",
        },
    ),
]


class Instrument(_Frozen):
    """A questionnaire: response scales, scored scales, respondent fields and scoring rules."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+([.-][0-9A-Za-z.-]+)?$")]
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")]] = Field(
        min_length=1
    )
    title: LocalText | None = None
    description: LocalText | None = None
    source: LocalText | None = None
    response_scales: dict[Identifier, ResponseScale] = Field(min_length=1)
    scales: list[Scale] = Field(min_length=1)
    fields: list[RespondentField] = Field(default_factory=list)
    readiness: Composite | None = None
    bands: list[Band] = Field(default_factory=lambda: list(_DEFAULT_BANDS))
    models: list[PartnershipModel] = Field(default_factory=list)
    types: list[PartnershipType] = Field(default_factory=list)
    defaults: Defaults = Field(default_factory=Defaults)

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("languages must be unique")
        return value

    @field_validator("bands")
    @classmethod
    def _sort_bands(cls, value: list[Band]) -> list[Band]:
        return sorted(value, key=lambda b: b.min, reverse=True)

    @model_validator(mode="after")
    def _cross_check(self) -> Instrument:
        problems: list[tuple[str, str]] = []
        langs = self.languages

        def need_text(text: LocalText | None, where: str) -> None:
            if text is None:
                return
            for lang in langs:
                if not str(text.get(lang, "")).strip():
                    problems.append((where, f"text missing in language '{lang}'"))

        need_text(self.title, "title")
        seen_ids: dict[str, str] = {}

        def claim(ident: str, where: str) -> None:
            key = ident.casefold()
            if key in seen_ids:
                problems.append((where, f"id '{ident}' is already used at {seen_ids[key]}"))
            else:
                seen_ids[key] = where

        for key, rs in self.response_scales.items():
            for code, text in rs.labels.items():
                need_text(text, f"response_scales.{key}.labels.{code}")
            for i, text in enumerate(rs.missing_labels):
                if not any(str(v).strip() for v in text.values()):
                    problems.append((f"response_scales.{key}.missing_labels[{i}]", "empty label"))
        model_ids = {m.id for m in self.models}
        for si, scale in enumerate(self.scales):
            where = f"scales[{si}]"
            claim(scale.id, f"{where}.id")
            need_text(scale.name, f"{where}.name")
            need_text(scale.description, f"{where}.description")
            if scale.kind == "model":
                if scale.model is None:
                    problems.append(
                        (f"{where}.model", "a scale of kind 'model' must name its model")
                    )
                elif scale.model not in model_ids:
                    problems.append((f"{where}.model", f"unknown model '{scale.model}'"))
            for ii, item in enumerate(scale.items):
                iw = f"{where}.items[{ii}]"
                claim(item.id, f"{iw}.id")
                need_text(item.text, f"{iw}.text")
                if item.response not in self.response_scales:
                    problems.append(
                        (
                            f"{iw}.response",
                            f"unknown response scale '{item.response}' "
                            f"(defined: {', '.join(sorted(self.response_scales))})",
                        )
                    )
            if scale.min_answered is not None and scale.min_answered >= 1:
                if scale.min_answered > len(scale.items) or scale.min_answered != int(
                    scale.min_answered
                ):
                    problems.append(
                        (
                            f"{where}.min_answered",
                            f"must be a fraction below 1 or a whole count up to {len(scale.items)}",
                        )
                    )
        for fi, fld in enumerate(self.fields):
            claim(fld.id, f"fields[{fi}].id")
            need_text(fld.text, f"fields[{fi}].text")
            for ci, choice in enumerate(fld.choices):
                need_text(choice.label, f"fields[{fi}].choices[{ci}].label")
                for m in choice.suits:
                    if m not in model_ids:
                        problems.append(
                            (f"fields[{fi}].choices[{ci}].suits", f"unknown model '{m}'")
                        )
        roles = [f.role for f in self.fields]
        for role in ("partnership", "respondent_id", "sector", "type", "wave"):
            if roles.count(role) > 1:
                problems.append(("fields", f"more than one field has role '{role}'"))
        scale_ids = {s.id for s in self.scales}
        if self.readiness is not None:
            for s in self.readiness.scales:
                if s not in scale_ids:
                    problems.append(("readiness.scales", f"unknown scale '{s}'"))
        if "bands" in self.model_fields_set:  # the built-in default bands carry id and en
            for bi, band in enumerate(self.bands):
                need_text(band.label, f"bands[{bi}].label")
                need_text(band.description, f"bands[{bi}].description")
        for mi, pmodel in enumerate(self.models):
            need_text(pmodel.name, f"models[{mi}].name")
            need_text(pmodel.description, f"models[{mi}].description")
        if problems:
            where, what = problems[0]
            more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
            raise ValueError(f"{where}: {what}{more}")
        return self

    # ------------------------------------------------------------------ lookups
    @property
    def default_language(self) -> str:
        return self.languages[0]

    def iter_items(self) -> Iterator[tuple[Scale, Item]]:
        for scale in self.scales:
            for item in scale.items:
                yield scale, item

    @cached_property
    def items(self) -> dict[str, Item]:
        """All items by id, in instrument order."""
        return {item.id: item for _, item in self.iter_items()}

    @cached_property
    def item_scale(self) -> dict[str, str]:
        """Scale id of every item id."""
        return {item.id: scale.id for scale, item in self.iter_items()}

    @cached_property
    def scale_map(self) -> dict[str, Scale]:
        return {s.id: s for s in self.scales}

    def scale(self, scale_id: str) -> Scale:
        return self.scale_map[scale_id]

    def scales_of_kind(self, kind: str) -> list[Scale]:
        return [s for s in self.scales if s.kind == kind]

    def field_by_role(self, role: str) -> RespondentField | None:
        for f in self.fields:
            if f.role == role:
                return f
        return None

    def response_scale(self, item_id: str) -> ResponseScale:
        return self.response_scales[self.items[item_id].response]

    @property
    def readiness_composite(self) -> Composite:
        """The readiness composite; by default the unweighted mean of success-factor scales."""
        if self.readiness is not None:
            return self.readiness
        sf = [s.id for s in self.scales if s.kind == "success_factor"]
        return Composite(scales=sf or [s.id for s in self.scales])

    def min_answered_count(self, scale: Scale) -> int:
        """Number of answered items a respondent needs for a score on ``scale``."""
        rule = scale.min_answered if scale.min_answered is not None else self.defaults.min_answered
        n = len(scale.items)
        if rule >= 1:
            return min(int(rule), n)
        # ceil with a guard against 2/3 * 6 = 4.000000000000001
        return max(1, min(n, int(-(-round(rule * n, 9) // 1))))

    def band_for(self, value: float) -> Band:
        """The band of a mean as the reports show it (two decimals, see ``BAND_DIGITS``)."""
        for band in self.bands:  # sorted high to low
            if value >= band.min - BAND_HALF_UNIT:
                return band
        return self.bands[-1]

    def text(self, text: LocalText | None, lang: str | None = None) -> str:
        """``text`` in ``lang``, falling back to the instrument's default language."""
        if not text:
            return ""
        if lang and lang in text:
            return text[lang]
        return text.get(self.default_language) or next(iter(text.values()))


def slug_ok(value: str) -> bool:
    return re.fullmatch(_ID, value) is not None
