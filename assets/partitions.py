"""Partitions: each survey and each SSI return is its own partition, added when its files
appear in the input directory (by the sensor or the main command).
"""

from __future__ import annotations

import dagster as dg

SURVEYS = dg.DynamicPartitionsDefinition(name="surveys")
SSI_RETURNS = dg.DynamicPartitionsDefinition(name="ssi_returns")
