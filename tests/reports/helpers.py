"""Shared by the report tests: the `report:` block for the seed plan, a sample report shaped
like seed 000 for the writers, and a plan in triệu đồng with an investment task split into
three equipment items (the `investment` fixture in conftest.py loads it)."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from kehoach_flow.db.queries import find_task
from kehoach_flow.loading import load_path
from kehoach_flow.reports.builder import build_report
from kehoach_flow.reports.content import (
    AppendixRow,
    BudgetRow,
    CategoryCount,
    GroupResult,
    Header,
    Report,
    Signature,
)
from kehoach_flow.reports.periods import period
from kehoach_flow.tracking.history import Author, UpdateIn, record_update
from kehoach_flow.tracking.task_views import BoardOptions
from kehoach_flow.workdays import vietnam_calendar

REPORT_BLOCK = """\
  report:
    issuer: Sở Khoa học và Công nghệ tỉnh Quảng Trị
    place: Đông Hà
    symbol: BC-SKHCN
    signer: {on_behalf: KT. GIÁM ĐỐC, title: PHÓ GIÁM ĐỐC, name: Lê Văn Bình}
    recipients:
      - Tổng cục TCĐLCL
      - GĐ, các PGĐ Sở
      - "Lưu: VT, QLTĐC"
"""


def seed_file(definitions: Path) -> Path:
    return definitions / "plans" / "quang-tri-2024.yaml"


def with_report_block(definitions: Path, block: str) -> None:
    plan = seed_file(definitions)
    text = plan.read_text(encoding="utf-8")
    anchor = "  money_unit: dong\n"
    assert anchor in text
    plan.write_text(text.replace(anchor, block + anchor, 1), encoding="utf-8")


TOTAL_PLANNED = 1_977_000_000


def sample_report() -> Report:
    """A quarterly report shaped like seed 000 (Sở KH&CN Quảng Trị, Đề án 996)."""
    return Report(
        header=Header(
            parent_agency="UBND TỈNH QUẢNG TRỊ",
            agency="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
            number_line="Số:      /BC-SKHCN",
            place_date="Quảng Trị, ngày 14 tháng 6 năm 2024",
            kind="BÁO CÁO",
            title="Kết quả thực hiện Kế hoạch tăng cường, đổi mới hoạt động đo lường "
            "hỗ trợ doanh nghiệp quý II năm 2024",
        ),
        intro="Thực hiện Kế hoạch số 49/KH-SKHCN ngày 24/4/2024 của Sở Khoa học và Công nghệ, "
        "Sở Khoa học và Công nghệ báo cáo kết quả thực hiện quý II năm 2024 như sau:",
        direction=(
            "Ban hành Kế hoạch 66/KH-SKHCN ngày 24/7/2023 về việc khảo sát, đánh giá tình hình "
            "sử dụng phương tiện đo tại các doanh nghiệp trên địa bàn tỉnh Quảng Trị.",
            "Lồng ghép nội dung Đề án 996 vào các nhiệm vụ khoa học và công nghệ cấp tỉnh.",
        ),
        results=(
            GroupResult(
                code="2.1",
                title="Tăng cường phát triển hạ tầng đo lường tại địa phương",
                sentences=(
                    "Trung tâm Kỹ thuật TĐC đưa vào sử dụng 38 thiết bị đo lường, thử nghiệm.",
                    "03 công chức hoàn thành khóa tập huấn cán bộ tư vấn đảm bảo đo lường.",
                ),
            ),
            GroupResult(
                code="2.2",
                title="Thông tin, tuyên truyền chính sách, pháp luật về đo lường",
                sentences=("Tổ chức 06 lớp tập huấn cho hơn 463 lượt học viên.",),
            ),
        ),
        categories=(
            CategoryCount("Hoàn thành đúng hạn", 3, 37.5),
            CategoryCount("Hoàn thành quá hạn", 1, 12.5),
            CategoryCount("Đang thực hiện trong hạn", 2, 25.0),
            CategoryCount("Đang thực hiện quá hạn", 1, 12.5),
            CategoryCount("Chưa thực hiện", 1, 12.5),
        ),
        total_tasks=8,
        budget_sentence="Kinh phí đã giải ngân 1.500.000.000 đồng trên tổng số "
        "1.977.000.000 đồng, đạt 75,9% kế hoạch.",
        difficulties=("Tỉnh còn thiếu chuyên gia tư vấn xây dựng chương trình đảm bảo đo lường.",),
        next_steps=("Hỗ trợ xây dựng mô hình điểm áp dụng Chương trình đảm bảo đo lường.",),
        proposals=(),
        recipients=("Tổng cục TCĐLCL", "GĐ, các PGĐ Sở", "Lưu: VT, QLTĐC"),
        signature=Signature("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Hữu Thắng"),
        appendix_title="Kết quả thực hiện các nhiệm vụ quý II năm 2024",
        appendix=(
            AppendixRow("I", "NHIỆM VỤ TRỌNG TÂM", is_section=True),
            AppendixRow("1", "Phát triển hạ tầng đo lường", is_section=True, depth=1),
            AppendixRow("a)", "Đầu tư thiết bị", is_section=True, depth=2),
            AppendixRow(
                "-",
                "Đầu tư thiết bị đo lường, thử nghiệm (giai đoạn 2)",
                result="38 thiết bị",
                lead="Trung tâm Kỹ thuật TĐC",
                partners="Sở Tài chính",
                schedule="Quý II",
                status="Hoàn thành đúng hạn",
                amount="1.477.000.000",
                depth=3,
                achieved="Hoàn thành đúng hạn\n38 thiết bị",
                funding="Ngân sách tỉnh",
            ),
            AppendixRow(
                "-",
                "Tập huấn cán bộ tư vấn đảm bảo đo lường",
                result="03 công chức",
                lead="Chi cục TĐC",
                schedule="Quý II",
                status="Đang thực hiện trong hạn",
                amount="500.000.000",
                depth=3,
            ),
        ),
        budget=(
            BudgetRow("Ngân sách tỉnh", 1_477_000_000, 1_200_000_000),
            BudgetRow("Nguồn xã hội hóa", 500_000_000, 300_000_000),
            BudgetRow("Tổng cộng", TOTAL_PLANNED, 1_500_000_000, is_total=True),
        ),
        total_in_words="Viết bằng chữ: Một tỷ chín trăm bảy mươi bảy triệu đồng",  # by hand
    )


OPTIONS = BoardOptions(vietnam_calendar(range(2023, 2027)))
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# An investment task of three equipment items written as its appendix reads: the items
# name no lead or partners of their own (the task's apply), amounts in triệu đồng. No
# completion review: the tests count a done report at once.
INVESTMENT = """
plan:
  key: dau-tu-2024
  title: Tăng cường hạ tầng đo lường thực hiện năm 2024
  year: 2024
  issuer: Sở Khoa học và Công nghệ tỉnh Quảng Trị
  place: Quảng Trị
  coordinator: qltcdlcl
  review: false
  programme: de-an-996
  money_unit: trieu
  recipients: [UBND tỉnh (b/c), "Lưu: VT, QLTĐC"]
  funding_sources: {sn: Kinh phí sự nghiệp KHCN năm 2024}
