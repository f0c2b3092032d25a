"""Parse and check a survey harmonisation spec (``surveys/<SURVEY_ID>/spec.yaml``).

The spec language is defined for users in ``data/raw/README.md`` section 1.2. ``load_spec``
returns a ``SurveySpec`` or raises ``SpecError`` naming the spec file, the variable and the
offending value. Checks that need the data file (do the source variables exist?) are made by
``check_against_columns``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pycountry
import yaml

from engine.errors import SourceError, SpecError
from engine.expressions import ExpressionError, compile_expression
from engine.paths import ID_RULE, confined_file, valid_source_id
from engine.readers import detect_format
from engine.safe_yaml import BoundedLoader, load_yaml_file
from engine.typed_columns import FLAG_WORDS, code_keys
from schemas.numbers import FINITE_RULE, NUMBER_MAX_ABS
from schemas.resources import survey as sv

SURVEY_KEYS_REQUIRED = ("id", "country", "year", "kind", "file")
SURVEY_KEYS_OPTIONAL = (
    "format",
    "vintage",
    "synthetic",
    "source",
    "licence",
    "amounts_period",
    "currency",
    "csv",
    "known_issues",
    "notes",
    "join",
)
JOIN_KEYS = ("file", "on", "format", "required", "columns")
TOP_KEYS = ("survey", "design", "variables", "absent")
DESIGN_KEYS = ("psu_nested_in_strata",)
MAPPING_KEYS = (
    "source",
    "codes",
    "other",
    "missing",
    "rule",
    "in",
    "expr",
    "value",
    "scale",
    "spread",
    "generate",
    "key",
    "classes",
    "washington_group",
)
ORIGINS = ("source", "expr", "value", "generate", "key", "washington_group")
# generate: -> which id variables may use it
GENERATED_IDS = {"row_number": ("hh_id", "person_id"), "row_in_household": ("person_id",)}
SPREAD_LEVELS = ("household",)
AGE_CLASS = re.compile(r"^([0-9]{1,3})_([0-9]{1,3})$")
# The form `{washington_group: [six items]}` gives the highest difficulty level (1-4) over the
# items of the Washington Group short set; it maps this canonical variable only.
WASHINGTON_GROUP_TARGET = "wg_difficulty"
WASHINGTON_GROUP_LEVELS = ("1", "2", "3", "4")
AMOUNT_PERIODS = {"year": 1, "month": 12, "week": 52, "day": 365}
ABSENT = "absent"
_BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float"))


class SpecLoader(BoundedLoader):
    """Reads a spec with the scalars of YAML 1.2 (core schema): only ``true``/``false`` are
    booleans, so codes written ``yes:``, ``no:``, ``on:``, ``off:``, ``y:``, ``n:`` stay the text
    the data file holds (YAML 1.1, PyYAML's default, reads them as booleans); integers are
    decimal (``010`` is 10, not octal 8); ``1_000`` and ``1:30`` stay text. Aliases are
    bounded as in every untrusted YAML (``engine.safe_yaml``).
    """


SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SpecLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
SpecLoader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
SpecLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
SpecLoader.add_constructor(_INT, lambda loader, node: int(loader.construct_scalar(node)))


@dataclass(frozen=True)
class Mapping:
    """How one canonical variable is obtained. Exactly one of ``source``, ``expr``, ``value``
    is set (``absent`` mappings have none).
    """

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
    spread: str | None = None  # "household": one value per household, given to every member
    generate: str | None = None  # a generated id: GENERATED_IDS
    key: tuple[str, ...] | None = None  # an id composed of several source variables
    classes: dict[str, str] | None = None  # age given in classes: source code -> "<low>_<high>"
    items: tuple[str, ...] | None = None  # the Washington Group items (washington_group)

    def source_columns(self) -> list[str]:
        """Source variables this mapping reads."""
        if self.items is not None:
            return list(self.items)
        if self.source is not None:
            return [self.source]
        if self.expr is not None:
            return list(compile_expression(self.expr).columns)
        if self.key is not None:
            return list(self.key)
        return []


@dataclass(frozen=True)
class JoinedFile:
    """A further data file of the survey (e.g. the household file): every row of the main file
    gets the variables of the row of this file with the same key (``on``: pairs of a variable of
    the files before and a variable of this file). Without a matching row, the main row is
    quarantined (rule ``join_match``) when ``required``, else its variables from this file are
    missing.
    """

    path: Path
    fmt: str
    on: tuple[tuple[str, str], ...]
    required: bool = True
    columns: tuple[str, ...] | None = None


@dataclass(frozen=True)
class SurveySpec:
    """A survey's ``spec.yaml``, parsed and checked: identity, data file and format, design, one
    mapping per canonical variable and the files joined to the main one.
    """

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
    joins: tuple[JoinedFile, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def absent(self) -> tuple[str, ...]:
        """The canonical variables the spec declares absent."""
        return tuple(n for n, m in self.mappings.items() if m.absent)

    @property
    def data_files(self) -> tuple[Path, ...]:
        """The main data file and the joined ones, in the order of the spec."""
        return (self.data_file, *(j.path for j in self.joins))


def code_text(value: Any) -> str | None:
    """A code of the spec as it is compared with the data (``engine.typed_columns.code_key``):
    ``1``, ``1.0`` and ``"01"`` all become ``"1"``, booleans ``"true"``/``"false"``.
    """
    return code_keys([value])[0]


def load_spec(path: Path) -> SurveySpec:
    """Read and check ``path``. Raises ``SpecError`` on any structural problem."""
    where = str(path)
    if not path.exists():
        raise SpecError(where, "spec file not found", rule="file_exists")
    try:
        doc = load_yaml_file(path, file=where, loader=SpecLoader)
    except SourceError as exc:
        raise SpecError(exc.file, exc.problem, where=exc.where, value=exc.value, rule=exc.rule) from None
    if not isinstance(doc, dict):
        raise SpecError(
            where, "the spec must be a mapping with keys 'survey', 'design', 'variables', 'absent'", rule="yaml"
        )
    _no_unknown_keys(where, "top level", doc, TOP_KEYS)
    survey = doc.get("survey")
    if not isinstance(survey, dict):
        raise SpecError(where, "missing 'survey:' block", where="survey", rule="required_key")
    _no_unknown_keys(where, "survey", survey, SURVEY_KEYS_REQUIRED + SURVEY_KEYS_OPTIONAL)
    for key in SURVEY_KEYS_REQUIRED:
        if survey.get(key) in (None, ""):
            raise SpecError(where, f"'survey.{key}' is required", where=f"survey.{key}", rule="required_key")

    survey_id, country, year, kind = _survey_identity(where, path, survey)
    period = str(survey.get("amounts_period", "year"))
    if period not in AMOUNT_PERIODS:
        raise SpecError(
            where,
            f"amounts_period must be one of {sorted(AMOUNT_PERIODS)}",
            where="survey.amounts_period",
            value=period,
            rule="code_list",
        )
    data_file, fmt = _data_file(where, path.parent, survey["file"], survey.get("format"), "survey.file")
    csv = survey.get("csv") or {}
    if not isinstance(csv, dict):
        raise SpecError(
            where, "'csv' must be a mapping like {separator: ';', encoding: latin-1}", where="survey.csv", rule="type"
        )
    _no_unknown_keys(where, "survey.csv", csv, ("separator", "encoding"))

    design = doc.get("design") or {}
    if not isinstance(design, dict):
        raise SpecError(where, "'design' must be a mapping", where="design", rule="type")
    _no_unknown_keys(where, "design", design, DESIGN_KEYS)

    joins = _parse_joins(where, path.parent, survey.get("join"))
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
        known_issues=_texts(where, "survey.known_issues", survey.get("known_issues")),
        joins=joins,
        extra={k: survey[k] for k in ("notes",) if k in survey},
    )


def _data_file(where: str, folder: Path, name: Any, declared_format: Any, key: str) -> tuple[Path, str]:
    """The path and format of a data file named in the spec (``survey.file`` or a ``join``
    entry): the one place where a ``file:`` of the spec becomes a path.
    """
    if not isinstance(name, str):
        raise SpecError(
            where, f"'{key}' must be a file name (relative to the survey folder)", where=key, value=name, rule="type"
        )
    try:
        data_file = confined_file(folder, name, named_in=where, where=key)
    except SourceError as exc:
        raise SpecError(exc.file, exc.problem, where=exc.where, value=exc.value, rule=exc.rule) from None
    try:
        return data_file, detect_format(data_file, declared_format)
    except Exception as exc:
        raise SpecError(where, str(exc), where=key, value=name, rule="format") from None


def _parse_joins(where: str, folder: Path, joins: Any) -> tuple[JoinedFile, ...]:
    """``survey.join``: a list of ``{file: f, on: {main_var: var_of_f}}`` (``on: [v]`` when the
    names are the same), optionally ``format``, ``required`` (default true) and ``columns`` (the
    variables to take from the file; default all but its keys).
    """
    if joins is None:
        return ()
    if not isinstance(joins, list) or not joins:
        raise SpecError(
            where,
            "'join' must be a list like [{file: household.csv, on: {hh_key: hh_key_of_that_file}}]",
            where="survey.join",
            rule="type",
        )
    out = []
    for i, entry in enumerate(joins):
        loc = f"survey.join[{i}]"
        if not isinstance(entry, dict) or "file" not in entry or "on" not in entry:
            raise SpecError(
                where,
                "a join needs 'file' and 'on', e.g. {file: household.csv, on: {hhid: hhid}}",
                where=loc,
                value=entry,
                rule="join_form",
            )
        _no_unknown_keys(where, loc, entry, JOIN_KEYS)
        on = entry["on"]
        if isinstance(on, list) and on and all(isinstance(v, str) for v in on):
            pairs = tuple((v, v) for v in on)
        elif isinstance(on, dict) and on and all(isinstance(k, str) and isinstance(v, str) for k, v in on.items()):
            pairs = tuple(on.items())
        else:
            raise SpecError(
                where,
                "'on' maps variables of the files before to variables of this file, e.g. {px030: hb030}, or lists shared names",
                where=f"{loc}.on",
                value=on,
                rule="join_form",
            )
        columns = entry.get("columns")
        if columns is not None and (
            not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns)
        ):
            raise SpecError(
                where,
                "'columns' lists the variables to take from this file",
                where=f"{loc}.columns",
                value=columns,
                rule="join_form",
            )
        path, fmt = _data_file(where, folder, entry["file"], entry.get("format"), f"{loc}.file")
        required = _flag(where, f"{loc}.required", entry.get("required", True))
        out.append(
            JoinedFile(
                path=path, fmt=fmt, on=pairs, required=required, columns=None if columns is None else tuple(columns)
            )
        )
    return tuple(out)


def _year(where: str, value: Any) -> int:
    """The survey year: a whole number within the range of the canonical ``year``."""
    var = sv.BY_NAME["year"]
    assert var.min is not None and var.max is not None  # the year variable is bounded
    text = code_text(value) if isinstance(value, (int, float, str)) and not isinstance(value, bool) else None
    if text is None or not text.isdigit() or not var.min <= int(text) <= var.max:
        raise SpecError(
            where,
            f"year must be a whole number from {var.min:.0f} to {var.max:.0f}",
            where="survey.year",
            value=value,
            rule="type",
        )
    return int(text)


def _flag(where: str, key: str, value: Any) -> bool:
    """A yes/no setting of the spec: true/false (or yes/no, 1/0)."""
    if isinstance(value, bool):
        return value
    text = code_text(value)
    if text is None or text.lower() not in FLAG_WORDS:
        raise SpecError(where, f"'{key}' must be true or false", where=key, value=value, rule="type")
    return FLAG_WORDS[text.lower()]


def _texts(where: str, key: str, value: Any) -> tuple[str, ...]:
    """A list of sentences (a single sentence is a list of one)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(x, (str, int, float)) for x in items):
        raise SpecError(where, "must be a list of sentences", where=key, rule="type")
    return tuple(str(x) for x in items)


