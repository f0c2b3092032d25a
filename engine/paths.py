"""What a name in the input directory may be: the one rule for source ids and for every path a
spec, an SSI return or a ``sources.yaml`` names (input contract, data/raw/README.md "Paths and
identifiers").

- A source id (survey, SSI return) matches ``SOURCE_ID``: letters, digits and underscores, at
  most 64 characters. Ids become folder and file names of the outputs, so nothing else (no
  dots, no slashes) can ever reach a path.
- A path is relative to its source folder (``surveys/<id>/``, ``ssi/<id>/``, ``context/``...),
  has no ``..`` part, and once every symbolic link is resolved it still lies inside that
  folder, which itself lies inside the input directory. It must name a regular file: a FIFO, a
  device or a folder is refused from its ``stat``, before anything opens it (opening a FIFO
  would wait forever).

``confined_file`` and ``confined_folder`` raise ``SourceError`` (rules ``path_confined``,
``regular_file``, ``file_exists``) naming the file that names the path, the key and the value.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import Literal, overload

from engine.errors import SourceError

SOURCE_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")
# A name that becomes an output file or folder name: a source id, or the name of a published
# source (``unsdg_2023-12``, ``published/<name>.csv``), which may also hold hyphens; never a
# dot or a slash.
OUTPUT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
ID_RULE = "identifier"
CONFINED_RULE = "path_confined"
REGULAR_RULE = "regular_file"


def valid_source_id(name: str) -> bool:
    """True when ``name`` may be a survey or return id (``SOURCE_ID``)."""
    return bool(SOURCE_ID.match(name))


def valid_output_name(name: str) -> bool:
    """True when ``name`` may name a source's outputs (``OUTPUT_NAME``)."""
    return bool(OUTPUT_NAME.match(name))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def confined_folder(input_dir: Path, folder: Path, *, named_in: str | None = None, where: str | None = None) -> Path:
    """The resolved ``folder`` (absolute, or relative to ``input_dir``), which must be a folder
    inside the input directory once symbolic links are resolved.
    """
    root = Path(input_dir).resolve()
    candidate = folder if folder.is_absolute() else Path(input_dir) / folder
    shown = _shown(candidate, input_dir)
    resolved = candidate.resolve()
    if not _inside(resolved, root):
        raise SourceError(
            named_in or shown,
            "the folder leaves the input directory (symbolic link)",
            where=where,
            value=shown,
            rule=CONFINED_RULE,
        )
    if not resolved.exists():
        raise SourceError(named_in or shown, "folder not found", where=where, value=shown, rule="file_exists")
    if not resolved.is_dir():
        raise SourceError(named_in or shown, "not a folder", where=where, value=shown, rule=REGULAR_RULE)
    return resolved


@overload
def confined_file(
    folder: Path,
    name: str | os.PathLike,
    *,
    named_in: str | None = None,
    where: str | None = None,
    missing_ok: Literal[False] = False,
) -> Path: ...


@overload
def confined_file(
    folder: Path,
    name: str | os.PathLike,
    *,
    named_in: str | None = None,
    where: str | None = None,
    missing_ok: bool,
) -> Path | None: ...


def confined_file(
    folder: Path,
    name: str | os.PathLike,
    *,
    named_in: str | None = None,
    where: str | None = None,
    missing_ok: bool = False,
) -> Path | None:
    """The resolved path of ``name`` (relative to the source folder ``folder``, which the
    caller has confined with ``confined_folder``): no absolute path, no ``..``, no symbolic
    link leaving ``folder``, a regular file. ``named_in``/``where``: the file and key that
    name the path, for the message (default: the path itself). With ``missing_ok`` a missing
    file gives None instead of an error.
    """
    text = os.fspath(name)
    pure = PurePosixPath(text)
    base = Path(folder).resolve()
    shown = text
    if not text or text.strip() in (".", "") or pure.is_absolute() or Path(text).is_absolute():
        raise SourceError(
            named_in or text,
            "give the path relative to its folder (absolute paths are not allowed)",
            where=where,
            value=shown,
            rule=CONFINED_RULE,
        )
    if ".." in pure.parts or ".." in Path(text).parts:
        raise SourceError(
            named_in or text,
            "the path leaves its folder ('..' is not allowed)",
            where=where,
            value=shown,
            rule=CONFINED_RULE,
        )
    candidate = base / text
    if not os.path.lexists(candidate):
        if missing_ok:
            return None
        raise SourceError(named_in or str(candidate), "file not found", where=where, value=shown, rule="file_exists")
    resolved = candidate.resolve()
    if not _inside(resolved, base):
        raise SourceError(
            named_in or str(candidate),
            f"the path leaves its folder {base.name}/ (symbolic link)",
            where=where,
            value=shown,
            rule=CONFINED_RULE,
        )
    try:
        mode = resolved.stat().st_mode
    except OSError as exc:
        raise SourceError(
            named_in or str(candidate), f"file not found ({exc.strerror})", where=where, value=shown, rule="file_exists"
        ) from None
    if not stat.S_ISREG(mode):
        raise SourceError(
            named_in or str(candidate),
            f"{_kind(mode)}, not a regular file",
            where=where,
            value=shown,
            rule=REGULAR_RULE,
        )
    return resolved


def regular_files(folder: Path, *, recursive: bool = False) -> list[Path]:
    """The regular files of ``folder`` (and of its sub-folders when ``recursive``; hidden ones
    left out) that pass ``confined_file``, sorted, for fingerprints and listings: nothing
    outside the folder and no FIFO is ever hashed.
    """
    folder = Path(folder)
    out = []
    for p in sorted(folder.rglob("*") if recursive else folder.iterdir()):
        name = p.relative_to(folder)
        if any(part.startswith(".") for part in name.parts):
            continue
        try:
            confined_file(folder, name)
        except SourceError:
            continue
        out.append(p)
    return out


def _shown(path: Path, input_dir: Path) -> str:
    try:
        # lexical (abspath, not resolve): the name the user gave, symbolic links not followed
        return str(Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(input_dir))))  # noqa: PTH100
    except ValueError:
        return str(path)
