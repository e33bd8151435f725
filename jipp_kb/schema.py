"""The case-study format: one pydantic model, the single source of truth.

Front matter is validated here (structure, controlled vocabularies, cross-field
rules inside one case). Rules that span files live in ``validate.py``.
The JSON Schema exported from this model (``corpus/_schema.json``) is what
editors use for completion.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from jipp_kb import choices, vocab

SECTIONS: tuple[str, ...] = (
    "Ringkasan",
    "Latar Belakang dan Masalah",
    "Inovasi",
    "Pelaksanaan",
    "Hasil dan Dampak",
    "Sumber Daya",
    "Keberlanjutan",
    "Replikasi",
    "Pelajaran",
)
"""Body sections (``##`` headings), in this order; a full case study needs all of them."""

PROFILE_SECTIONS: tuple[str, ...] = ("Ringkasan",)
"""A profile needs only these; any other section it has follows the order above."""
PROFILE_MIN_SOURCES = 2

SECTIONS_EN: dict[str, str] = dict(
    zip(
        SECTIONS,
        (
            "Summary",
            "Background and problem",
            "The innovation",
            "Implementation",
            "Results and impact",
            "Resources",
            "Sustainability",
            "Replication",
            "Lessons",
        ),
    )
)

SUMMARY_MAX_WORDS = 200
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MOBILE_PHONE = re.compile(r"^(?:\+?62|0)8\d")

Level = Literal[choices.LEVELS]
Jenis = Literal[choices.JENIS]
Bentuk = Literal[choices.BENTUK]
Tahapan = Literal[choices.TAHAPAN]
Status = Literal[choices.STATUS]
Depth = Literal[choices.DEPTHS]
Inisiator = Literal[choices.INISIATOR]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=80)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://[^\s/$.?#][^\s]*$")]


def _max_words(limit: int):
    def check(text: str) -> str:
        n = len(text.split())
        if n > limit:
            raise ValueError(f"has {n} words; at most {limit} allowed")
        return text

    return check


def _one_paragraph(text: str) -> str:
    if "\n\n" in text.strip():
        raise ValueError("must be one paragraph")
    return text


def _public_phone(phone: str) -> str:
    if MOBILE_PHONE.match(re.sub(r"[\s().-]", "", phone)):
        raise ValueError("looks like a personal mobile number; list public office contacts only")
    return phone


def _resolver(vocabulary):
    return lambda value: vocabulary().resolve(value)