def _no_unknown_keys(where: str, block: str, doc: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(map(str, doc)) - set(allowed))
    if unknown:
        raise SpecError(
            where,
            f"unknown key(s) {unknown} in '{block}'; allowed: {list(allowed)}",
            where=block,
            value=unknown[0],
            rule="known_keys",
        )


def _survey_identity(where: str, path: Path, survey: dict) -> tuple[str, str, int, str]:
    """``survey.id`` (a source id equal to the spec's folder name), ``survey.country`` (ISO
    3166-1 alpha-3, upper case), ``survey.year`` and ``survey.kind`` (one of
    ``SURVEY_KINDS``), checked.
    """
    survey_id = str(survey["id"])
    if not valid_source_id(survey_id):
        raise SpecError(
            where,
            "survey id may contain only letters, digits and underscores (1 to 64)",
            where="survey.id",
            value=survey_id,
            rule=ID_RULE,
        )
    if path.parent.name != survey_id:
        raise SpecError(
            where,
            f"survey id must equal its folder name '{path.parent.name}'",
            where="survey.id",
            value=survey_id,
            rule="id_matches_folder",
        )
    country = str(survey["country"]).upper()
    if len(country) != 3 or pycountry.countries.get(alpha_3=country) is None:
        raise SpecError(
            where,
            "country must be an ISO 3166-1 alpha-3 code",
            where="survey.country",
            value=survey["country"],
            rule="iso3166_alpha3",
        )
    year = _year(where, survey["year"])
    kind = str(survey["kind"]).upper()
    if kind not in sv.SURVEY_KINDS:
        raise SpecError(
            where,
            f"unknown survey kind; expected one of {sv.SURVEY_KINDS}",
            where="survey.kind",
            value=survey["kind"],
            rule="code_list",
        )
    return survey_id, country, year, kind


