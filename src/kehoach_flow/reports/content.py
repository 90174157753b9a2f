"""What a report says, as plain values: every writer (docx, Markdown, HTML) renders this."""

from __future__ import annotations

from dataclasses import dataclass, field

from kehoach_flow.numbers import MONEY_UNIT_LABELS, MoneyUnit, format_money, format_percent
from kehoach_flow.reports.prose import count, listed

NOTHING = "Không có."  # an empty list (difficulties, next steps, proposals)
NO_TASKS = "Không có nhiệm vụ trong kỳ."  # a solution group with no task
APPENDIX_HEADERS = (
    "TT",
    "Nội dung",
    "Kết quả đạt được",
    "Chủ trì",
    "Phối hợp",
    "Tiến độ",
    "Nguồn kinh phí",
)


@dataclass(frozen=True)
class Header:
    """Nghị định 30/2020/NĐ-CP heading block."""

    parent_agency: str  # cơ quan chủ quản, e.g. "UBND TỈNH QUẢNG TRỊ"
    agency: str  # cơ quan ban hành, e.g. "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    number_line: str  # "Số:      /BC-SKHCN" (number blank in a draft)
    place_date: str  # "Quảng Trị, ngày 05 tháng 3 năm 2024"
    kind: str  # "BÁO CÁO"
    title: str  # "Kết quả thực hiện Kế hoạch ... quý II năm 2024"
    issuer: str = ""  # "Sở Khoa học và Công nghệ tỉnh Quảng Trị": the document's author


@dataclass(frozen=True)
class GroupResult:
    """Results under one of the programme's solution groups (I.2: 2.1 ... 2.5)."""

    code: str
    title: str
    sentences: tuple[str, ...]
    # how deep each sentence sits: 0 for a task, 1 for its subtasks ("a) ..."), and so on;
    # empty means all 0
    levels: tuple[int, ...] = ()

    def level(self, index: int) -> int:
        return self.levels[index] if index < len(self.levels) else 0


@dataclass(frozen=True)
class CategoryCount:
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class AppendixRow:
    """One row of the appendix table: a section row (is_section) or a task row."""

    number: str  # "I", "1", "a)", "-" as in the plan
    content: str
    result: str = ""
    lead: str = ""
    partners: str = ""
    schedule: str = ""
    status: str = ""
    amount: str = ""
    is_section: bool = False
    depth: int = 0
    achieved: str = ""  # "Kết quả đạt được": the state, the figures and notes reported
    funding: str = ""  # "Nguồn kinh phí", as the plan names its sources
    # the units' standard columns (issue 22), for the xlsx export: approved extensions
    # ("01"), the plan's date they moved, the last approver, the completion date reported
    extensions: str = ""
    original_due: str = ""
    approver: str = ""
    completed_on: str = ""


# The columns of the units' standard report on extensions and completion (issue 22).
EXTENSION_HEADERS = (
    "TT",
    "Nội dung",
    "Gia hạn - Số lần",
    "Gia hạn - Mốc cũ",
    "Hạn hiện tại",
    "Người phê duyệt",
    "Ngày hoàn thành thực tế",
    "Mức độ hoàn thành",
)


@dataclass(frozen=True)
class ExtensionRow:
    """One task with an approved extension or a reported completion: how many extensions,
    the plan's own date, the date in force, who approved the last one, the completion date
    the unit reported and the category ("Hoàn thành đúng hạn (có gia hạn)")."""

    number: str
    content: str
    extensions: str = ""  # "01", "" when none
    original_due: str = ""  # dd/mm/yyyy when an extension moved it
    due: str = ""
    approver: str = ""
    completed_on: str = ""
    level: str = ""

    @property
    def cells(self) -> tuple[str, ...]:
        return (
            self.number,
            self.content,
            self.extensions,
            self.original_due,
            self.due,
            self.approver,
            self.completed_on,
            self.level,
        )


@dataclass(frozen=True)
class BudgetRow:
    """Planned, spent and remaining money (đồng), by funding source or as a (sub)total;
    0 planned means the plan gives no amount."""

    label: str
    planned: int
    spent: int
    is_total: bool = False

    @property
    def remaining(self) -> int | None:
        """None where nothing was planned: a "còn lại" below zero would be made up."""
        return self.planned - self.spent if self.planned else None


