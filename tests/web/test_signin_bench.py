"""`kehoach bench`'s sign-in figures: named as the README lists them, from the same run."""

from __future__ import annotations

from sqlalchemy import Engine

from kehoach_flow.accounts import add_user
from kehoach_flow.bench.web import PASSWORD, signin_figures


def test_signin_figures_compare_an_unknown_name_with_a_known_one(sqlite_engine: Engine) -> None:
    add_user(sqlite_engine, "bench", "Bench", "viewer", PASSWORD)
    figures = signin_figures(sqlite_engine, rounds=3)
    assert set(figures) == {"signin_known_ms", "signin_unknown_ms", "signin_unknown_ratio"}
    assert figures["signin_known_ms"] > 0 and figures["signin_unknown_ms"] > 0
    ratio = figures["signin_unknown_ms"] / figures["signin_known_ms"]
    assert abs(figures["signin_unknown_ratio"] - ratio) < 1e-9