sections:
  - key: "1"
    title: Công tác tăng cường phát triển hạ tầng đo lường
    group: "2.2"
    funding: sn
    schedule: Cả năm
    tasks:
      - key: dau-tu-thiet-bi
        title: Đầu tư máy móc thiết bị đo lường thử nghiệm (giai đoạn 2)
        result: Trang thiết bị được trang bị
        lead: kh-tc
        partners: [qltcdlcl, ttkt-tcdlcl]
        subtasks:
          - {key: cau-do-dien-tro, title: Cầu đo điện trở tiếp xúc, amount: 1000}
          - {key: may-do-octane, title: Máy đo nhanh chỉ số Octane, amount: "450,5"}
          - key: bo-kiem-cong-to
            title: Bộ kiểm tra công tơ nước tại hiện trường
            lead: ttkt-tcdlcl
            partners: []
            amount: 200
      - key: chuan-do-luong
        title: Thiết lập, duy trì các chuẩn đo lường
        lead: ttkt-tcdlcl
        amount: 27
  - key: "2"
    title: Công tác tuyên truyền
    group: "2.5"
    funding: sn
    tasks:
      - {key: phong-su, title: Phóng sự về đo lường, lead: tt-ncgdmst, schedule: Quý III, amount: 300}
"""


def load_plan(engine: Engine, definitions: Path, name: str, text: str) -> None:
    (definitions / "plans" / name).write_text(text, encoding="utf-8")
    load_path(engine, definitions)


def record(engine: Engine, ref: str, day: date, **change: object) -> None:
    task_id = int(find_task(engine, ref)["id"])
    at = datetime.combine(day, time(9), tzinfo=TZ)
    record_update(engine, task_id, UpdateIn(**change), Author("test", "cli", at))  # type: ignore[arg-type]


def investment_report(engine: Engine, plan: str = "dau-tu-2024", kind: str = "year") -> Report:
    issued = date(2024, 12, 20) if kind == "year" else date(2024, 6, 20)
    return build_report(engine, plan, period(kind, 2024), OPTIONS, issued)