@dataclass(frozen=True)
class Signature:
    on_behalf: str  # "KT. GIÁM ĐỐC"
    title: str  # "PHÓ GIÁM ĐỐC"
    name: str


@dataclass(frozen=True)
class Report:
    header: Header
    intro: str
    direction: tuple[str, ...]  # I.1 công tác chỉ đạo, điều hành
    results: tuple[GroupResult, ...]  # I.2 by solution group
    categories: tuple[CategoryCount, ...]  # II.1 by the government's categories
    total_tasks: int
    budget_sentence: str
    difficulties: tuple[str, ...]  # II.2
    next_steps: tuple[str, ...]  # III
    proposals: tuple[str, ...]  # IV
    recipients: tuple[str, ...]
    signature: Signature
    appendix_title: str
    appendix: tuple[AppendixRow, ...]
    budget: tuple[BudgetRow, ...]
    total_in_words: str  # "Viết bằng chữ: Một tỷ ... đồng"; empty when there is no amount
    metadata: dict[str, str] = field(default_factory=dict)  # plan key, period, cut-off
    closing: str = ""  # the body's last sentence, ending with "./."
    money_unit: MoneyUnit = "dong"  # the plan's unit: the tables' amounts are written in it
    # "(Kèm theo Báo cáo số      /BC-SKHCN ngày 20/12/2024 của Sở Khoa học và Công nghệ)"
    appendix_note: str = ""
    evaluation: tuple[str, ...] = ()  # II.1 paragraphs after the counts: went well, late, why
    outlook: str = ""  # III's general direction, before the tasks to continue or start
    # the appendix's second table: tasks extended or reported done (none: no table)
    extension_rows: tuple[ExtensionRow, ...] = ()
    extension_title: str = "Gia hạn và ngày hoàn thành thực tế"

    @property
    def total_line(self) -> str:
        """ "Tổng số nhiệm vụ trong kỳ báo cáo: 07 nhiệm vụ, trong đó:"."""
        tail = ", trong đó:" if self.categories else "."
        return f"Tổng số nhiệm vụ trong kỳ báo cáo: {count(self.total_tasks, 'nhiệm vụ')}{tail}"

    @property
    def category_lines(self) -> tuple[str, ...]:
        """ "Hoàn thành đúng hạn: 01 nhiệm vụ (14,3%);" ... the last ending with "."."""
        return listed(
            f"{c.label}: {count(c.count, 'nhiệm vụ')} ({format_percent(c.percent)})"
            for c in self.categories
        )

    @property
    def appendix_amounts(self) -> bool:
        """Whether the appendix has a "Kinh phí" column: only when the plan gives amounts."""
        return any(row.amount for row in self.appendix)

    @property
    def appendix_headers(self) -> tuple[str, ...]:
        """The appendix's columns as every writer heads them, in the plan appendix's order."""
        money = (f"Kinh phí ({self.money_label})",) if self.appendix_amounts else ()
        return (*APPENDIX_HEADERS, *money)

    def appendix_cells(self, row: AppendixRow) -> tuple[str, ...]:
        """A row's cells under `appendix_headers` (a section row: its number, title, amount)."""
        cells = (row.number, row.content, row.achieved, row.lead, row.partners, row.schedule)
        money = (row.amount,) if self.appendix_amounts else ()
        return (*cells, row.funding, *money)

    @property
    def extension_headers(self) -> tuple[str, ...]:
        return EXTENSION_HEADERS

    @property
    def money_label(self) -> str:
        """ "triệu đồng": the unit the tables' headers name."""
        return MONEY_UNIT_LABELS[self.money_unit]

    def money(self, dong: int | None) -> str:
        """An amount (đồng) as the tables write it, in the plan's unit; "" for none."""
        return "" if dong is None else format_money(dong, self.money_unit)

    @property
    def budget_planned(self) -> bool:
        """Whether the plan gives amounts: without them the budget table has no "Kế hoạch"
        or "Còn lại" column."""
        return any(row.planned for row in self.budget)
