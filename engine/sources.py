"""Find the surveys and SSI returns in the input directory, fingerprint them by content, and
list what does not fit the layout.

Layout (data/raw/README.md): ``surveys/<SURVEY_ID>/spec.yaml`` (+ its data files), and under
``ssi/`` a workbook ``<RETURN_ID>.xlsx`` or a folder ``<RETURN_ID>/`` holding ``return.csv``;
``sources.yaml`` inventories, hidden files and Excel lock files (``~$...``) are not sources.
Anything else there (a folder without spec or ``return.csv``, an id outside ``SOURCE_ID``, a
symbolic link leaving the input directory, a FIFO, another kind of file) is *left out*: it is
returned by ``layout_problems`` with the rule it breaks, so that the run reports it instead of
ignoring it.

A fingerprint is the SHA-256 of the names and contents of a source's files, so a touched but
unchanged file keeps its fingerprint and an edited one gets a new one (the sensor relies on
this to re-run only what changed). Only regular files inside the source folder are hashed
(``engine.paths.regular_files``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from engine.errors import SourceError
from engine.paths import ID_RULE, SOURCE_ID, confined_file, confined_folder, regular_files, valid_source_id
from engine.store import sha256_file
from schemas.resources import ssi as st

SPEC_FILE = "spec.yaml"
INVENTORY = "sources.yaml"
WORKBOOK = ".xlsx"
LAYOUT_RULE = "layout"


@dataclass(frozen=True)
class Source:
    """One source found in the input directory: a survey folder or an SSI return, and its files."""

    kind: str  # "survey" or "ssi"
    source_id: str
    path: Path  # survey folder, SSI workbook or SSI folder
    files: tuple[Path, ...]

    def fingerprint(self) -> str:
        """SHA-256 over the names and contents of the source's files: changes when any file does."""
        h = hashlib.sha256()
        for f in self.files:
            h.update(f.name.encode())
            h.update(sha256_file(f).encode())
        return h.hexdigest()

    def file_records(self, root: Path) -> list[dict[str, object]]:
        """Path, size and SHA-256 of each of the source's files (see :func:`file_records`)."""
        return file_records(self.files, root)


@dataclass(frozen=True)
class LeftOut:
    """A file or folder where a survey or return is expected that is not one."""

    source_kind: str  # "survey" or "ssi"
    path: str  # relative to the input directory
    problem: str
    rule: str

    @property
    def record_id(self) -> str:
        """A file name for its failure record (the path may hold any character)."""
        slug = re.sub(r"[^A-Za-z0-9_]", "_", self.path)[:40]
        return f"{slug}_{hashlib.sha256(self.path.encode()).hexdigest()[:8]}"

    @property
    def message(self) -> str:
        """The problem and its rule (the path is the record's ``source_id`` and ``file``)."""
        return f"{self.problem} [rule: {self.rule}]"


def file_records(files: Iterable[Path], root: Path) -> list[dict[str, object]]:
    """Resolved path (relative to the input directory), size and SHA-256 of every file."""
    out = []
    for f in files:
        resolved = Path(f).resolve()
        try:
            shown = str(resolved.relative_to(root.resolve()))
        except ValueError:
            shown = str(resolved)
        out.append({"path": shown, "bytes": resolved.stat().st_size, "sha256": sha256_file(resolved)})
    return out


def _entries(input_dir: Path, folder: str, looks_like_source) -> list[Path]:
    """The entries of ``<folder>/`` that are sources or should be: hidden ones (``.name``) only
    when they look like a source (``looks_like_source``), so ``.DS_Store`` is not reported but
    a return named ``...xlsx`` is.
    """
    base = input_dir / folder
    if not base.is_dir():
        return []
    return [
        p
        for p in sorted(base.iterdir())
        if p.name != INVENTORY and not p.name.startswith("~$") and (not p.name.startswith(".") or looks_like_source(p))
    ]


def _problem(kind: str, input_dir: Path, path: Path, problem: str, rule: str) -> LeftOut:
    return LeftOut(kind, path.relative_to(input_dir).as_posix() + ("/" if path.is_dir() else ""), problem, rule)


