"""The settings resource of a test: its input and output folders (and Dagster home), every other
field at its default. Tests hand it to the runner, to a job's run configuration or to a sensor
context; they never set ``SP_*`` variables for the pipeline to find."""

from __future__ import annotations

from pathlib import Path

from assets.resources import PipelineResource


def pipeline_settings(
    input_dir: Path | str, output_dir: Path | str, dagster_home: Path | str | None = None, **fields
) -> PipelineResource:
    """``dagster_home`` defaults to ``dagster_home`` beside the output folder (the runner opens
    the instance it is given; the field only names it in the summary)."""
    home = dagster_home if dagster_home is not None else Path(output_dir).parent / "dagster_home"
    return PipelineResource(input_dir=str(input_dir), output_dir=str(output_dir), dagster_home=str(home), **fields)
