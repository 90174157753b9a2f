"""Signed update links: round trip, forged, altered, another task, expired."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from itsdangerous import URLSafeTimedSerializer

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
    spliced = token.rsplit("~", 2)[0] + "~" + "~".join(other.rsplit("~", 2)[1:])
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


def _first_format(secret: str, grant: LinkGrant) -> str:
    """A token as links were signed before 2026-11 (base64 JSON): some are still in inboxes."""
    return URLSafeTimedSerializer(secret, salt="kehoach-update-link").dumps(
        {"t": grant.task, "u": grant.unit}
    )


def test_a_link_is_short_and_names_its_task_as_it_is() -> None:
    token = make_token(SECRET, GRANT)
    assert token.startswith("qt-skhcn-2024-do-luong~khao-sat-30-dn~qltcdlcl~")
    assert len(token) < len(_first_format(SECRET, GRANT)) - 30


def test_a_link_mailed_in_the_first_format_still_opens() -> None:
    assert read_token(SECRET, _first_format(SECRET, GRANT), max_age_days=30) == GRANT
    with pytest.raises(LinkError, match="giả mạo"):
        read_token(SECRET, _first_format("khac", GRANT), max_age_days=30)


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace("khao-sat-30-dn", "chuan-do-luong"),  # another task
        lambda t: t.replace("~qltcdlcl~", "~vpub~"),  # another unit
        lambda t: t.replace("~qltcdlcl~", "~qltcdlcl~x~"),  # an extra field
        lambda t: t.split("~", 1)[1],  # plan dropped
        lambda t: t[:-2],  # signature cut
    ],
)
def test_an_altered_short_token_is_refused(edit: Callable[[str], str]) -> None:
    with pytest.raises(LinkError):
        read_token(SECRET, edit(make_token(SECRET, GRANT)), max_age_days=30)
