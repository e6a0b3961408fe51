"""Every limit on what the kit reads, in one place.

Anything a user (or a colleague's file) hands the kit is read within these bounds, so no
input can make it slow, exhaust memory or crash: a file over its size is refused before it
is read, YAML is checked event by event (nesting, node count, aliases, tags) before any
value is built, numbers are bounded before they are converted, and a regular expression
from a user's rules folder runs with a time limit.
"""

from __future__ import annotations

# File sizes, checked before reading.
MAX_IDEA_BYTES = 1_000_000  # an idea file is a page or two of text
MAX_NOTES_BYTES = 5_000_000  # one interview's notes
MAX_RULES_BYTES = 1_000_000  # one bias rule file
MAX_SHEET_BYTES = 20_000_000  # a .csv or .xlsx portfolio (thousands of rows)

# YAML (idea files, notes front matter, rule files, `ml.*` cells of a sheet).
MAX_YAML_DEPTH = 12  # nested mappings and lists; an idea file needs 5
MAX_YAML_NODES = 20_000  # values of all kinds in one document
MAX_YAML_SCALAR_CHARS = 100_000  # one text value
MAX_NUMBER_DIGITS = 30  # digits of one number, checked before it is converted
# (How big a value may be is the schema's business: estimates.MAX_MAGNITUDE.)

# Spreadsheets.
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 500
MAX_CELL_CHARS = 1_000_000  # one CSV cell (Python's csv module stops at 128 KB by default)

# Regular expressions of a user's rules folder.
MAX_PATTERN_CHARS = 2_000
REGEX_TIMEOUT_SECONDS = 0.25  # one pattern on one line of notes

# Names.
MAX_PATH_CHARS = 4_000  # a path given on the command line or in a file
