"""A plan with nested sections and amounts in triệu đồng: subtotals and words that add up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from kehoach_flow.loading import load_path
from kehoach_flow.reports.builder import build_report
from kehoach_flow.reports.periods import period
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar

PLAN = """
plan:
  key: ngan-sach-2024
  title: Kế hoạch có dự toán năm 2024
  year: 2024
  issuer: Sở Khoa học và Công nghệ tỉnh Quảng Trị
  place: Quảng Trị
  coordinator: qltcdlcl
  programme: de-an-996
  money_unit: trieu
  funding_sources: {sn: Kinh phí sự nghiệp KHCN, dp: Ngân sách địa phương}
  total: 1977
sections:
  - key: "I"
    title: Hạ tầng đo lường
    group: "2.2"
    amount: 1466
    sections:
      - key: "1"
        title: Chuẩn đo lường
        funding: sn
        amount: 466
        tasks:
          - {key: duy-tri-chuan, title: Duy trì chuẩn, lead: ttkt-tcdlcl, schedule: Cả năm, amount: 266}
          - {key: hieu-chuan, title: Hiệu chuẩn chuẩn chính, lead: ttkt-tcdlcl, schedule: Quý II, amount: 200}
      - key: "2"
        title: Thiết bị
        tasks:
          - key: mua-thiet-bi
            title: Mua thiết bị thử nghiệm & kiểm định <giai đoạn 2>
            lead: kh-tc
            schedule: Cả năm
            funding: [{source: sn, amount: 700}, {source: dp, amount: "300 triệu"}]
  - key: "II"
    title: Truyền thông
    group: "2.5"
    funding: dp
    tasks:
      - {key: phong-su, title: Phóng sự, lead: tt-ncgdmst, schedule: Quý III, amount: "511 tr.đ"}
"""


def test_nested_sections_get_subtotals_and_the_total_in_words_adds_up(
    engine: Engine, definitions_copy: Path
) -> None:
    (definitions_copy / "plans" / "ngan-sach.yaml").write_text(PLAN, encoding="utf-8")
    load_path(engine, definitions_copy)
    report = build_report(
        engine,
        "ngan-sach-2024",
        period("year", 2024),
        BoardOptions(vietnam_calendar(range(2023, 2027))),
        date(2024, 12, 20),
    )
    sections = {r.number: r.amount for r in report.appendix if r.is_section}
    assert report.money_unit == "trieu"  # the plan's unit: amounts in triệu đồng
    assert sections == {"I": "1.466", "1": "466", "2": "1.000", "II": "511"}
    by_source = {b.label: b.planned for b in report.budget}
    assert by_source == {
        "Kinh phí sự nghiệp KHCN": 1_166_000_000,
        "Ngân sách địa phương": 811_000_000,
        "Tổng cộng": 1_977_000_000,
    }
    # 1.977 triệu = 1.977.000.000 đồng, read by hand: một tỷ, chín trăm bảy mươi bảy triệu
    assert report.total_in_words == "Viết bằng chữ: Một tỷ chín trăm bảy mươi bảy triệu đồng"
    titles = [r.content for r in report.appendix]
    assert "Mua thiết bị thử nghiệm & kiểm định <giai đoạn 2>" in titles
