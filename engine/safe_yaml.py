"""Read untrusted YAML (survey specs, ``sources.yaml``) within bounds: at most
``YAML_MAX_BYTES`` of text and ``YAML_MAX_NODES`` nodes once aliases are expanded (an alias
counts as the whole subtree it repeats), so a "billion laughs" document is refused before it
is built, and a recursive alias is refused outright. Values are built by PyYAML's safe loader
(no Python objects). Errors raise ``SourceError`` naming the file, the line and the rule
(``yaml``, ``yaml_size``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine.errors import SourceError
from engine.limits import YAML_MAX_BYTES, YAML_MAX_NODES


class _TooLarge(yaml.YAMLError):
    pass


def _expanded_size(root: yaml.Node) -> int:
    """Nodes of the document with every alias expanded (memoised per node, iterative)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = (
            [c for pair in node.value for c in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
            if isinstance(node, yaml.SequenceNode)
            else []
        )
        if done:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > YAML_MAX_NODES:
                raise _TooLarge(f"more than {YAML_MAX_NODES:,} values once aliases (*name) are expanded")
            continue
        if key in open_:
            raise _TooLarge("a recursive alias (an anchor used inside itself)")
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses a document over ``YAML_MAX_NODES`` once aliases are
    expanded (subclass it to change scalar resolution, as the spec reader does).
    """

    def compose_document(self) -> yaml.Node:
        """Compose the document and refuse it when its aliases expand beyond the size limit."""
        node = super().compose_document()
        if node is not None:
            _expanded_size(node)
        return node


def load_yaml_text(text: str, *, file: str, loader: type[BoundedLoader] = BoundedLoader) -> Any:
    """The document in ``text`` (see the module docstring); ``file`` is named in errors."""
    if len(text.encode("utf-8")) > YAML_MAX_BYTES:
        raise SourceError(file, f"YAML file larger than {YAML_MAX_BYTES:,} bytes", rule="yaml_size")
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except _TooLarge as exc:
        raise SourceError(file, f"YAML refused: {exc}", rule="yaml_size") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SourceError(file, f"invalid YAML: {problem}", where=where, rule="yaml") from None
    except RecursionError:
        raise SourceError(file, "invalid YAML: nested too deeply", rule="yaml") from None


def load_yaml_file(path: Path, *, file: str | None = None, loader: type[BoundedLoader] = BoundedLoader) -> Any:
    """``load_yaml_text`` of a file (its size is checked before it is read; the caller has
    confined the path with ``engine.paths``).
    """
    shown = file or str(path)
    size = Path(path).stat().st_size
    if size > YAML_MAX_BYTES:
        raise SourceError(shown, f"YAML file of {size:,} bytes, larger than {YAML_MAX_BYTES:,}", rule="yaml_size")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(shown, f"not UTF-8 text ({exc.reason} at byte {exc.start})", rule="yaml") from None
    return load_yaml_text(text, file=shown, loader=loader)
