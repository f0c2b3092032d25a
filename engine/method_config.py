"""Versioned method configuration (``config/methods/<family>.yaml``).

Each file holds named editions of one indicator family's method constants (thresholds, age bands,
denominator choices, reliability rules) and names its default edition::

    family: sdg_1_3_1
    default_edition: ILO-2024
    editions:
      ILO-2024:
        description: ...
        child_max_age: 15
        ...

Every output row records the edition it was computed with (``method_edition``), as
``<family>:<edition>``.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib.resources
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The ``config`` package: the project folder in a clone or editable install, site-packages from a wheel.
CONFIG_DIR = Path(str(importlib.resources.files("config")))
METHODS_DIR = CONFIG_DIR / "methods"

# The method families, one file ``config/methods/<family>.yaml`` each (tests/test_table_names.py
# checks both ways). Code names a family by these constants; an indicator family's name is also
# the name of its published table (``indicators/sdg_1_3_1``) and of ``family`` in the publication.
SDG_1_3_1 = "sdg_1_3_1"
SDG_3_8_1 = "sdg_3_8_1"
SDG_3_8_2 = "sdg_3_8_2"
GROUPS_AT_RISK = "groups_at_risk"
SURVEY_ESTIMATION = "survey_estimation"
PUBLICATION = "publication"
FAMILIES = (SDG_1_3_1, SDG_3_8_1, SDG_3_8_2, GROUPS_AT_RISK, SURVEY_ESTIMATION, PUBLICATION)


class MethodConfigError(ValueError):
    """A method configuration file is missing, malformed or lacks the requested edition."""


@dataclass(frozen=True)
class MethodEdition:
    """One edition of a method family as loaded from ``config/methods/<family>.yaml``: its
    parameters, the file it came from and that file's SHA-256.
    """

    family: str
    edition: str
    params: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    sha256: str = ""

    @property
    def label(self) -> str:
        """The value written to the ``method_edition`` column."""
        return f"{self.family}:{self.edition}"

    def __getitem__(self, key: str) -> Any:
        try:
            return self.params[key]
        except KeyError:
            raise MethodConfigError(f"{self.source}: edition '{self.edition}' has no parameter '{key}'") from None

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter ``key`` of the edition, ``default`` when the edition does not set it."""
        return self.params.get(key, default)


def available_families(methods_dir: Path = METHODS_DIR) -> list[str]:
    """Names of the method families in ``methods_dir`` (one YAML file each), sorted."""
    return sorted(p.stem for p in methods_dir.glob("*.yaml"))


@functools.lru_cache(maxsize=32)
def _document(raw: bytes) -> Any:
    """The YAML document in ``raw``, parsed once per content (every asset, sensor tick and test
    loads editions; parsing a method file takes tens of milliseconds). The document is shared:
    callers copy what they hand out.
    """
    return yaml.safe_load(raw)


def load_method(family: str, edition: str | None = None, methods_dir: Path = METHODS_DIR) -> MethodEdition:
    """Load one edition (the file's default when ``edition`` is None) of a method family."""
    path = methods_dir / f"{family}.yaml"
    if not path.exists():
        raise MethodConfigError(f"no method configuration {path} (families: {available_families(methods_dir)})")
    raw = path.read_bytes()
    doc = _document(raw)
    if not isinstance(doc, dict) or "editions" not in doc:
        raise MethodConfigError(f"{path}: expected keys 'family', 'default_edition', 'editions'")
    chosen = edition or doc.get("default_edition")
    editions = doc["editions"] or {}
    if chosen not in editions:
        raise MethodConfigError(f"{path}: no edition '{chosen}' (editions: {sorted(editions)})")
    return MethodEdition(
        family=doc.get("family", family),
        edition=str(chosen),
        params=copy.deepcopy(dict(editions[chosen] or {})),  # the parsed document is shared
        source=str(path),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
