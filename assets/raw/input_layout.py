"""Raw layer, the input directory itself: what sits where a source is expected but is not one
(``engine.sources.layout_problems``: a folder without its spec or ``return.csv``, an id
outside the pattern, a symbolic link leaving the input directory, a FIFO, a stray file), and
every ``sources.yaml`` of ``context/``, ``uhc/`` and ``reference/`` that cannot be read. Each
is recorded as left out (``failures/layout/``, shown in the run summary and in
``publication/sources``) instead of being silently ignored.
"""

import dagster as dg
import polars as pl

from assets.resources import PipelineResource
from assets.source_steps import record_left_out
from assets.tables import asset_key
from engine.context import declared_sources
from engine.errors import SourceError
from engine.sources import LeftOut, layout_problems
from schemas.registry import RAW

DECLARING_FOLDERS = ("context", "uhc", "reference")
INPUT_LAYOUT = RAW.input_layout


def input_problems(input_dir) -> list[LeftOut]:
    """Layout problems of ``surveys/`` and ``ssi/``, and unreadable ``sources.yaml`` files."""
    problems = layout_problems(input_dir)
    for folder in DECLARING_FOLDERS:
        try:
            declared_sources(input_dir, folder)
        except SourceError as err:
            problem = (
                (f"{err.where}: " if err.where else "")
                + err.problem
                + "; the vintages of this folder's files read undeclared"
            )
            problems.append(LeftOut("context", f"{folder}/sources.yaml", problem, err.rule or "yaml"))
    return problems


@dg.asset(
    key=asset_key(INPUT_LAYOUT),
    group_name=INPUT_LAYOUT.layer,
    kinds={"parquet"},
    description=INPUT_LAYOUT.description,
)
def input_layout(context: dg.AssetExecutionContext, pipeline: PipelineResource) -> dg.Output[pl.DataFrame]:
    """What sits in the input directory where no source belongs, recorded as left out."""
    store = pipeline.store()
    problems = input_problems(pipeline.input_path)
    record_left_out(store, problems, run_id=context.run_id, step=INPUT_LAYOUT.name)
    for p in problems:
        context.log.error(f"{p.source_kind} {p.path} left out of this run: {p.message}")
    frame = pl.DataFrame(
        [{"source_kind": p.source_kind, "path": p.path, "problem": p.problem, "rule": p.rule} for p in problems],
        schema=INPUT_LAYOUT.polars_schema(),
    )
    return dg.Output(frame, metadata={"left_out": len(problems)})
