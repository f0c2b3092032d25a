"""Write small SSI returns (workbook or CSV folder) for tests."""

from __future__ import annotations

from pathlib import Path

from schemas.resources import ssi as st

RETURN = [
    ("country", "GHA"),
    ("reference_year", "2022"),
    ("institution", "Test ministry"),
    ("vintage", "2023-04-30"),
    ("synthetic", "true"),
]
TABLES = {
    "Schemes": [
        ["scheme_id", "scheme_name", "function", "scheme_type", "legal_coverage"],
        ["S1", "National pension", "old_age", "contributory", "employees"],
        ["S2", "Cash transfer", "social_assistance", "means_tested", "poor households"],
        ["S3", "Work injury fund", "employment_injury", "contributory", "employees"],
    ],
    "Contributors": [
        ["scheme_id", "total", "men", "women"],
        ["S1", 1000, 600, 400],
        ["S3", 900, 560, 340],
    ],
    "Beneficiaries": [
        ["scheme_id", "benefit_type", "total", "men", "women"],
        ["S1", "old_age", 300, 200, 100],
        ["S1", "survivors", 50, None, None],
        ["S2", "social_assistance", 500, 200, 300],
    ],
    "HealthProtection": [["scheme_id", "total", "men", "women"], ["S1", 2000, 1100, 900]],
    "NonNationals": [
        ["scheme_id", "measure", "benefit_type", "nationality", "total", "men", "women"],
        ["S1", "active_contributors", None, "national", 950, 570, 380],
        ["S1", "active_contributors", None, "non_national", 50, 30, 20],
    ],
    "LegalProvisions": [
        ["scheme_id", "equality_of_treatment", "export_of_benefits", "agreements_in_force", "notes"],
        ["S1", "full", "yes", 3, None],
        ["S2", "partial", "no", 0, "residence condition"],
    ],
}


def write_return(
    input_dir: Path, return_id: str = "GHA_2022", *, workbook: bool, tables: dict | None = None, meta=RETURN
) -> Path:
    tables = TABLES if tables is None else tables
    ssi = input_dir / "ssi"
    ssi.mkdir(parents=True, exist_ok=True)
    csv_names = {t.sheet: t.csv for t in st.TABLES} | {"Return": "return.csv"}
    everything = {"Return": [["field", "value"], *[list(r) for r in meta]], **tables}
    if workbook:
        import openpyxl

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for sheet, rows in everything.items():
            ws = wb.create_sheet(sheet)
            for row in rows:
                ws.append(row)
        path = ssi / f"{return_id}.xlsx"
        wb.save(path)
        return path
    folder = ssi / return_id
    folder.mkdir(exist_ok=True)
    for sheet, rows in everything.items():
        lines = [",".join("" if v is None else str(v) for v in row) for row in rows]
        (folder / csv_names[sheet]).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
