"""`implements:` names a document's type, issuer and subject; the old {code, date} form stays
valid, and the JSON Schema editors read offers the new fields."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kehoach_flow.definitions.models import DocumentRef, json_schema


def test_the_old_form_and_the_full_form_are_both_valid() -> None:
    assert DocumentRef.model_validate({"code": "996/QĐ-TTg", "date": "2018-08-10"}).type is None
    full = DocumentRef.model_validate(
        {
            "code": "1928/QĐ-UBND",
            "date": "2020-07-20",
            "type": "Quyết định",
            "issuer": "UBND tỉnh Quảng Trị",
            "about": "ban hành Kế hoạch triển khai Đề án 996",
        }
    )
    assert full.issuer == "UBND tỉnh Quảng Trị"
    with pytest.raises(ValidationError):
        DocumentRef.model_validate({"code": "1/QĐ-UBND", "kind": "Quyết định"})


def test_the_schema_offers_type_issuer_and_about() -> None:
    properties = json_schema()["$defs"]["DocumentRef"]["properties"]
    assert {"code", "date", "type", "issuer", "about"} <= set(properties)
    report = json_schema()["$defs"]["ReportBlock"]["properties"]
    assert "basis" in report
