"""Statistical engine: readers, harmonisation, validation, SQL runner and survey variance.

Nothing here imports Dagster: the asset layer (``assets/``) calls these functions, and tests
can call them directly.
"""