Province = Annotated[str, AfterValidator(_resolver(vocab.provinces))]
Regency = Annotated[str, AfterValidator(_resolver(vocab.regencies))]
Urusan = Annotated[str, AfterValidator(_resolver(vocab.urusan))]
KippCategory = Annotated[str, AfterValidator(_resolver(vocab.kipp_categories))]
AwardName = Annotated[str, AfterValidator(_resolver(vocab.award_names))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Award(_Strict):
    """A recognition as the awarding body announced it."""

    name: AwardName = Field(description="Award, e.g. KIPP, UNPSA, IGA, Kovablik Jatim (see jipp_kb/data/awards.yml).")
    tier: Text = Field(description="Tier as announced, e.g. 'Top 45', 'Top 99', 'Second Place'.")
    year: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def _tier_belongs_to_award(self) -> Award:
        object.__setattr__(self, "tier", vocab.resolve_tier(self.name, self.tier))
        return self


class Contact(_Strict):
    """A public office contact. Never a private person's number."""

    office: Text
    url: Url | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")] | None = None
    phone: Annotated[str, AfterValidator(_public_phone)] | None = None
    address: Text | None = None


class Source(_Strict):
    """A public source the case's facts come from."""

    url: Url
    title: Text
    publisher: Text | None = None
    accessed: date


class StatusCheck(_Strict):
    """When and where the status was last confirmed; separate from when a person reviewed the file."""

    date: date
    source: int = Field(ge=1, description="Number of the source (1-based, as cited [n]) that confirms the status.")


class CaseStudy(_Strict):
    """Front matter of one innovation case study (``corpus/<id>.md``)."""

    id: Slug = Field(description="Slug; equals the file name without .md.")
    title: Text = Field(description="Official name as used, with its acronym.")
    acronym_expansion: Text | None = Field(None, description="What the acronym stands for.")
    summary: Annotated[Text, AfterValidator(_max_words(SUMMARY_MAX_WORDS))] = Field(
        description="Indonesian summary, at most 200 words (like KIPP's Ringkasan)."
    )
    summary_en: Annotated[Text, AfterValidator(_one_paragraph)] = Field(description="One English paragraph.")
    province: Province | None = Field(description="Official province name; null for a national innovation.")
    regency: Regency | None = Field(None, description="'Kabupaten X' or 'Kota Y'; null for a provincial or national one.")
    village: Text | None = Field(None, description="Desa/kelurahan, for level 'desa'.")
    agency: Text = Field(description="The OPD / instansi that runs the innovation.")
    level: Level
    urusan: list[Urusan] = Field(min_length=1, description="Government affairs (UU 23/2014), see jipp_kb/data/urusan.yml.")
    jenis: Jenis
    bentuk: Bentuk
    tahapan: Tahapan
    inisiator: list[Inisiator] = Field(min_length=1)
    year_started: int | None = Field(ge=1945, le=2100, description="Year the innovation started; null if no source says.")
    sdgs: list[Annotated[int, Field(ge=1, le=17)]] = Field(default_factory=list)
    kipp_category: KippCategory | None = None
    awards: list[Award] = Field(default_factory=list)
    depth: Depth = Field(
        "studi kasus", description="'studi kasus': all nine sections; 'profil': a short record (Ringkasan, at least two sources)."
    )
    status: Status
    status_confirmed: StatusCheck | None = Field(None, description="Date and source that last confirmed the status.")
    replicated_from: list[Text] = Field(default_factory=list, description="Case ids, or region names for replicas outside the corpus.")
    replicated_by: list[Text] = Field(default_factory=list, description="Case ids, or region names for replicas outside the corpus.")
    contacts: list[Contact] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    last_reviewed: date
    tags: list[Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _region_matches_level(self) -> CaseStudy:
        problems = []
        if self.level == "nasional" and (self.province or self.regency):
            problems.append("a national innovation has province and regency null")
        if self.level != "nasional" and not self.province:
            problems.append(f"level '{self.level}' needs a province")
        if self.level == "provinsi" and self.regency:
            problems.append("a provincial innovation has regency null")
        if self.level in ("kabupaten", "kota", "desa") and not self.regency:
            problems.append(f"level '{self.level}' needs a regency")
        if self.level in ("kabupaten", "kota") and self.regency and vocab.regions()[self.regency].kind != self.level:
            problems.append(f"level is '{self.level}' but {self.regency} is a {vocab.regions()[self.regency].kind}")
        if self.regency and self.province and vocab.regions()[self.regency].province != self.province:
            problems.append(f"{self.regency} is in {vocab.regions()[self.regency].province}, not {self.province}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def region(self) -> str:
        """The most specific place name, for display."""
        return ", ".join(x for x in (self.village, self.regency, self.province) if x) or "Nasional"


def json_schema() -> dict:
    """The JSON Schema editors use; vocabularies are listed as enums for completion."""
    schema = CaseStudy.model_json_schema()
    props = schema["properties"]
    props["province"]["anyOf"][0]["enum"] = vocab.provinces().names
    props["regency"]["anyOf"][0]["enum"] = vocab.regencies().names
    props["urusan"]["items"]["enum"] = vocab.urusan().names
    props["kipp_category"]["anyOf"][0]["enum"] = vocab.kipp_categories().names
    schema["$defs"]["Award"]["properties"]["name"]["enum"] = vocab.award_names().names
    return schema


class Collection(_Strict):
    """A workshop reading list (``corpus/collections/<id>.yml``)."""

    title: Text
    title_en: Text | None = None
    description: Text
    description_en: Text | None = None
    audience: Text
    cases: list[Slug] = Field(min_length=1, description="Case ids, in the order a workshop reads them.")


class GlossaryEntry(_Strict):
    """An acronym or term and the words that mean the same (``corpus/_glossary.yml``)."""

    term: Text
    expansion: Text | None = None
    synonyms: list[Text] = Field(default_factory=list)
    en: Text | None = None
