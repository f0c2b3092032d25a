"""Find the surveys and SSI returns in the input directory and fingerprint them by content.

A fingerprint is the SHA-256 of the names and contents of a source's files, so a touched but
unchanged file keeps its fingerprint and an edited one gets a new one (the sensor relies on
this to re-run only what changed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from engine.ssi import discover_returns, return_files
from engine.store import sha256_file

SPEC_FILE = "spec.yaml"


@dataclass(frozen=True)
class Source:
    kind: str            # "survey" or "ssi"
    source_id: str
    path: Path           # survey folder, SSI workbook or SSI folder
    files: tuple[Path, ...]

    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for f in self.files:
            h.update(f.name.encode())
            h.update(sha256_file(f).encode())
        return h.hexdigest()

    def file_records(self, root: Path) -> list[dict[str, object]]:
        """Path (relative to the input directory), size and SHA-256 of every file."""
        out = []
        for f in self.files:
            try:
                shown = str(f.resolve().relative_to(root.resolve()))
            except ValueError:
                shown = str(f)
            out.append({"path": shown, "bytes": f.stat().st_size, "sha256": sha256_file(f)})
        return out


def discover_surveys(input_dir: Path) -> dict[str, Source]:
    """Survey id -> source, for every ``surveys/<id>/spec.yaml``."""
    base = input_dir / "surveys"
    found = {}
    if base.is_dir():
        for spec in sorted(base.glob(f"*/{SPEC_FILE}")):
            folder = spec.parent
            files = tuple(sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")))
            found[folder.name] = Source("survey", folder.name, folder, files)
    return found


def discover_ssi(input_dir: Path) -> dict[str, Source]:
    """Return id -> source, for every workbook or CSV folder under ``ssi/``."""
    return {rid: Source("ssi", rid, path, tuple(return_files(path))) for rid, path in discover_returns(input_dir / "ssi").items()}


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it, else as given (for messages and lineage)."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
