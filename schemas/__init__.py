"""Table contracts: the canonical variables, Pandera models (Polars) and Great Expectations suites."""
