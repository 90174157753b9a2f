"""Signed update links: round trip, forged, altered, another task, expired."""

from __future__ import annotations

import time

import pytest

from kehoach_flow.errors import LinkError
from kehoach_flow.reminders.links import LinkGrant, make_token, read_token, update_url

SECRET = "bi-mat-thu-nghiem"
GRANT = LinkGrant("qt-skhcn-2024-do-luong/khao-sat-30-dn", "qltcdlcl")


def test_a_link_carries_its_task_and_unit() -> None:
    url = update_url("https://kehoach.example.vn/", SECRET, GRANT)
    assert url.startswith("https://kehoach.example.vn/cap-nhat/")
    assert read_token(SECRET, url.rsplit("/", 1)[1], max_age_days=30) == GRANT


def test_a_token_signed_with_another_secret_is_forged() -> None:
    with pytest.raises(LinkError, match="giả mạo") as caught:
        read_token(SECRET, make_token("khac", GRANT), max_age_days=30)
    assert not caught.value.expired


def test_an_altered_token_is_refused() -> None:
    token = make_token(SECRET, GRANT)
    other = make_token(SECRET, LinkGrant("qt-skhcn-2024-do-luong/chuan-do-luong", "qltcdlcl"))
    spliced = token.split(".")[0] + "." + ".".join(other.split(".")[1:])
    with pytest.raises(LinkError):
        read_token(SECRET, spliced, max_age_days=30)


def test_a_link_older_than_its_lifetime_has_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    now = time.time()
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: now - 31 * 24 * 3600)  # signed 31 days ago
        token = make_token(SECRET, GRANT)
    assert read_token(SECRET, token, max_age_days=32) == GRANT
    with pytest.raises(LinkError, match="hết hạn") as caught:
        read_token(SECRET, token, max_age_days=30)
    assert caught.value.expired
