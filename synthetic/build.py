"""Build every bundled input of ``data/raw`` into an output folder, deterministically.

``build_inputs(out, seed)`` copies the real files (``synthetic.real_files``), then writes the
synthetic surveys and their specs, the AUT_SILC_2006 spec, the context tables, the SSI returns,
the UHC tracers and the reference tables, each folder with its ``sources.yaml`` (surveys/ and
ssi/ included). The same seed gives byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from synthetic.context import write_context
from synthetic.population import Population
from synthetic.real_files import BUNDLE_DIR, copy_real_files
from synthetic.reference import write_reference
from synthetic.silc import silc_sources, write_silc_spec
from synthetic.ssi import Return, write_ssi
from synthetic.survey_files import WrittenSurvey, survey_sources, write_survey_sources, write_surveys
from synthetic.uhc import write_uhc

DEFAULT_SEED = 20261124
MIN_PERSONS = 100  # below about 60 persons some strata get no household (the draw fails)


@dataclass(frozen=True)
class Build:
    """What was written: the synthetic surveys and the SSI returns with their known issues."""

    surveys: list[WrittenSurvey]
    returns: list[tuple[Return, list[str]]]


def build_inputs(
    out: Path,
    seed: int = DEFAULT_SEED,
    *,
    real_source: Path = BUNDLE_DIR,
    upstream_layout: bool = False,
    persons_per_survey: int | None = None,
) -> Build:
    """Write the complete input folder ``out`` (see the module docstring). ``real_source`` holds
    the real files: a bundle in the data/raw layout, or with ``upstream_layout`` the shared
    reference folder. ``persons_per_survey`` sets the size of every synthetic survey (default:
    the catalogue sizes of ``synthetic.survey_files.SURVEYS``, which the bundle uses); the
    AUT_SILC_2006 file is real and keeps its size.
    """
    if persons_per_survey is not None and persons_per_survey < MIN_PERSONS:
        raise ValueError(
            f"persons_per_survey must be at least {MIN_PERSONS} (households in every stratum), got {persons_per_survey}"
        )
    out.mkdir(parents=True, exist_ok=True)
    copy_real_files(out, real_source, upstream_layout=upstream_layout)
    population = Population.load(out / "context" / "population_wpp.csv")
    surveys = write_surveys(out, seed, population, persons_per_survey)
    write_silc_spec(out)
    write_survey_sources(out, survey_sources(surveys, seed) | silc_sources())
    write_context(out, population, seed)
    returns = write_ssi(out, population, seed)
    write_uhc(out, seed)
    write_reference(out)
    return Build(surveys, returns)
