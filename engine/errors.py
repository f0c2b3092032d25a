"""Errors that stop one source (a survey, an SSI return, a context table) with a message a
statistician can act on: it names the file, the place in it (sheet, column, variable, row)
and the rule that was broken.
"""

from __future__ import annotations


class SourceError(Exception):
    """A structural problem with one input source. The source's step fails; others go on."""

    def __init__(
        self, file: str, problem: str, *, where: str | None = None, value: object = None, rule: str | None = None
    ):
        self.file = str(file)
        self.problem = problem
        self.where = where
        self.value = value
        self.rule = rule
        parts = [self.file]
        if where:
            parts.append(where)
        msg = ": ".join(parts) + f": {problem}"
        if value is not None:
            msg += f" (value: {value!r})"
        if rule:
            msg += f" [rule: {rule}]"
        super().__init__(msg)


class SpecError(SourceError):
    """A harmonisation spec is invalid or does not match its data file."""


class AllRowsQuarantined(SourceError):
    """No row of a source passed validation. The source fails like any broken source, but its
    quarantine table and source record are kept: they say what is wrong with every row.
    """
