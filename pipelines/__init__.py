"""Dagster wiring: the one Definitions object, resources, IO managers, jobs, schedules, sensors, and the main command that runs them."""
