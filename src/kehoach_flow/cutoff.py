"""The reporting cut-off day (ngày chốt số liệu): a day of the month from 1 to 28, or "end".

Settings (`KEHOACH_REPORT_CUTOFF_DAY`) and plan headers (`report_cutoff_day`) both accept it,
so it sits below both; the periods built on it are in `reports.periods`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator

from kehoach_flow.errors import KehoachError

CutoffDay = int | Literal["end"]
CUTOFF_DAY: CutoffDay = 14  # Nghị định 09/2019/NĐ-CP


def _valid_cutoff_day(value: object) -> object:
    """For pydantic (settings, plan files): 1..28 (digits allowed) or "end"."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if value == "end" or (type(value) is int and 1 <= value <= 28):
        return value
    raise ValueError('cần là một ngày trong tháng từ 1 đến 28, hoặc "end" (hết tháng)')


CutoffDayField = Annotated[int | Literal["end"], BeforeValidator(_valid_cutoff_day)]


def check_cutoff_day(value: object) -> CutoffDay:
    """1..28 or "end"; anything else is a user error naming what is allowed."""
    try:
        return _valid_cutoff_day(value)  # type: ignore[return-value]
    except ValueError as exc:
        raise KehoachError(f'ngày chốt số liệu "{value}" {exc}') from None
