"""Read survey data files (CSV, Parquet, Stata, SPSS) into Polars, unchanged.

Contract: ``read_table(path, fmt)`` returns every column of the file and one row per data row,
in file order. CSV columns are read as text (no type guessing: the harmonisation spec decides
types). Stata and SPSS value labels are not applied (the table holds the stored codes);
``read_value_labels(path, fmt)`` returns them, so that a spec may name codes by their label.
Any failure to open or parse the file raises ``SourceError`` naming the file.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from engine.errors import SourceError

FORMATS_BY_EXTENSION = {".csv": "csv", ".parquet": "parquet", ".dta": "stata", ".sav": "spss"}
FORMATS = tuple(sorted(set(FORMATS_BY_EXTENSION.values())))


def detect_format(path: Path, declared: str | None = None) -> str:
    """The file format: the declared one, else from the extension."""
    if declared:
        if declared not in FORMATS:
            raise SourceError(str(path), f"unknown format '{declared}'; expected one of {FORMATS}", rule="format")
        return declared
    fmt = FORMATS_BY_EXTENSION.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(
            str(path),
            f"cannot tell the format from the extension '{path.suffix}'; use one of "
            f"{sorted(FORMATS_BY_EXTENSION)} or declare 'format:' in the spec",
            rule="format",
        )
    return fmt


def read_table(path: Path, fmt: str, *, separator: str = ",", encoding: str = "utf8") -> pl.DataFrame:
    """Read one data file as it is. See the module docstring for the contract."""
    if not path.exists():
        raise SourceError(str(path), "data file not found", rule="file_exists")
    try:
        if fmt == "csv":
            source = path if encoding.lower().replace("-", "") == "utf8" else io.StringIO(path.read_bytes().decode(encoding))
            return pl.read_csv(source, infer_schema=False, separator=separator)
        if fmt == "parquet":
            return pl.read_parquet(path)
        if fmt in ("stata", "spss"):
            return _read_readstat(path, fmt)
    except SourceError:
        raise
    except Exception as exc:  # any parser failure: name the file and the parser's reason
        raise SourceError(str(path), f"cannot read {fmt} file: {exc}", rule="readable") from exc
    raise SourceError(str(path), f"unsupported format '{fmt}'", rule="format")


def _read_readstat(path: Path, fmt: str) -> pl.DataFrame:
    import pyreadstat

    reader = pyreadstat.read_dta if fmt == "stata" else pyreadstat.read_sav
    frame, _meta = reader(str(path), apply_value_formats=False, user_missing=False)
    return pl.from_pandas(frame)


def read_value_labels(path: Path, fmt: str) -> dict[str, dict[object, str]]:
    """Value labels of a Stata or SPSS file, ``{variable: {stored value: label}}`` (read from
    the file's metadata only); empty for the other formats."""
    if fmt not in ("stata", "spss"):
        return {}
    import pyreadstat

    reader = pyreadstat.read_dta if fmt == "stata" else pyreadstat.read_sav
    try:
        _frame, meta = reader(str(path), metadataonly=True)
    except Exception as exc:
        raise SourceError(str(path), f"cannot read the value labels of the {fmt} file: {exc}", rule="readable") from exc
    return {var: dict(labels) for var, labels in (meta.variable_value_labels or {}).items()}
