"""Benchmark: survey estimation of every SDG 1.3.1 series x sex x nationality domain with
design-based standard errors, this project's SQL engine against the ``svy`` package, measured in
the same run on the same generated microdata.

    python benchmarks/survey_estimation.py                 # 1M and 10M persons
    python benchmarks/survey_estimation.py --sizes 200000  # a quick run

Persons come from the project's generator ``synthetic.survey.generate_persons`` (canonical
columns, stratified cluster design), written once to ``benchmarks/work/`` (git-ignored).
Each side runs in its own process: wall time of the process (imports and reading the Parquet
file included) and its peak resident memory (``ru_maxrss`` from ``wait4``, which counts native
allocations of DuckDB and Polars). The script fails unless both sides give the same estimates
and SEs for the same set of domains (relative difference at most 1e-9), and writes
``benchmarks/results/survey_estimation.md``.

The peer computes, for each series, the domain means of the covered flag over the series
population (svy ``mean(y, by=..., where=population, drop_nulls=True)``) for the total, by sex,
by nationality and by sex x nationality: 4 calls per series. The engine runs with the edition's
age-group and area breakdowns switched off, so that both compute the same estimands; it also
computes the gender and nationality gaps with their design-based SEs in the same pass, which
the peer does not. One more engine run with the edition's breakdowns on shows the cost of the
full pipeline output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
RESULTS = ROOT / "benchmarks" / "results" / "survey_estimation.md"
PENSION_AGE = {"F": 60, "M": 65}
SERIES = ("SI_COV_BENFTS", "SI_COV_CHLD", "SI_COV_MATNL", "SI_COV_DISAB", "SI_COV_UEMP", "SI_COV_PENSN", "SI_COV_VULN", "SI_COV_POOR", "SI_COV_WKINJRY", "SP_CONTRIB_LF", "SP_CONTRIB_WAP", "SP_HEALTH_PROT")


def generate(n: int, seed: int) -> Path:
    """Write ``n`` generated persons (the project's generator) to Parquet, once."""
    from synthetic.survey import generate_persons

    path = WORK / f"persons_{n}_{seed}.parquet"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        generate_persons(country="GHA", n_persons=n, seed=seed).write_parquet(path)
    return path


def run_engine(path: Path, threads: int, breakdowns: bool) -> dict:
    import duckdb
    import polars as pl

    from engine.method_config import MethodEdition, load_method
    from engine.survey_estimation import estimate_survey

    started = time.perf_counter()
    con = duckdb.connect(config={"threads": str(threads), "preserve_insertion_order": "false"})
    method = load_method("sdg_1_3_1")
    if not breakdowns:  # the estimands of the comparison only: sex x nationality domains
        method = MethodEdition(method.family, method.edition, {**method.params, "survey": {**method["survey"], "breakdowns": []}}, method.source, method.sha256)
    result = estimate_survey(
        con, path, pl.DataFrame({"sex": ["F", "M"], "age": [PENSION_AGE["F"], PENSION_AGE["M"]]}),
        method, load_method("survey_estimation"),
    )
    elapsed = time.perf_counter() - started
    est = result.estimates.filter((pl.col("age_group") == "T") & (pl.col("urban_rural") == "T"))
    rows = [
        {"series": r["series"], "sex": r["sex"], "nationality": r["nationality"], "est": r["value"] / 100, "se": r["se"] / 100}
        for r in est.iter_rows(named=True)
    ]
    return {
        "seconds": elapsed, "rows": rows, "not_computable": result.not_computable["series"].to_list(),
        "estimates": result.estimates.height, "gaps": result.gaps.height,
    }


def run_svy(path: Path, series: list[str]) -> dict:
    """The same estimands with svy: per series, population flag and covered flag as columns,
    four domain calls (total, sex, nationality, sex x nationality)."""
    import polars as pl
    import svy

    from engine.method_config import load_method

    started = time.perf_counter()
    method = load_method("sdg_1_3_1")
    child, wam = int(method["child_max_age"]), int(method["working_age_min"])
    p = pl.read_parquet(path)
    above = pl.col("age") >= pl.when(pl.col("sex") == "F").then(PENSION_AGE["F"]).otherwise(PENSION_AGE["M"])
    benefits = ["rec_child_family", "rec_maternity", "rec_sickness", "rec_disability", "rec_unemployment", "rec_oldage_contrib", "rec_oldage_noncontrib", "rec_survivors", "rec_employment_injury", "rec_social_assistance"]
    # the edition's contributor_unasked_as_no: missing outside employment counts as "no"
    unasked = pl.col("contributor").is_null() & (pl.col("lf_status").fill_null("") != "employed") & pl.lit(bool(method["survey"]["contributor_unasked_as_no"]))
    contributes = pl.when(unasked).then(False).otherwise(pl.col("contributor"))
    # contributory benefits: the contributory old-age pension and the edition's working-age list
    contributory = pl.any_horizontal("rec_oldage_contrib", *[f"rec_{t}" for t in method["contributory_benefits_working_age"]])
    labour_force = pl.col("lf_status").is_in(["employed", "unemployed"])
    # vulnerable persons covered: the edition's non-contributory benefit types (old_age: social pension)
    assisted = pl.any_horizontal(*["rec_oldage_noncontrib" if t == "old_age" else f"rec_{t}" for t in method["vulnerable_numerator_benefits"]])
    definitions = {
        "SI_COV_BENFTS": (pl.lit(True), pl.any_horizontal(contributes, *benefits)),
        "SI_COV_CHLD": (pl.col("age") <= child, pl.col("rec_child_family")),
        "SI_COV_MATNL": ((pl.col("sex") == "F") & pl.col("gave_birth"), pl.col("rec_maternity")),
        "SI_COV_DISAB": (pl.col("severe_disability"), pl.col("rec_disability")),
        "SI_COV_UEMP": ((pl.col("age") >= wam) & (pl.col("lf_status") == "unemployed"), pl.col("rec_unemployment")),
        "SI_COV_PENSN": (above, pl.col("rec_oldage_contrib") | pl.col("rec_oldage_noncontrib")),
        "SI_COV_VULN": ((pl.col("age") <= child) | (~above & ~(contributes | contributory)) | (above & ~pl.col("rec_oldage_contrib")), assisted),
        "SI_COV_POOR": (pl.col("poor"), pl.col("rec_social_assistance")),
        "SI_COV_WKINJRY": ((pl.col("age") >= wam) & (labour_force if method["wkinjry_denominator"] == "labour_force" else pl.col("lf_status") == "employed"), pl.col("injury_insured")),
        "SP_CONTRIB_LF": ((pl.col("age") >= wam) & labour_force, contributes),
        "SP_CONTRIB_WAP": (pl.col("age") >= wam, contributes),
        "SP_HEALTH_PROT": (pl.lit(True), pl.col("health_protected")),
    }
    p = p.with_columns(
        (pl.col("stratum") + "/" + pl.col("psu")).alias("psu_id"),
        *[pop.fill_null(False).alias(f"pop_{s}") for s, (pop, _) in definitions.items() if s in series],
        *[y.cast(pl.Float64).alias(f"y_{s}") for s, (_, y) in definitions.items() if s in series],
    )
    sample = svy.Sample(p, svy.Design(stratum="stratum", psu="psu_id", wgt="person_weight", singleton=svy.Singleton(svy.SingletonMethod.CENTER)))
    rows = []
    for s in series:
        for by in (None, ["sex"], ["nationality"], ["sex", "nationality"]):
            if s == "SI_COV_MATNL" and (by is None or by == ["nationality"]):
                continue  # women-only series: the engine gives its female domains only
            est = sample.estimation.mean(f"y_{s}", by=by, where=pl.col(f"pop_{s}"), drop_nulls=True).to_polars()
            for r in est.iter_rows(named=True):
                if by and any(r[b] is None for b in by):
                    continue  # nationality missing: in the engine's nationality 'T' domains only
                rows.append({"series": s, "sex": r.get("sex", "T"), "nationality": r.get("nationality", "T"), "est": r["est"], "se": r["se"]})
    return {"seconds": time.perf_counter() - started, "rows": rows}


def measure(side: str, path: Path, series: list[str] | None = None) -> dict:
    """Run one side in a fresh process; return its result with wall time and peak memory."""
    out = WORK / f"result_{side}_{path.stem}.json"
    cmd = [sys.executable, __file__, "--child", side, "--data", str(path), "--out", str(out)]
    if series:
        cmd += ["--series", ",".join(series)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{side} failed on {path}")
    result = json.loads(out.read_text())
    result["process_seconds"] = wall
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def compare(ours: dict, peer: dict) -> float:
    """Largest relative difference of estimates and SEs; both sides must give the same domains."""
    key = lambda r: (r["series"], r["sex"], r["nationality"])  # noqa: E731
    mine = {key(r): r for r in ours["rows"]}
    theirs = {key(r): r for r in peer["rows"]}
    if mine.keys() != theirs.keys():
        raise AssertionError(f"domains differ: engine only {sorted(mine.keys() - theirs.keys())}, svy only {sorted(theirs.keys() - mine.keys())}")
    return max(abs(mine[k][f] - theirs[k][f]) / max(abs(theirs[k][f]), 1e-300) for k in theirs for f in ("est", "se"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--child")
    parser.add_argument("--data")
    parser.add_argument("--out")
    parser.add_argument("--series")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:  # engine-<threads>[-full] or svy
        path = Path(args.data)
        if args.child.startswith("engine"):
            parts = args.child.split("-")
            result = run_engine(path, int(parts[1]), breakdowns=parts[-1] == "full")
        else:
            result = run_svy(path, args.series.split(","))
        Path(args.out).write_text(json.dumps(result))
        return 0

    cores = os.cpu_count()
    lines = [
        "# Survey estimation benchmark",
        "",
        f"Run {datetime.now(timezone.utc).isoformat(timespec='seconds')} on {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
        f"seed {args.seed}. `python benchmarks/survey_estimation.py` reproduces it.",
        "",
        "Every SDG 1.3.1 series x {total, sex, nationality, sex x nationality} with Taylor-linearised SEs "
        "(stratified cluster design), on persons from `synthetic.survey.generate_persons`. Each side runs in its own process: "
        "wall time of the process (imports and reading the Parquet file included; in brackets the estimation call alone) "
        "and peak resident memory of the process (`ru_maxrss`).",
        "",
        f"| persons | PSUs / strata | engine, 1 thread (s) | engine, {cores} threads (s) | svy (s) | speed-up 1 / {cores} threads "
        f"| peak MB engine 1 / {cores} threads | peak MB svy | estimates compared | max relative difference |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    full_rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        path = generate(n, args.seed)
        single = measure("engine-1", path)
        multi = measure(f"engine-{cores}", path)
        series = [s for s in SERIES if s not in single["not_computable"]]
        peer = measure("svy", path, series)
        worst = max(compare(single, peer), compare(multi, peer))
        full = measure("engine-1-full", path)
        design = _design(path)
        row = (
            f"| {n:,} | {design} | {single['process_seconds']:.1f} ({single['seconds']:.1f}) | {multi['process_seconds']:.1f} ({multi['seconds']:.1f}) "
            f"| {peer['process_seconds']:.1f} ({peer['seconds']:.1f}) "
            f"| {peer['process_seconds'] / single['process_seconds']:.1f}x / {peer['process_seconds'] / multi['process_seconds']:.1f}x "
            f"| {single['peak_rss_mb']:.0f} / {multi['peak_rss_mb']:.0f} | {peer['peak_rss_mb']:.0f} | {len(peer['rows'])} | {worst:.1e} |"
        )
        full_rows.append(f"| {n:,} | {full['process_seconds']:.1f} ({full['seconds']:.1f}) | {full['peak_rss_mb']:.0f} | {full['estimates']:,} | {full['gaps']:,} |")
        print(row, full_rows[-1], flush=True)
        lines.append(row)
        if worst > 1e-9:
            print(f"estimates differ by {worst:.2e} (> 1e-9)", file=sys.stderr)
            return 1
    lines += [
        "",
        "The engine also computes the gender and nationality gaps with design-based SEs in the same call; svy computes the "
        "domain estimates only (4 `mean` calls per series). Series not computable from the generated survey are left out "
        "on both sides. The pipeline runs survey estimation with one DuckDB thread per partition (`SP_ESTIMATION_THREADS=1`), "
        "which sums in a fixed order so that re-runs are bit-for-bit identical; with more threads the sums are reordered and "
        "results can differ in the last digits.",
        "",
        "Full pipeline output (edition ILO-2024: sex x nationality also by age group and by urban/rural, with gaps), engine, 1 thread:",
        "",
        "| persons | engine (s) | peak MB | estimates | gaps |",
        "|---|---|---|---|---|",
        *full_rows,
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")
    return 0


def _design(path: Path) -> str:
    import duckdb

    psus, strata = duckdb.connect().read_parquet(str(path)).aggregate("COUNT(DISTINCT (stratum, psu)), COUNT(DISTINCT stratum)").fetchall()[0]
    return f"{psus:,} / {strata}"


if __name__ == "__main__":
    sys.exit(main())
