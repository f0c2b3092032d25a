"""The table declarations, one module per family (PUDL's ``metadata/resources``); each module
gives ``RESOURCES``, a list of :class:`schemas.table.Table`. ``schemas.registry`` merges them.
"""

from __future__ import annotations

from schemas.resources import context, groups, provenance, publication, sdg_1_3_1, sdg_3_8_1, sdg_3_8_2, ssi, survey

MODULES = (context, survey, ssi, sdg_1_3_1, sdg_3_8_2, sdg_3_8_1, groups, publication, provenance)
