"""The publication layer: regional and global aggregates of the country indicators, the flagship
tables (headline, statistical annex, gaps), the SDMX-CSV export, figures, quality suites,
revisions against the previously published vintage, disclosure control and the DuckDB catalog.

Method constants come from ``config/methods/publication.yaml`` (:mod:`.config`); the aggregation
and imputation arithmetic is ``sql/aggregates.sql`` (:mod:`.aggregates`). Every function here
takes and returns Polars frames (or writes one file) so that the Dagster assets in
``assets/publication/`` stay thin.
"""
