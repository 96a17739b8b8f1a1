"""CSV cells a spreadsheet will not run: every CSV export writes user data through :func:`safe_cell`."""

from __future__ import annotations

from typing import Any

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"); tab and carriage
# return are included because some spreadsheets strip them and then see the formula behind them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