def _absent_mappings(where: str, variables: dict, absent_list: Any) -> dict[str, Mapping]:
    """The variables of the ``absent:`` list (canonical names, none of them also mapped)."""
    absent_list = absent_list or []
    if not isinstance(absent_list, list):
        raise SpecError(where, "'absent' must be a list of canonical variable names", where="absent", rule="type")
    mappings: dict[str, Mapping] = {}
    for name in absent_list:
        _known_variable(where, "absent", name)
        if name in variables:
            raise SpecError(
                where,
                "variable is both mapped and declared absent",
                where=f"variables.{name}",
                value=name,
                rule="absent_or_mapped",
            )
        mappings[name] = Mapping(target=name, absent=True)
    return mappings


def _parse_variables(where: str, variables: Any, absent_list: Any) -> dict[str, Mapping]:
    if not isinstance(variables, dict):
        raise SpecError(where, "missing 'variables:' block", where="variables", rule="required_key")
    mappings = _absent_mappings(where, variables, absent_list)
    for name, entry in variables.items():
        _known_variable(where, "variables", name)
        mappings[name] = _parse_mapping(where, name, entry)

    for name, m in mappings.items():
        var = sv.BY_NAME[name]
        if m.absent and var.required:
            raise SpecError(
                where,
                f"'{name}' is required and cannot be declared absent",
                where=f"variables.{name}",
                rule="required_variable",
            )
    for name in sv.MAPPED_NAMES:
        if name not in mappings and sv.BY_NAME[name].absent_unless_mapped:
            mappings[name] = Mapping(target=name, absent=True)
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
    """Check a code the spec maps *to* against the canonical code list of ``name`` (a number
    for a numeric variable: finite and within the bound of the ``finite`` rule).
    """
    var = sv.BY_NAME[name]
    if not isinstance(value, (str, int, float, bool)):
        raise SpecError(
            where,
            "a canonical value is a single code, flag or number",
            where=f"variables.{name}",
            value=value,
            rule="mapping_form",
        )
    if var.kind in ("int", "float"):
        number = _number(value)
        if number is None or (var.kind == "int" and not float(number).is_integer()):
            raise SpecError(where, f"'{name}' is a number", where=f"variables.{name}", value=value, rule="type")
        if not math.isfinite(number) or abs(number) > NUMBER_MAX_ABS:
            raise SpecError(
                where,
                f"numbers must be finite and at most {NUMBER_MAX_ABS:g} in absolute value",
                where=f"variables.{name}",
                value=value,
                rule=FINITE_RULE,
            )
        return number
    if var.kind == "code":
        if value not in (var.codes or ()):
            raise SpecError(
                where,
                f"unknown canonical code for '{name}'; expected one of {list(var.codes or ())}",
                where=f"variables.{name}",
                value=value,
                rule="canonical_code",
            )
        return value
    if var.kind == "flag":
        text = code_text(value)
        if text is None or text.lower() not in FLAG_WORDS:
            raise SpecError(
                where,
                f"'{name}' is a flag: map codes to true or false",
                where=f"variables.{name}",
                value=value,
                rule="canonical_code",
            )
        return FLAG_WORDS[text.lower()]
    return value


