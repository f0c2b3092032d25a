"""``python -m synthetic --out data/raw --seed 20261124``: regenerate the bundled inputs.

``--persons-per-survey N`` writes every synthetic survey with N persons instead (benchmarks).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from synthetic.build import DEFAULT_SEED, MIN_PERSONS, build_inputs
from synthetic.real_files import BUNDLE_DIR


def main(argv: list[str] | None = None) -> int:
    """Build the synthetic bundle into ``--out`` (``python -m synthetic --help``); returns the exit
    code.
    """
    parser = argparse.ArgumentParser(prog="python -m synthetic", description=__doc__)
    parser.add_argument("--out", type=Path, default=BUNDLE_DIR, help="output folder (default: data/raw)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    parser.add_argument(
        "--import-reference",
        type=Path,
        metavar="DIR",
        help="copy the real files from the shared reference folder DIR (its README layout) instead of the bundle",
    )
    parser.add_argument(
        "--persons-per-survey",
        type=int,
        metavar="N",
        help="persons in every synthetic survey, e.g. 2000000 for benchmarks (default: the catalogue sizes, "
        "3000-5000, which the bundle uses; a folder written with N is not the bundle)",
    )
    args = parser.parse_args(argv)
    if args.persons_per_survey is not None and args.persons_per_survey < MIN_PERSONS:
        parser.error(f"--persons-per-survey must be at least {MIN_PERSONS}")
    source = args.import_reference or BUNDLE_DIR
    build = build_inputs(
        args.out,
        args.seed,
        real_source=source,
        upstream_layout=args.import_reference is not None,
        persons_per_survey=args.persons_per_survey,
    )
    for b in build.surveys:
        print(
            f"survey {b.survey.survey_id:14s} {b.survey.fmt:8s} {b.survey.n_persons:9,d} persons, {len(b.known_issues)} known issue(s)"
        )
    for ret, issues in build.returns:
        print(
            f"ssi    {ret.return_id:14s} {'xlsx' if ret.workbook else 'csv':8s} module={'yes' if ret.module else 'no'}, {len(issues)} known issue(s)"
        )
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
