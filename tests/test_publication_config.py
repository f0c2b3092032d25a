"""docs/publication.md states the thresholds of the edition it documents: withholding
(min_reported_share), the E status (low_coverage_share), the line-up window after the reference
year and the imputation order. A change of the edition that the docs do not follow fails here."""

from __future__ import annotations

import re
from pathlib import Path

from engine.method_config import load_method
from engine.publication.config import publication_config

DOCS = Path(__file__).resolve().parent.parent / "docs" / "publication.md"


def test_the_docs_agree_with_the_edition_on_withholding_status_and_line_up():
    config = publication_config(load_method("publication"))
    text = DOCS.read_text(encoding="utf-8")
    stated = re.search(r"The edition (\S+)\s+sets `min_reported_share: ([0-9.]+)`: it withholds (\w+)", text)
    assert stated, "docs/publication.md must state the edition's min_reported_share"
    assert stated.group(1) == config.edition.edition
    assert float(stated.group(2)) == config.min_reported_share
    assert (stated.group(3) == "nothing") == (config.min_reported_share == 0)
    status = re.search(r"`low_coverage_share` \((\d+)%\)", text)
    assert status and int(status.group(1)) / 100 == config.low_coverage_share
    after = re.search(r"else of a year in `\(T, T \+ (\d+)\]`", text)
    assert after and int(after.group(1)) == config.window_after_years
    order = re.search(
        r"first group with at least (\d+) of them, in the order income group x SDG region, SDG region, income\s+group",
        text,
    )
    assert order and [lv for lv, _ in config.imputation_levels] == [
        "income_group_x_sdg_region",
        "sdg_region",
        "income_group",
        "world",
    ]
    assert int(order.group(1)) == config.imputation_levels[0][1]