def _code_map(where: str, name: str, codes: dict) -> dict[str, Any]:
    """Source code (as compared, ``code_text``) -> canonical code. Two keys that are the same
    number (``1`` and ``"01"``) must not map to different codes.
    """
    out: dict[str, Any] = {}
    written: dict[str, Any] = {}
    for key, target in codes.items():
        text, canonical = code_text(key), _canonical_code(where, name, target)
        if text is None:
            raise SpecError(
                where,
                "a source code cannot be empty (list missing values under 'missing:')",
                where=f"variables.{name}.codes",
                value=key,
                rule="mapping_form",
            )
        if text in out and out[text] != canonical:
            raise SpecError(
                where,
                f"source codes {written[text]!r} and {key!r} are the same code ({text}) but map to {out[text]!r} and {canonical!r}",
                where=f"variables.{name}.codes",
                value=key,
                rule="mapping_form",
            )
        out[text], written[text] = canonical, key
    return out


def _parse_mapping(where: str, name: str, entry: Any) -> Mapping:
    """One entry of ``variables:`` for the canonical variable ``name`` (checked to exist)."""
    loc = f"variables.{name}"
    if entry == ABSENT:
        return Mapping(target=name, absent=True)
    if isinstance(entry, str):
        return Mapping(target=name, source=entry)
    if not isinstance(entry, dict):
        raise SpecError(
            where,
            "a mapping is a source variable name, 'absent', or a block like {source: v, codes: {...}}",
            where=loc,
            value=entry,
            rule="mapping_form",
        )
    unknown = sorted(set(map(str, entry)) - set(MAPPING_KEYS))
    if unknown:
        raise SpecError(
            where,
            f"unknown key(s) {unknown}; allowed: {list(MAPPING_KEYS)}",
            where=loc,
            value=unknown[0],
            rule="known_keys",
        )
    origins = [k for k in ORIGINS if k in entry]
    if len(origins) != 1:
        raise SpecError(
            where,
            f"give exactly one of {', '.join(repr(o) for o in ORIGINS)}",
            where=loc,
            value=origins or None,
            rule="mapping_form",
        )
    missing = _missing_codes(where, loc, entry)
    if "washington_group" in entry:
        return _parse_washington_group(where, name, entry, missing)
    scale, spread = _scale_and_spread(where, name, entry)
    if "value" in entry:
        return Mapping(target=name, value=_canonical_code(where, name, entry["value"]), has_value=True)
    if "generate" in entry or "key" in entry:
        return _parse_id(where, name, entry, missing)
    if "expr" in entry:
        return Mapping(target=name, expr=_expression(where, loc, entry), missing=missing, scale=scale, spread=spread)
    return _parse_source_mapping(where, name, entry, missing, scale, spread)


