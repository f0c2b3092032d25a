"""Limits on what one input file may hold, checked before the file is parsed, so that a hostile
or broken file fails alone with a clear message instead of exhausting memory or time (input
contract, data/raw/README.md "Limits"). The per-process memory and time limits of a source's
run are the backstop, not the first line.
"""

from __future__ import annotations

# YAML (specs, sources.yaml): size of the text, and nodes once aliases are expanded (an alias
# counts as the whole subtree it repeats, so "billion laughs" is refused while reusing a block
# of codes with &anchor / *alias still works).
YAML_MAX_BYTES = 1_000_000
YAML_MAX_NODES = 100_000

# Expressions of ``expr:`` mappings: characters of text and terms of the syntax tree.
EXPRESSION_MAX_CHARS = 4_000
EXPRESSION_MAX_TERMS = 2_000

# SSI workbooks (.xlsx, a zip archive): total uncompressed size of its parts, and per sheet
# the rows and columns read.
WORKBOOK_MAX_UNCOMPRESSED_BYTES = 50_000_000
WORKBOOK_MAX_PARTS = 1_000
SHEET_MAX_ROWS = 100_000
SHEET_MAX_COLUMNS = 100

# Numbers: every weight, amount, count and context value must be finite and at most
# ``schemas.numbers.NUMBER_MAX_ABS`` in absolute value (row rule ``finite``).