def scan_surveys(input_dir: Path) -> tuple[dict[str, Source], list[LeftOut]]:
    """(survey id -> source, left out) for ``surveys/``."""
    found: dict[str, Source] = {}
    left: list[LeftOut] = []
    for path in _entries(input_dir, "surveys", lambda p: p.is_dir() and (p / SPEC_FILE).exists()):
        if not path.is_dir():
            left.append(
                _problem(
                    "survey",
                    input_dir,
                    path,
                    f"not a survey: expected a folder <SURVEY_ID>/ with {SPEC_FILE}",
                    LAYOUT_RULE,
                )
            )
            continue
        try:
            folder = confined_folder(input_dir, path)
        except SourceError as err:
            left.append(_problem("survey", input_dir, path, err.problem, err.rule or LAYOUT_RULE))
            continue
        if not valid_source_id(path.name):
            left.append(
                _problem(
                    "survey",
                    input_dir,
                    path,
                    f"a survey id has 1 to 64 letters, digits and underscores ({SOURCE_ID.pattern})",
                    ID_RULE,
                )
            )
            continue
        try:
            confined_file(folder, SPEC_FILE)
        except SourceError as err:
            problem = (
                f"a survey folder without {SPEC_FILE}" if err.rule == "file_exists" else f"{SPEC_FILE}: {err.problem}"
            )
            left.append(_problem("survey", input_dir, path, problem, err.rule or LAYOUT_RULE))
            continue
        found[path.name] = Source("survey", path.name, folder, tuple(regular_files(folder)))
    return found, left


def scan_ssi(input_dir: Path) -> tuple[dict[str, Source], list[LeftOut]]:
    """(return id -> source, left out) for ``ssi/``."""
    candidates: dict[str, list[tuple[Path, Source]]] = {}
    left: list[LeftOut] = []
    looks_like_return = lambda p: p.name.lower().endswith(WORKBOOK) or (p.is_dir() and (p / st.RETURN_CSV).exists())  # noqa: E731
    for path in _entries(input_dir, "ssi", looks_like_return):
        is_dir = path.is_dir()
        return_id = (
            path.name if is_dir else path.name[: -len(WORKBOOK)] if path.name.lower().endswith(WORKBOOK) else None
        )
        if return_id is None:
            left.append(
                _problem(
                    "ssi",
                    input_dir,
                    path,
                    f"not an SSI return: expected <RETURN_ID>{WORKBOOK} or a folder <RETURN_ID>/ with {st.RETURN_CSV}",
                    LAYOUT_RULE,
                )
            )
            continue
        if not valid_source_id(return_id):
            left.append(
                _problem(
                    "ssi",
                    input_dir,
                    path,
                    f"a return id has 1 to 64 letters, digits and underscores ({SOURCE_ID.pattern}): {return_id!r}",
                    ID_RULE,
                )
            )
            continue
        try:
            if is_dir:
                folder = confined_folder(input_dir, path)
                confined_file(folder, st.RETURN_CSV)
                source = Source(
                    "ssi", return_id, folder, tuple(f for f in regular_files(folder) if f.suffix.lower() == ".csv")
                )
            else:
                workbook = confined_file(input_dir / "ssi", path.name)
                source = Source("ssi", return_id, workbook, (workbook,))
        except SourceError as err:
            problem = f"an SSI folder without {st.RETURN_CSV}" if err.rule == "file_exists" else err.problem
            left.append(_problem("ssi", input_dir, path, problem, err.rule or LAYOUT_RULE))
            continue
        candidates.setdefault(return_id, []).append((path, source))
    found = {}
    for return_id, entries in candidates.items():
        if len(entries) == 1:
            found[return_id] = entries[0][1]
            continue
        names = " and ".join(p.name + ("/" if p.is_dir() else "") for p, _ in entries)
        left += [
            _problem("ssi", input_dir, p, f"two returns with the id {return_id} ({names}): keep one", "unique_id")
            for p, _ in entries
        ]
    return found, sorted(left, key=lambda p: p.path)


def discover_surveys(input_dir: Path) -> dict[str, Source]:
    """Survey id -> source, for every valid ``surveys/<id>/spec.yaml``."""
    return scan_surveys(input_dir)[0]


def discover_ssi(input_dir: Path) -> dict[str, Source]:
    """Return id -> source, for every valid workbook or CSV folder under ``ssi/``."""
    return scan_ssi(input_dir)[0]


def layout_problems(input_dir: Path) -> list[LeftOut]:
    """Everything under ``surveys/`` and ``ssi/`` that is not a source, with the rule."""
    return scan_surveys(input_dir)[1] + scan_ssi(input_dir)[1]


def spec_path(input_dir: Path, survey_id: str) -> Path:
    """The confined ``spec.yaml`` of a survey (raises ``SourceError``)."""
    folder = confined_folder(input_dir, Path("surveys") / survey_id)
    return confined_file(folder, SPEC_FILE)


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it, else as given (for messages and lineage)."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
