"""Phrasing rules of the report's sentences (kehoach_flow.reports.prose, reports.documents), one
rule a test."""

from __future__ import annotations

from datetime import date

import pytest

from kehoach_flow.reports.documents import REGIME_BASIS, basis_text, document_name
from kehoach_flow.reports.prose import (
    Figure,
    TaskFacts,
    count,
    listed,
    lower_first,
    proposal,
    result_sentence,
    short_title,
    vn_date,
)

SURVEY = (
    "Khảo sát, đánh giá tình hình sử dụng phương tiện đo tại 30 doanh nghiệp; hướng dẫn "
    "doanh nghiệp nâng cao năng lực đo lường."
)


def test_dates_have_a_two_digit_day_and_a_leading_zero_only_for_january_and_february() -> None:
    assert vn_date(date(2024, 6, 14)) == "14/6/2024"
    assert vn_date(date(2019, 1, 16)) == "16/01/2019"
    assert vn_date(date(2024, 3, 5)) == "05/3/2024"


def test_counts_take_a_leading_zero_below_ten_and_their_unit() -> None:
    assert count(1, "hội nghị") == "01 hội nghị"
    assert count(12, "doanh nghiệp") == "12 doanh nghiệp"
    assert count(1200, "lượt") == "1.200 lượt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tổ chức hội nghị", "tổ chức hội nghị"),
        ("UBND tỉnh chỉ đạo", "UBND tỉnh chỉ đạo"),
        ("Sở Khoa học và Công nghệ", "Sở Khoa học và Công nghệ"),
        ("Bộ kiểm tra công tơ", "bộ kiểm tra công tơ"),
        ("Quyết định số 996/QĐ-TTg", "Quyết định số 996/QĐ-TTg"),
        ("PTĐ bắt buộc kiểm định", "PTĐ bắt buộc kiểm định"),
    ],
)
def test_mid_sentence_words_lose_their_capital_unless_they_name_something(
    text: str, expected: str
) -> None:
    assert lower_first(text) == expected


def test_titles_are_cut_at_their_first_sentence_or_semicolon_and_lose_the_final_period() -> None:
    assert short_title(SURVEY) == (
        "Khảo sát, đánh giá tình hình sử dụng phương tiện đo tại 30 doanh nghiệp"
    )
    long = "Đầu tư thiết bị đo lường (giai đoạn 2) để kiểm định phương tiện đo (PTĐ)."
    assert short_title(long, purpose=True) == "Đầu tư thiết bị đo lường (giai đoạn 2)"
    assert short_title("Tuyên truyền. Phổ biến") == "Tuyên truyền. Phổ biến"  # too short


def test_a_list_ends_each_item_with_a_semicolon_and_the_last_with_a_period() -> None:
    assert listed(["thiếu chuyên gia.", "Doanh nghiệp chưa phối hợp;", " "]) == (
        "Thiếu chuyên gia;",
        "Doanh nghiệp chưa phối hợp.",
    )


def test_a_finished_task_says_what_was_achieved_with_the_lead_unit_as_subject() -> None:
    facts = TaskFacts(
        "Chi cục TĐC",
        "Tổ chức hội nghị về đo lường.",
        "done",
        (Figure(1, 1, "hội nghị"),),
        note="hội nghị có 120 đại biểu tham dự",
    )
    assert result_sentence(facts) == (
        "Chi cục TĐC đã tổ chức 01 hội nghị về đo lường. Hội nghị có 120 đại biểu tham dự."
    )


def test_a_finished_task_lists_its_reported_figures_never_the_expected_result() -> None:
    facts = TaskFacts(
        "Trung tâm NC-CG và ĐMST",
        "Tuyên truyền, phổ biến Quyết định số 996/QĐ-TTg; Quyết định số 1928/QĐ-UBND",
        "done",
        (Figure(1, 1, "phóng sự"), Figure(2, 2, "bài viết")),
    )
    text = result_sentence(facts)
    assert text == (
        "Trung tâm NC-CG và ĐMST đã tuyên truyền, phổ biến Quyết định số 996/QĐ-TTg, kết quả: "
        "01 phóng sự và 02 bài viết."
    )
    assert "1/1" not in text and "dự kiến" not in text


