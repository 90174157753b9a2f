"""The signed-link form's limits in Vietnamese: more evidence files than a form takes, or a
note longer than a form field takes, gives the form back with a Vietnamese message and stores
nothing; the evidence size limit reads in a unit a person reads ("2 KB", "1,5 MB")."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.settings import Settings
from kehoach_flow.web.app import create_app
from kehoach_flow.web.rendering import readable_size
from tests.web.helpers import TASK, form_of, link

ENGLISH = ("Too many", "exceeded", "Maximum", "KB.", '"detail"')


def _nothing_stored(engine: Engine, settings: Settings) -> None:
    assert find_task(engine, TASK)["version"] == 1
    evidence = settings.data_dir / "evidence"
    assert not evidence.exists() or not any(p.is_file() for p in evidence.rglob("*"))


def test_twenty_one_files_give_the_form_back_in_vietnamese(
    web: TestClient, engine: Engine, web_settings: Settings
) -> None:
    url = link()
    files = [("evidence", (f"anh-{n}.jpg", b"\xff\xd8 jpg", "image/jpeg")) for n in range(21)]
    page = web.post(url, data=form_of(web, url), files=files)
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "Gửi quá nhiều tệp một lần: tối đa 20 tệp." in page.text
    assert "Chưa lưu gì." in page.text
    assert not any(word in page.text for word in ENGLISH)
    assert '<form class="card" method="post"' in page.text  # the form, to send again
    assert 'name="csrf_token"' in page.text
    _nothing_stored(engine, web_settings)


def test_a_note_over_one_megabyte_gives_the_form_back_in_vietnamese(
    web: TestClient, engine: Engine, web_settings: Settings
) -> None:
    url = link()
    data = form_of(web, url) | {"note": "ghi chú " * 150_000}
    files = {"evidence": ("bien-ban.pdf", b"%PDF-1.4 ok", "application/pdf")}
    page = web.post(url, data=data, files=files)
    assert page.status_code == 400
    assert "Một ô chữ dài quá giới hạn (1 MB)." in page.text
    assert not any(word in page.text for word in ENGLISH)
    assert 'name="note"' in page.text
    _nothing_stored(engine, web_settings)


@pytest.mark.parametrize(
    ("limit", "shown"),
    [
        (2048, "2 KB"),
        (512 * 1024, "512 KB"),
        (1536 * 1024, "1,5 MB"),
        (20 * 1024 * 1024, "20 MB"),
        (900, "900 byte"),
    ],
)
def test_the_evidence_limit_reads_in_a_readable_unit(
    web_settings: Settings, engine: Engine, web: TestClient, limit: int, shown: str
) -> None:
    settings = web_settings.model_copy(update={"evidence_max_bytes": limit})
    client = TestClient(create_app(settings, engine))
    page = client.get(link()).text
    assert f"mỗi tệp tối đa {shown}:" in page
    assert "tối đa 0 MB" not in page
    assert readable_size(limit) == shown


def test_a_file_over_the_limit_names_the_limit_in_kilobytes(web: TestClient) -> None:
    url = link()
    big = web.post(
        url, data=form_of(web, url), files={"evidence": ("a.pdf", b"x" * 4096, "application/pdf")}
    )
    assert big.status_code == 413
    assert "vượt giới hạn 2 KB; chưa lưu gì" in big.text and " 0 MB" not in big.text
