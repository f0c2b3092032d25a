"""A census-size canonical person table written to one Parquet file in bounded memory.

Tens or hundreds of millions of persons, for benchmarks of the survey engine on files larger than
memory::

    write_census(Path("benchmarks/work/census.parquet"), "GHA", n_persons=100_000_000, seed=1)

The file is the union of ``ceil(n_persons / chunk_persons)`` independent samples of the country's
design (``synthetic.survey.simulate``), each generated, written as row groups and released before
the next, so memory stays that of one chunk (about 1.6 GB for 5 million persons). The samples
share the strata (region x urban/rural); each brings its own PSUs and households, whose codes are
prefixed with the sample's number (``003-00017``), so PSUs stay distinct across samples. Every
sample is post-stratified to the whole population, so person and household weights are divided
by the number of samples: the file's weights add up to the population. ``source_row`` numbers the
rows of the whole file. Same arguments, same file.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from synthetic.countries import PROFILES
from synthetic.survey import canonical_frame, rng_for, simulate

CHUNK_PERSONS = 5_000_000


def census_chunk(
    country: str, year: int, n_persons: int, seed: int, chunk: int, chunks: int, first_row: int
) -> pl.DataFrame:
    """Sample ``chunk`` (0-based) of ``chunks`` of a census: ``n_persons`` persons, codes
    prefixed with the sample's number, weights divided by ``chunks``, rows numbered from
    ``first_row``.
    """
    profile = PROFILES[country]
    sample = simulate(profile, year, n_persons, rng_for(seed, "census", country, year, chunk))
    frame = canonical_frame(sample, f"{country}_CENSUS_{year}", "CENSUS")
    prefix = f"{chunk + 1:03d}-"
    return frame.with_columns(
        (pl.lit(prefix) + pl.col("psu")).alias("psu"),
        (pl.lit(prefix) + pl.col("hh_id")).alias("hh_id"),
        pl.col("person_weight") / chunks,
        pl.col("household_weight") / chunks,
        pl.col("source_row") + (first_row - 1),
    )


def write_census(
    path: Path,
    country: str = "GHA",
    n_persons: int = 100_000_000,
    seed: int = 1,
    *,
    year: int | None = None,
    chunk_persons: int = CHUNK_PERSONS,
) -> Path:
    """Write a census of ``n_persons`` persons of ``country`` to ``path`` (one Parquet file,
    zstd, row groups of at most one million rows) chunk by chunk; returns ``path``. An existing
    file is replaced only when the whole census is written (temporary file, then rename).
    """
    year = year or PROFILES[country].default_year
    chunks = math.ceil(n_persons / chunk_persons)
    sizes = [n_persons // chunks + (1 if k < n_persons % chunks else 0) for k in range(chunks)]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    writer = None
    try:
        first_row = 1
        for k, size in enumerate(sizes):
            table = census_chunk(country, year, size, seed, k, chunks, first_row).to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(partial, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
            first_row += size
            del table
        writer.close()
        writer = None
        partial.replace(path)
    finally:
        if writer is not None:
            writer.close()
        partial.unlink(missing_ok=True)
    return path