def test_a_running_task_gives_where_it_stands_and_a_late_one_why() -> None:
    running = TaskFacts("Phòng QLTĐC", SURVEY, "running", (Figure(12, 30, "doanh nghiệp"),))
    assert result_sentence(running) == (
        "Phòng QLTĐC đang khảo sát, đánh giá tình hình sử dụng phương tiện đo tại 30 doanh "
        "nghiệp, đến nay đạt 12/30 doanh nghiệp."
    )
    late = TaskFacts(
        "Phòng QLTĐC",
        SURVEY,
        "running_late",
        (Figure(24, 30, "doanh nghiệp"),),
        due=date(2024, 9, 30),
        reason="Doanh nghiệp chưa phối hợp.",
    )
    assert result_sentence(late).endswith(
        "đạt 24/30 doanh nghiệp; nhiệm vụ chậm so với thời hạn 30/9/2024 do doanh nghiệp "
        "chưa phối hợp."
    )


def test_a_task_not_started_gives_the_units_reason_after_do() -> None:
    facts = TaskFacts(
        "Phòng KH-TC",
        "Hội nghị sơ kết Đề án",
        "overdue",
        due=date(2024, 6, 30),
        reason="Chưa được bố trí kinh phí",
    )
    assert result_sentence(facts) == (
        "Phòng KH-TC chưa triển khai hội nghị sơ kết Đề án, chậm so với thời hạn 30/6/2024 "
        "do chưa được bố trí kinh phí."
    )


def test_a_subtask_of_the_same_lead_names_its_item_then_its_state() -> None:
    facts = TaskFacts("", "Bộ kiểm tra công tơ", "running", (Figure(1, 3, "bộ"),))
    assert result_sentence(facts) == "Bộ kiểm tra công tơ: đang triển khai, đến nay đạt 1/3 bộ."


def test_no_capital_follows_a_semicolon_in_a_result() -> None:
    facts = TaskFacts("Phòng X", SURVEY, "running", reason="Doanh nghiệp chưa phối hợp")
    text = result_sentence(facts)
    assert "; tuy nhiên, doanh nghiệp" in text
    for part in text.split("; ")[1:]:
        assert not part[:1].isupper()


def test_documents_are_named_by_type_number_date_and_issuer() -> None:
    assert document_name({"code": "996/QĐ-TTg", "date": "2018-08-10"}) == (
        "Quyết định số 996/QĐ-TTg ngày 10/8/2018 của Thủ tướng Chính phủ"
    )
    # a Kế hoạch is never called a Quyết định
    assert document_name({"code": "49/KH-UBND", "date": date(2023, 4, 24)}, "Quảng Trị") == (
        "Kế hoạch số 49/KH-UBND ngày 24/4/2023 của UBND tỉnh Quảng Trị"
    )
    given = {
        "code": "82/QĐ-BKHCN",
        "type": "Quyết định",
        "issuer": "Bộ trưởng Bộ Khoa học và Công nghệ",
        "about": "Ban hành Kế hoạch triển khai Đề án 996",
    }
    assert document_name(given) == (
        "Quyết định số 82/QĐ-BKHCN của Bộ trưởng Bộ Khoa học và Công nghệ ban hành Kế hoạch "
        "triển khai Đề án 996"
    )
    assert document_name({"code": "690/TĐC-ĐL"}) == "Công văn số 690/TĐC-ĐL"


def test_the_basis_is_the_request_as_typed_or_the_reporting_regime() -> None:
    typed = "Thực hiện Công văn số 123/BKHCN-VP ngày 05/6/2024 của Bộ Khoa học và Công nghệ."
    assert basis_text(typed) == (
        "Công văn số 123/BKHCN-VP ngày 05/6/2024 của Bộ Khoa học và Công nghệ"
    )
    assert basis_text(None) == REGIME_BASIS
    assert "Nghị định số 09/2019/NĐ-CP" in REGIME_BASIS


def test_proposals_read_kinh_de_nghi_with_an_addressee_and_a_period() -> None:
    assert proposal("Đề nghị bổ sung kinh phí khảo sát", "UBND tỉnh") == (
        "Kính đề nghị UBND tỉnh bổ sung kinh phí khảo sát."
    )
    assert proposal("đề nghị Tổng cục TĐC mở lớp tập huấn;", "UBND tỉnh") == (
        "Kính đề nghị Tổng cục TĐC mở lớp tập huấn."
    )
    assert proposal("Hỗ trợ chuyên gia tư vấn", "Bộ Khoa học và Công nghệ") == (
        "Kính đề nghị Bộ Khoa học và Công nghệ hỗ trợ chuyên gia tư vấn."
    )