def _missing_codes(where: str, loc: str, entry: dict) -> tuple[str, ...]:
    """The entry's ``missing:`` codes as compared with the data (none when it has no such key)."""
    missing = entry.get("missing") or []
    if not isinstance(missing, list) or not all(isinstance(x, (str, int, float, bool)) for x in missing):
        raise SpecError(
            where,
            "'missing' must be a list of codes, like missing: [98, 99]",
            where=loc,
            value=missing,
            rule="mapping_form",
        )
    return _codes(where, f"{loc}.missing", missing)


def _codes(where: str, loc: str, values: list) -> tuple[str, ...]:
    """A list of source codes as compared with the data; a blank code names no value."""
    out = []
    for value in values:
        text = code_text(value)
        if text is None:
            raise SpecError(where, "a code must not be blank", where=loc, value=value, rule="mapping_form")
        out.append(text)
    return tuple(out)


def _scale_and_spread(where: str, name: str, entry: dict) -> tuple[Any, Any]:
    """The entry's ``scale`` (a positive finite number) and ``spread`` (one of
    ``SPREAD_LEVELS``, for a variable read from a source or an expression), None when not given.
    """
    loc = f"variables.{name}"
    scale = entry.get("scale")
    if scale is not None and not (_number(scale) is not None and math.isfinite(scale) and 0 < scale <= NUMBER_MAX_ABS):
        raise SpecError(where, "'scale' must be a positive finite number", where=loc, value=scale, rule="type")
    spread = entry.get("spread")
    if spread is not None and spread not in SPREAD_LEVELS:
        raise SpecError(
            where, f"'spread' must be one of {list(SPREAD_LEVELS)}", where=loc, value=spread, rule="mapping_form"
        )
    if spread is not None and (name == "hh_id" or "value" in entry or "generate" in entry):
        raise SpecError(
            where,
            "'spread' gives a household's value to its members; it needs a source or an expression (not hh_id)",
            where=loc,
            rule="mapping_form",
        )
    return scale, spread


