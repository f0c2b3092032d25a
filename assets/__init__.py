"""Dagster asset definitions, by layer (raw, staging, indicators, publication), and what they share."""
