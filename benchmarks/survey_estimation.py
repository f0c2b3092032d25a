"""Benchmark: survey estimation of every SDG 1.3.1 series x sex x nationality domain with
design-based standard errors, this project's SQL engine against the ``svy`` package, measured in
the same run on the same generated microdata.

    python benchmarks/survey_estimation.py                 # 1M and 10M persons
    python benchmarks/survey_estimation.py --sizes 200000  # a quick run

Each side runs in its own process (wall time and peak resident memory of that process, from
``wait4``). The script checks that both give the same estimates and SEs (relative difference
below 1e-9) and writes ``benchmarks/results/survey_estimation.md``.

The peer computes, for each series, the domain means of the covered flag over the series
population (svy ``mean(y, by=..., where=population, drop_nulls=True)``) for the total, by sex,
by nationality and by sex x nationality. The engine runs with the edition's age-group and area
breakdowns switched off, so that both compute the same estimands; it also computes the gender
and nationality gaps with their design-based SEs in the same pass, which the peer does not.
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
SERIES = ("SI_COV_BENFTS", "SI_COV_CHLD", "SI_COV_DISAB", "SI_COV_UEMP", "SI_COV_PENSN", "SI_COV_VULN", "SI_COV_POOR", "SI_COV_WKINJRY", "SP_CONTRIB_LF", "SP_CONTRIB_WAP", "SP_HEALTH_PROT", "SI_COV_MATNL")


def generate(n: int, seed: int) -> Path:
    """Write ``n`` generated persons (the project's generator) to Parquet, once."""
    import polars as pl

    from synthetic.survey import generate_persons

    path = WORK / f"persons_{n}.parquet"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        frame: pl.DataFrame = generate_persons(country="GHA", n_persons=n, seed=seed)
        frame.write_parquet(path)
    return path


def run_engine(path: Path) -> dict:
    import duckdb
    import polars as pl

    from engine.method_config import load_method
    from engine.survey_estimation import estimate_survey

    started = time.perf_counter()
    con = duckdb.connect(config={"threads": "1", "preserve_insertion_order": "false"})
    method = load_method("sdg_1_3_1")
    # The estimands of the comparison only: sex x nationality domains, no age or area breakdowns.
    method = type(method)(method.family, method.edition, {**method.params, "breakdowns": []}, method.source, method.sha256)
    result = estimate_survey(
        con, str(path), pl.DataFrame({"sex": ["F", "M"], "age": [PENSION_AGE["F"], PENSION_AGE["M"]]}),
        method, load_method("survey_estimation"),
    )
    elapsed = time.perf_counter() - started
    est = result.estimates.filter((pl.col("age_group") == "T") & (pl.col("urban_rural") == "T"))
    rows = [
        {"series": r["series"], "sex": r["sex"], "nationality": r["nationality"], "est": r["value"] / 100, "se": r["se"] / 100}
        for r in est.iter_rows(named=True)
    ]
    return {"seconds": elapsed, "rows": rows, "not_computable": result.not_computable["series"].to_list()}


def run_svy(path: Path, series: list[str]) -> dict:
    """The same estimands with svy: per series, population flag and covered flag as columns,
    four domain calls (total, sex, nationality, sex x nationality)."""
    import polars as pl
    import svy

    from engine.method_config import load_method

    started = time.perf_counter()
    method = load_method("sdg_1_3_1")
    child, wam = int(method["child_max_age"]), int(method["working_age_min"])
    lf_denominator = method["wkinjry_denominator"] == "labour_force"
    p = pl.read_parquet(path)
    pension_age = pl.when(pl.col("sex") == "F").then(PENSION_AGE["F"]).otherwise(PENSION_AGE["M"])
    above = pl.col("age") >= pension_age
    benefits = ["rec_child_family", "rec_maternity", "rec_sickness", "rec_disability", "rec_unemployment", "rec_oldage_contrib", "rec_oldage_noncontrib", "rec_survivors", "rec_employment_injury", "rec_social_assistance"]
    contributory = pl.any_horizontal("rec_oldage_contrib", "rec_sickness", "rec_maternity", "rec_unemployment", "rec_employment_injury", "rec_survivors")
    definitions = {
        "SI_COV_BENFTS": (pl.lit(True), pl.any_horizontal("contributor", *benefits)),
        "SI_COV_CHLD": (pl.col("age") <= child, pl.col("rec_child_family")),
        "SI_COV_MATNL": ((pl.col("sex") == "F") & pl.col("gave_birth"), pl.col("rec_maternity")),
        "SI_COV_DISAB": (pl.col("severe_disability"), pl.col("rec_disability")),
        "SI_COV_UEMP": (pl.col("lf_status") == "unemployed", pl.col("rec_unemployment")),
        "SI_COV_PENSN": (above, pl.col("rec_oldage_contrib") | pl.col("rec_oldage_noncontrib")),
        "SI_COV_VULN": ((pl.col("age") <= child) | (~above & ~(pl.col("contributor") | contributory)) | (above & ~pl.col("rec_oldage_contrib")), pl.col("rec_social_assistance")),
        "SI_COV_POOR": (pl.col("poor"), pl.col("rec_social_assistance")),
        "SI_COV_WKINJRY": ((pl.col("lf_status") == "employed") | (pl.lit(lf_denominator) & (pl.col("lf_status") == "unemployed")), pl.col("injury_insured")),
        "SP_CONTRIB_LF": ((pl.col("age") >= wam) & pl.col("lf_status").is_in(["employed", "unemployed"]), pl.col("contributor")),
        "SP_CONTRIB_WAP": (pl.col("age") >= wam, pl.col("contributor")),
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
                continue  # women-only series: published for women only
            est = sample.estimation.mean(f"y_{s}", by=by, where=pl.col(f"pop_{s}"), drop_nulls=True).to_polars()
            for r in est.iter_rows(named=True):
                rows.append({"series": s, "sex": r.get("sex", "T") if by and "sex" in by else "T", "nationality": r.get("nationality", "T") if by and "nationality" in by else "T", "est": r["est"], "se": r["se"]})
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
    key = lambda r: (r["series"], r["sex"], r["nationality"])  # noqa: E731
    mine = {key(r): r for r in ours["rows"]}
    worst = 0.0
    for r in peer["rows"]:
        m = mine[key(r)]
        for field in ("est", "se"):
            a, b = m[field], r[field]
            worst = max(worst, abs(a - b) / max(abs(b), 1e-300))
    return worst


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
    if args.child:
        path = Path(args.data)
        result = run_engine(path) if args.child == "engine" else run_svy(path, args.series.split(","))
        Path(args.out).write_text(json.dumps(result))
        return 0

    lines = [
        "# Survey estimation benchmark",
        "",
        f"Run {datetime.now(timezone.utc).isoformat(timespec='seconds')} on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Every SDG 1.3.1 series x {total, sex, nationality, sex x nationality} with Taylor-linearised SEs "
        "(stratified cluster design), on persons from `synthetic.survey.generate_persons`. Each side runs in its own process; "
        "peak memory is the process's maximum resident set. `python benchmarks/survey_estimation.py` reproduces it.",
        "",
        "| persons | engine (s) | svy (s) | speed-up | engine peak (MB) | svy peak (MB) | estimates compared | max relative difference |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n in (int(x) for x in args.sizes.split(",")):
        path = generate(n, args.seed)
        ours = measure("engine", path)
        series = [s for s in SERIES if s not in ours["not_computable"]]
        peer = measure("svy", path, series)
        worst = compare(ours, peer)
        ratio = peer["process_seconds"] / ours["process_seconds"]
        row = f"| {n:,} | {ours['process_seconds']:.1f} | {peer['process_seconds']:.1f} | {ratio:.1f}x | {ours['peak_rss_mb']:.0f} | {peer['peak_rss_mb']:.0f} | {len(peer['rows'])} | {worst:.1e} |"
        print(row, flush=True)
        lines.append(row)
        if worst > 1e-9:
            print(f"estimates differ by {worst:.2e} (> 1e-9)", file=sys.stderr)
            return 1
    lines += [
        "",
        "Wall times include starting the process (imports) and reading the Parquet file. The engine runs with the age-group and "
        "area breakdowns switched off (the estimands of the comparison) and also computes the gender and nationality gaps "
        "with design-based SEs; svy computes the domain estimates only.",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
