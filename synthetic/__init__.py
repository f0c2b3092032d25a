"""Seeded synthetic inputs for the pipeline.

``python -m synthetic --out data/raw --seed 20261124`` regenerates every synthetic file of
``data/raw`` (surveys and specs, SSI returns, context, UHC and reference tables) and copies the
real ones; ``synthetic.survey.generate_persons`` draws a canonical person table of any size for
benchmarks. Calibration targets and assumptions: ``synthetic.countries``.
"""
