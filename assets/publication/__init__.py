"""Publication layer assets (issue 5): country values, aggregates with imputation, the flagship
tables, SDMX export, figures, revisions, quality suites with Data Docs, and the DuckDB catalog.
``PUBLICATION_ASSETS`` lists them, ``PUBLICATION_CHECKS`` the checks of the suites (each on the
table it validates).
"""

from assets.publication.aggregates import aggregates, country_values
from assets.publication.catalog import catalog
from assets.publication.comparison import aggregate_comparison
from assets.publication.exports import figures, report_tables, revisions, sdg_sdmx
from assets.publication.groups import groups_publication
from assets.publication.quality import GATE_CHECKS, quality_reports, suite_checks
from assets.publication.tables import annex, gaps, headline

PUBLICATION_ASSETS = [
    country_values,
    aggregates,
    aggregate_comparison,
    headline,
    annex,
    gaps,
    sdg_sdmx,
    report_tables,
    figures,
    revisions,
    quality_reports,
    catalog,
    groups_publication,
]
PUBLICATION_CHECKS = [*GATE_CHECKS, suite_checks]