def _expression(where: str, loc: str, entry: dict) -> str:
    """The entry's ``expr``, checked to compile in the expression language."""
    expr = str(entry["expr"])
    try:
        compile_expression(expr)
    except ExpressionError as exc:
        raise SpecError(where, str(exc), where=loc, value=expr, rule="expression") from None
    return expr


def _parse_washington_group(where: str, name: str, entry: dict, missing: tuple[str, ...]) -> Mapping:
    """``{washington_group: [item, ...], missing: [...]}``: the items of the Washington Group
    short set that make ``severe_disability`` (distinct source variable names).
    """
    loc = f"variables.{name}"
    items = entry["washington_group"]
    if name != WASHINGTON_GROUP_TARGET:
        raise SpecError(
            where, f"'washington_group' maps '{WASHINGTON_GROUP_TARGET}' only", where=loc, rule="mapping_form"
        )
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(i, str) for i in items)
        or len(set(items)) != len(items)
    ):
        raise SpecError(
            where,
            "'washington_group' must list the source variables of the short set's items (distinct names)",
            where=loc,
            value=items,
            rule="mapping_form",
        )
    unknown = sorted(set(map(str, entry)) - {"washington_group", "missing"})
    if unknown:
        raise SpecError(
            where,
            f"'washington_group' takes only 'missing' besides the items, not {unknown}",
            where=loc,
            value=unknown[0],
            rule="mapping_form",
        )
    return Mapping(target=name, items=tuple(items), missing=missing)


def _parse_source_mapping(
    where: str, name: str, entry: dict, missing: tuple[str, ...], scale: Any, spread: Any
) -> Mapping:
    """``{source: v, ...}`` with at most one of ``codes`` (and ``other``), ``rule``, ``in`` and
    ``classes``.
    """
    loc = f"variables.{name}"
    source = str(entry["source"])
    codes = entry.get("codes")
    rule = entry.get("rule")
    in_codes = entry.get("in")
    classes = entry.get("classes")
    if sum(x is not None for x in (codes, rule, in_codes, classes)) > 1:
        raise SpecError(where, "use only one of 'codes', 'rule', 'in' and 'classes'", where=loc, rule="mapping_form")
    if codes is not None:
        if not isinstance(codes, dict) or not codes:
            raise SpecError(
                where, "'codes' must map source codes to canonical codes", where=loc, value=codes, rule="mapping_form"
            )
        codes = _code_map(where, name, codes)
    other = entry.get("other")
    if other is not None:
        if codes is None:
            raise SpecError(where, "'other' only goes with 'codes'", where=loc, rule="mapping_form")
        other = _canonical_code(where, name, other)
    in_codes = _flag_rule(where, name, rule, in_codes)
    if classes is not None:
        classes = _age_classes(where, name, classes)
    return Mapping(
        target=name,
        source=source,
        codes=codes,
        other=other,
        missing=missing,
        rule=rule,
        in_codes=in_codes,
        scale=scale,
        spread=spread,
        classes=classes,
    )


