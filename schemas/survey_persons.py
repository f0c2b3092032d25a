"""Pandera model (Polars backend) of the canonical person table, generated from the variable
catalogue in ``schemas.survey_variables`` so that the two can never disagree.

Checks: types; required variables present; code lists; ranges (age 0-120, weights > 0,
amounts >= 0); the person key (survey_id, hh_id, person_id) unique, every copy reported.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas import survey_variables as sv
from schemas.tables import schema_for


def person_schema(extra_columns: dict[str, pl.DataType] | None = None) -> pa.DataFrameSchema:
    """The canonical person table; ``extra_columns`` (e.g. the row id used while validating)
    are allowed without checks.
    """
    return schema_for(sv.ALL, name="survey_persons", unique=list(sv.PRIMARY_KEY), extra_columns=extra_columns)
