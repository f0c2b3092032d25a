"""Parse and check a survey harmonisation spec (``surveys/<SURVEY_ID>/spec.yaml``).

The spec language is defined for users in ``data/raw/README.md`` section 1.2. ``load_spec``
returns a ``SurveySpec`` or raises ``SpecError`` naming the spec file, the variable and the
offending value. Checks that need the data file (do the source variables exist?) are made by
``check_against_columns``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pycountry
import yaml

from engine.errors import SpecError
from engine.readers import detect_format
from engine.typed_columns import FLAG_WORDS, code_keys
from schemas import survey_variables as sv

SURVEY_KEYS_REQUIRED = ("id", "country", "year", "kind", "file")
SURVEY_KEYS_OPTIONAL = (
    "format", "vintage", "synthetic", "source", "licence", "amounts_period", "currency",
    "csv", "known_issues", "notes",
)
TOP_KEYS = ("survey", "design", "variables", "absent")
DESIGN_KEYS = ("psu_nested_in_strata",)
MAPPING_KEYS = ("source", "codes", "other", "missing", "rule", "in", "expr", "value", "scale")
AMOUNT_PERIODS = {"year": 1, "month": 12, "week": 52, "day": 365}
ABSENT = "absent"
_ID = re.compile(r"^[A-Za-z0-9_]+$")
_BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float"))


class SpecLoader(yaml.SafeLoader):
    """Reads a spec with the scalars of YAML 1.2 (core schema): only ``true``/``false`` are
    booleans, so codes written ``yes:``, ``no:``, ``on:``, ``off:``, ``y:``, ``n:`` stay the text
    the data file holds (YAML 1.1, PyYAML's default, reads them as booleans); integers are
    decimal (``010`` is 10, not octal 8); ``1_000`` and ``1:30`` stay text."""


SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SpecLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
SpecLoader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
SpecLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)
SpecLoader.add_constructor(_INT, lambda loader, node: int(loader.construct_scalar(node)))


@dataclass(frozen=True)
class Mapping:
    """How one canonical variable is obtained. Exactly one of ``source``, ``expr``, ``value``
    is set (``absent`` mappings have none)."""

    target: str
    absent: bool = False
    source: str | None = None
    codes: dict[str, Any] | None = None
    other: Any = None
    missing: tuple[str, ...] = ()
    rule: str | None = None
    in_codes: tuple[str, ...] | None = None
    expr: str | None = None
    value: Any = None
    has_value: bool = False
    scale: float | None = None

    def source_columns(self) -> list[str]:
        """Source variables this mapping reads."""
        if self.source is not None:
            return [self.source]
        if self.expr is not None:
            return _expr_columns(self.expr)
        return []


@dataclass(frozen=True)
class SurveySpec:
    path: Path
    survey_id: str
    country: str
    year: int
    kind: str
    data_file: Path
    fmt: str
    mappings: dict[str, Mapping]
    psu_nested_in_strata: bool = False
    vintage: str | None = None
    synthetic: bool = False
    source: str | None = None
    licence: str | None = None
    amounts_factor: int = 1
    currency: str | None = None
    csv_separator: str = ","
    csv_encoding: str = "utf8"
    known_issues: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def absent(self) -> tuple[str, ...]:
        return tuple(n for n, m in self.mappings.items() if m.absent)


def code_text(value: Any) -> str | None:
    """A code of the spec as it is compared with the data (``engine.typed_columns.code_key``):
    ``1``, ``1.0`` and ``"01"`` all become ``"1"``, booleans ``"true"``/``"false"``."""
    return code_keys([value])[0]


def _expr_columns(expr: str) -> list[str]:
    return sorted(set(pl.sql_expr(expr).meta.root_names()))


def load_spec(path: Path) -> SurveySpec:
    """Read and check ``path``. Raises ``SpecError`` on any structural problem."""
    where = str(path)
    if not path.exists():
        raise SpecError(where, "spec file not found", rule="file_exists")
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=SpecLoader)
    except yaml.YAMLError as exc:
        raise SpecError(where, f"invalid YAML: {exc}", rule="yaml") from exc
    if not isinstance(doc, dict):
        raise SpecError(where, "the spec must be a mapping with keys 'survey', 'design', 'variables', 'absent'", rule="yaml")
    _no_unknown_keys(where, "top level", doc, TOP_KEYS)
    survey = doc.get("survey")
    if not isinstance(survey, dict):
        raise SpecError(where, "missing 'survey:' block", where="survey", rule="required_key")
    _no_unknown_keys(where, "survey", survey, SURVEY_KEYS_REQUIRED + SURVEY_KEYS_OPTIONAL)
    for key in SURVEY_KEYS_REQUIRED:
        if survey.get(key) in (None, ""):
            raise SpecError(where, f"'survey.{key}' is required", where=f"survey.{key}", rule="required_key")

    survey_id = str(survey["id"])
    if not _ID.match(survey_id):
        raise SpecError(where, "survey id may contain only letters, digits and underscores", where="survey.id", value=survey_id, rule="identifier")
    if path.parent.name != survey_id:
        raise SpecError(where, f"survey id must equal its folder name '{path.parent.name}'", where="survey.id", value=survey_id, rule="id_matches_folder")
    country = str(survey["country"]).upper()
    if len(country) != 3 or pycountry.countries.get(alpha_3=country) is None:
        raise SpecError(where, "country must be an ISO 3166-1 alpha-3 code", where="survey.country", value=survey["country"], rule="iso3166_alpha3")
    try:
        year = int(survey["year"])
    except (TypeError, ValueError):
        raise SpecError(where, "year must be an integer", where="survey.year", value=survey["year"], rule="type") from None
    kind = str(survey["kind"]).upper()
    if kind not in sv.SURVEY_KINDS:
        raise SpecError(where, f"unknown survey kind; expected one of {sv.SURVEY_KINDS}", where="survey.kind", value=survey["kind"], rule="code_list")
    period = str(survey.get("amounts_period", "year"))
    if period not in AMOUNT_PERIODS:
        raise SpecError(where, f"amounts_period must be one of {sorted(AMOUNT_PERIODS)}", where="survey.amounts_period", value=period, rule="code_list")
    data_file = path.parent / str(survey["file"])
    try:
        fmt = detect_format(data_file, survey.get("format"))
    except Exception as exc:
        raise SpecError(where, str(exc), where="survey.file", value=survey["file"], rule="format") from None
    csv = survey.get("csv") or {}
    if not isinstance(csv, dict):
        raise SpecError(where, "'csv' must be a mapping like {separator: ';', encoding: latin-1}", where="survey.csv", rule="type")
    _no_unknown_keys(where, "survey.csv", csv, ("separator", "encoding"))

    design = doc.get("design") or {}
    if not isinstance(design, dict):
        raise SpecError(where, "'design' must be a mapping", where="design", rule="type")
    _no_unknown_keys(where, "design", design, DESIGN_KEYS)

    mappings = _parse_variables(where, doc.get("variables"), doc.get("absent"))

    return SurveySpec(
        path=path,
        survey_id=survey_id,
        country=country,
        year=year,
        kind=kind,
        data_file=data_file,
        fmt=fmt,
        mappings=mappings,
        psu_nested_in_strata=_flag(where, "design.psu_nested_in_strata", design.get("psu_nested_in_strata", False)),
        vintage=None if survey.get("vintage") is None else str(survey["vintage"]),
        synthetic=_flag(where, "survey.synthetic", survey.get("synthetic", False)),
        source=survey.get("source"),
        licence=survey.get("licence"),
        amounts_factor=AMOUNT_PERIODS[period],
        currency=survey.get("currency"),
        csv_separator=str(csv.get("separator", ",")),
        csv_encoding=str(csv.get("encoding", "utf8")),
        known_issues=tuple(str(x) for x in (survey.get("known_issues") or ())),
        extra={k: survey[k] for k in ("notes",) if k in survey},
    )


def _flag(where: str, key: str, value: Any) -> bool:
    """A yes/no setting of the spec: true/false (or yes/no, 1/0)."""
    if isinstance(value, bool):
        return value
    text = code_text(value)
    if text is None or text.lower() not in FLAG_WORDS:
        raise SpecError(where, f"'{key}' must be true or false", where=key, value=value, rule="type")
    return FLAG_WORDS[text.lower()]


def _no_unknown_keys(where: str, block: str, doc: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(map(str, doc)) - set(allowed))
    if unknown:
        raise SpecError(where, f"unknown key(s) {unknown} in '{block}'; allowed: {list(allowed)}", where=block, value=unknown[0], rule="known_keys")


def _parse_variables(where: str, variables: Any, absent_list: Any) -> dict[str, Mapping]:
    if not isinstance(variables, dict):
        raise SpecError(where, "missing 'variables:' block", where="variables", rule="required_key")
    absent_list = absent_list or []
    if not isinstance(absent_list, list):
        raise SpecError(where, "'absent' must be a list of canonical variable names", where="absent", rule="type")
    mappings: dict[str, Mapping] = {}
    for name in absent_list:
        _known_variable(where, "absent", name)
        if name in variables:
            raise SpecError(where, "variable is both mapped and declared absent", where=f"variables.{name}", value=name, rule="absent_or_mapped")
        mappings[name] = Mapping(target=name, absent=True)
    for name, entry in variables.items():
        _known_variable(where, "variables", name)
        mappings[name] = _parse_mapping(where, name, entry)

    for name, m in mappings.items():
        var = sv.BY_NAME[name]
        if m.absent and var.required:
            raise SpecError(where, f"'{name}' is required and cannot be declared absent", where=f"variables.{name}", rule="required_variable")
    forgotten = [n for n in sv.MAPPED_NAMES if n not in mappings]
    if forgotten:
        raise SpecError(
            where,
            f"every canonical variable must be mapped or declared absent; not accounted for: {forgotten}",
            where="variables",
            value=forgotten[0],
            rule="absent_or_mapped",
        )
    return mappings


def _known_variable(where: str, block: str, name: Any) -> None:
    if name not in sv.MAPPED_NAMES:
        raise SpecError(
            where,
            f"unknown canonical variable; see data/raw/README.md 1.3 (one of {list(sv.MAPPED_NAMES)})",
            where=f"{block}.{name}",
            value=name,
            rule="canonical_variable",
        )


def _canonical_code(where: str, name: str, value: Any) -> Any:
    """Check a code the spec maps *to* against the canonical code list of ``name``."""
    var = sv.BY_NAME[name]
    if var.kind == "code":
        if value not in (var.codes or ()):
            raise SpecError(where, f"unknown canonical code for '{name}'; expected one of {list(var.codes or ())}", where=f"variables.{name}", value=value, rule="canonical_code")
        return value
    if var.kind == "flag":
        text = code_text(value)
        if text is None or text.lower() not in FLAG_WORDS:
            raise SpecError(where, f"'{name}' is a flag: map codes to true or false", where=f"variables.{name}", value=value, rule="canonical_code")
        return FLAG_WORDS[text.lower()]
    return value


def _code_map(where: str, name: str, codes: dict) -> dict[str, Any]:
    """Source code (as compared, ``code_text``) -> canonical code. Two keys that are the same
    number (``1`` and ``"01"``) must not map to different codes."""
    out: dict[str, Any] = {}
    written: dict[str, Any] = {}
    for key, target in codes.items():
        text, canonical = code_text(key), _canonical_code(where, name, target)
        if text is None:
            raise SpecError(where, "a source code cannot be empty (list missing values under 'missing:')", where=f"variables.{name}.codes", value=key, rule="mapping_form")
        if text in out and out[text] != canonical:
            raise SpecError(
                where, f"source codes {written[text]!r} and {key!r} are the same code ({text}) but map to {out[text]!r} and {canonical!r}",
                where=f"variables.{name}.codes", value=key, rule="mapping_form",
            )
        out[text], written[text] = canonical, key
    return out


def _parse_mapping(where: str, name: str, entry: Any) -> Mapping:
    var = sv.BY_NAME[name]
    loc = f"variables.{name}"
    if entry == ABSENT:
        return Mapping(target=name, absent=True)
    if isinstance(entry, str):
        return Mapping(target=name, source=entry)
    if not isinstance(entry, dict):
        raise SpecError(where, "a mapping is a source variable name, 'absent', or a block like {source: v, codes: {...}}", where=loc, value=entry, rule="mapping_form")
    unknown = sorted(set(map(str, entry)) - set(MAPPING_KEYS))
    if unknown:
        raise SpecError(where, f"unknown key(s) {unknown}; allowed: {list(MAPPING_KEYS)}", where=loc, value=unknown[0], rule="known_keys")
    origins = [k for k in ("source", "expr", "value") if k in entry]
    if len(origins) != 1:
        raise SpecError(where, "give exactly one of 'source', 'expr' or 'value'", where=loc, value=origins or None, rule="mapping_form")
    missing = tuple(code_text(x) for x in (entry.get("missing") or ()))
    scale = entry.get("scale")
    if scale is not None and not isinstance(scale, (int, float)):
        raise SpecError(where, "'scale' must be a number", where=loc, value=scale, rule="type")
    if "value" in entry:
        return Mapping(target=name, value=_canonical_code(where, name, entry["value"]), has_value=True)
    if "expr" in entry:
        expr = str(entry["expr"])
        try:
            _expr_columns(expr)
        except Exception as exc:
            raise SpecError(where, f"expression does not parse: {exc}", where=loc, value=expr, rule="expression") from None
        return Mapping(target=name, expr=expr, missing=missing, scale=scale)

    source = str(entry["source"])
    codes = entry.get("codes")
    rule = entry.get("rule")
    in_codes = entry.get("in")
    if sum(x is not None for x in (codes, rule, in_codes)) > 1:
        raise SpecError(where, "use only one of 'codes', 'rule' and 'in'", where=loc, rule="mapping_form")
    if codes is not None:
        if not isinstance(codes, dict) or not codes:
            raise SpecError(where, "'codes' must map source codes to canonical codes", where=loc, value=codes, rule="mapping_form")
        codes = _code_map(where, name, codes)
    other = entry.get("other")
    if other is not None:
        if codes is None:
            raise SpecError(where, "'other' only goes with 'codes'", where=loc, rule="mapping_form")
        other = _canonical_code(where, name, other)
    if rule is not None and rule != "positive":
        raise SpecError(where, "the only rule is 'positive' (flag = amount > 0)", where=loc, value=rule, rule="mapping_form")
    if (rule is not None or in_codes is not None) and var.kind != "flag":
        raise SpecError(where, f"'rule' and 'in' make flags, but '{name}' is of kind '{var.kind}'", where=loc, rule="mapping_form")
    if in_codes is not None:
        if not isinstance(in_codes, list) or not in_codes:
            raise SpecError(where, "'in' must be a non-empty list of source codes", where=loc, value=in_codes, rule="mapping_form")
        in_codes = tuple(code_text(x) for x in in_codes)
    return Mapping(target=name, source=source, codes=codes, other=other, missing=missing, rule=rule, in_codes=in_codes, scale=scale)


def check_against_columns(spec: SurveySpec, columns: list[str]) -> None:
    """Every source variable the spec names must be a column of the data file."""
    have = set(columns)
    for name, m in spec.mappings.items():
        for col in m.source_columns():
            if col not in have:
                raise SpecError(
                    str(spec.path),
                    f"source variable '{col}' is not in the data file {spec.data_file.name}",
                    where=f"variables.{name}",
                    value=col,
                    rule="source_variable_exists",
                )