def _flag_rule(where: str, name: str, rule: Any, in_codes: Any) -> tuple[str, ...] | None:
    """Check ``rule`` (only ``positive``) and ``in`` (a non-empty list of source codes), which
    make flags only; returns the ``in`` codes as compared with the data (None when not given).
    """
    loc = f"variables.{name}"
    kind = sv.BY_NAME[name].kind
    if rule is not None and rule != "positive":
        raise SpecError(
            where, "the only rule is 'positive' (flag = amount > 0)", where=loc, value=rule, rule="mapping_form"
        )
    if (rule is not None or in_codes is not None) and kind != "flag":
        raise SpecError(
            where, f"'rule' and 'in' make flags, but '{name}' is of kind '{kind}'", where=loc, rule="mapping_form"
        )
    if in_codes is None:
        return None
    if not isinstance(in_codes, list) or not in_codes:
        raise SpecError(
            where, "'in' must be a non-empty list of source codes", where=loc, value=in_codes, rule="mapping_form"
        )
    return _codes(where, f"{loc}.in", in_codes)


def _parse_id(where: str, name: str, entry: dict, missing: tuple[str, ...]) -> Mapping:
    """``{generate: row_number | row_in_household}`` or ``{key: [v1, v2, ...]}`` for an id."""
    loc = f"variables.{name}"
    if sv.BY_NAME[name].kind != "id":
        raise SpecError(
            where,
            f"'generate' and 'key' make ids, but '{name}' is of kind '{sv.BY_NAME[name].kind}'",
            where=loc,
            rule="mapping_form",
        )
    if "key" in entry:
        key = entry["key"]
        if not isinstance(key, list) or not key or not all(isinstance(k, str) for k in key):
            raise SpecError(
                where,
                "'key' lists the source variables that together identify the unit, e.g. [cluster, hh_number]",
                where=loc,
                value=key,
                rule="mapping_form",
            )
        return Mapping(target=name, key=tuple(key), missing=missing)
    generate = entry["generate"]
    if name not in GENERATED_IDS.get(generate, ()):
        allowed = [g for g, names in GENERATED_IDS.items() if name in names]
        raise SpecError(
            where,
            f"'{name}' can be generated as {allowed}" if allowed else f"'{name}' cannot be generated",
            where=loc,
            value=generate,
            rule="mapping_form",
        )
    return Mapping(target=name, generate=generate)


def _age_classes(where: str, name: str, classes: Any) -> dict[str, str]:
    """``classes: {source code: "<low>_<high>"}`` (or ``[low, high]``): age given in classes of
    completed years, 0 <= low <= high <= 120.
    """
    loc = f"variables.{name}"
    if name != "age" or not isinstance(classes, dict) or not classes:
        raise SpecError(
            where,
            "'classes' maps the codes of an age class variable to the years they cover, e.g. {1: 0_14, 2: 15_24}; only for 'age'",
            where=loc,
            value=classes,
            rule="mapping_form",
        )
    var = sv.BY_NAME[name]
    assert var.min is not None and var.max is not None  # age is bounded
    out: dict[str, str] = {}
    for code, years in classes.items():
        text = f"{years[0]}_{years[1]}" if isinstance(years, list) and len(years) == 2 else str(years)
        match = AGE_CLASS.match(text)
        if not match or not (var.min <= int(match[1]) <= int(match[2]) <= var.max):
            raise SpecError(
                where,
                f"an age class is '<low>_<high>' in completed years, {int(var.min)} <= low <= high <= {int(var.max)}",
                where=f"{loc}.classes",
                value=years,
                rule="age_class",
            )
        (key,) = _codes(where, f"{loc}.classes", [code])
        out[key] = f"{int(match[1])}_{int(match[2])}"
    return out


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def check_against_columns(spec: SurveySpec, schema: dict[str, pl.DataType]) -> None:
    """Every source variable the spec names must be a column of the data file (or of a joined
    file), holding text, numbers, booleans or dates (not lists, structures or binary data).
    """
    files = " or ".join(p.name for p in spec.data_files)
    for name, m in spec.mappings.items():
        for col in m.source_columns():
            if col not in schema:
                raise SpecError(
                    str(spec.path),
                    f"source variable '{col}' is not in the data file {files}",
                    where=f"variables.{name}",
                    value=col,
                    rule="source_variable_exists",
                )
            dtype = schema[col]
            if not (
                dtype == pl.String
                or dtype == pl.Boolean
                or dtype == pl.Null
                or dtype.is_numeric()
                or dtype.is_temporal()
            ):
                raise SpecError(
                    str(spec.path),
                    f"source variable '{col}' of the data file {files} holds {dtype}, not text, numbers or dates",
                    where=f"variables.{name}",
                    value=col,
                    rule="source_type",
                )
