"""Vietnamese phrasing rules for a report's sentences, in the register of a Sở's report.

Pure functions: the builder gives them facts (a task's state, its figures, the unit's own
words) and they return sentences a coordinator would write: the lead unit as the subject, a
verb by state ("đã ...", "đang ...", "chưa ... do ..."), numbers with their units ("01 hội
nghị"), titles shortened and in lower case mid-sentence, no capital after a semicolon, lists
whose items end with ";" and the last with ".".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kehoach_flow.numbers import format_number

# Words that keep their capital mid-sentence: names of agencies and of documents.
_PROPER = re.compile(
    r"^(?:(?:Sở|Bộ|Ủy ban|Hội đồng|Tổng cục|Cục|Chi cục|Trung tâm|Phòng|Ban|Văn phòng) "
    r"[A-ZÀ-ỸĐ]|UBND\b|HĐND\b|Thủ tướng\b|Chính phủ\b|Đề án \d|(?:Quyết định|Kế hoạch|"
    r"Nghị quyết|Nghị định|Thông tư|Chỉ thị|Công văn|Thông báo) số\b)"
)
_SENTENCE_END = re.compile(r"(?<=[a-zà-ỹđ)\"”])\.\s+(?=[A-ZÀ-ỸĐ])")


# Words a task title starts with when it is already a verb phrase ("Tổ chức hội nghị"): such
# a title follows "đã", "đang", "chưa" directly; another ("Hội nghị sơ kết") takes a verb
# ("đã hoàn thành hội nghị sơ kết").
VERB_PHRASES = (
    "áp dụng",
    "ban hành",
    "biên soạn",
    "bồi dưỡng",
    "cập nhật",
    "chỉ đạo",
    "chuẩn hóa",
    "công bố",
    "cung cấp",
    "đánh giá",
    "đào tạo",
    "đăng tải",
    "đầu tư",
    "đẩy mạnh",
    "đề xuất",
    "điều tra",
    "đổi mới",
    "duy trì",
    "giám sát",
    "hỗ trợ",
    "hoàn thiện",
    "hướng dẫn",
    "khảo sát",
    "khai thác",
    "kiểm định",
    "kiểm tra",
    "lồng ghép",
    "mở rộng",
    "mua sắm",
    "nâng cao",
    "nghiên cứu",
    "phát hành",
    "phát triển",
    "phối hợp",
    "phổ biến",
    "quản lý",
    "rà soát",
    "sửa đổi",
    "tăng cường",
    "tham gia",
    "tham mưu",
    "thanh tra",
    "theo dõi",
    "thiết lập",
    "thống kê",
    "thực hiện",
    "tiếp tục",
    "tổ chức",
    "trang bị",
    "triển khai",
    "truyền thông",
    "tuyên truyền",
    "tư vấn",
    "vận hành",
    "xây dựng",
)
_VERB_PHRASES = frozenset(tuple(v.split()) for v in VERB_PHRASES)


def vn_date(day: date) -> str:
    """ "05/3/2024", "16/01/2019": a two-digit day, and month 1 and 2 with a leading zero
    (Nghị định 30/2020), as every date in a report is written."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def lower_first(text: str) -> str:
    """The first letter in lower case, unless it starts a name ("Sở", "Quyết định số ...")
    or an abbreviation ("UBND", "PTĐ")."""
    text = text.strip()
    if not text or _PROPER.match(text):
        return text
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first[1].isupper() or any(c.isdigit() for c in first)):
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def bare(text: str) -> str:
    """A unit's words without the punctuation that ended them, to go inside a sentence."""
    return re.sub(r"\s+", " ", text).strip().rstrip(" .;,:")


def sentence(text: str) -> str:
    """A whole sentence: a capital first letter and a final period."""
    text = bare(text)
    return f"{upper_first(text)}." if text else ""


def clause(text: str) -> str:
    """Words going after a verb or a semicolon: lower case first letter, no final period."""
    return lower_first(bare(text))


def short_title(title: str, *, purpose: bool = False) -> str:
    """A task title as a report names it: its first sentence, up to its first ";" (the
    rest lists details the appendix gives); with `purpose`, without an "để ..."/"nhằm ..."
    clause either. Never shorter than three words."""
    text = bare(title)
    cuts = [m.start() for m in _SENTENCE_END.finditer(text)]
    cuts.append(text.find(";"))
    if purpose:
        cuts += [text.find(f" {word} ") for word in ("để", "nhằm", "phục vụ")]
    for cut in sorted(c for c in cuts if c > 0):
        head = text[:cut].rstrip(" ,")
        if len(head.split()) >= 3:
            return head
    return text


def starts_with_verb(title: str) -> bool:
    words = tuple(w.strip(",;:.") for w in bare(title).lower().split()[:2])
    return bool(words) and (words[:1] in _VERB_PHRASES or words in _VERB_PHRASES)


def count(number: int, unit: str) -> str:
    """ "01 hội nghị", "12 doanh nghiệp", "1.200 lượt": one to nine with a leading zero, as
    reports write them."""
    figure = f"{number:02d}" if 0 < number < 10 else format_number(number)
    return f"{figure} {unit}".strip()


def join_and(items: Sequence[str]) -> str:
    """ "a", "a và b", "a, b và c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} và {items[-1]}"


def listed(items: Iterable[str]) -> tuple[str, ...]:
    """A list's items each ending with ";" and the last with "." (a capital first letter)."""
    texts = [upper_first(bare(item)) for item in items if bare(item)]
    return tuple(f"{t}{'.' if i == len(texts) - 1 else ';'}" for i, t in enumerate(texts))


@dataclass(frozen=True)
class Figure:
    """A target with what the unit reported: 12 of 30 doanh nghiệp."""

    actual: int
    planned: int
    unit: str

    def achieved(self) -> str:
        """What a finished task achieved: "30 doanh nghiệp", or "28/30 doanh nghiệp" short of
        the target."""
        if self.actual >= self.planned:
            return count(self.actual, self.unit)
        return f"{self.actual}/{self.planned} {self.unit}"

    def so_far(self) -> str:
        """Where a running task stands: "12/30 doanh nghiệp"."""
        return f"{self.actual}/{self.planned} {self.unit}"


State = Literal[
    "done",
    "done_late",
    "awaiting",  # reported done, waiting for the coordinator's confirmation
    "running",
    "running_late",
    "waiting",
    "overdue",
    "on_hold",
    "cancelled",
]


@dataclass(frozen=True)
class TaskFacts:
    """What I.2 says about one task, read from its state at the cut-off."""

    subject: str  # the lead unit's name; "" for a subtask led by its parent's lead
    title: str
    state: State
    figures: tuple[Figure, ...] = ()
    progress: int = 0
    due: date | None = None
    start: date | None = None
    completed_on: date | None = None
    extended: bool = False  # done after the plan's date, within an approved extension
    original_due: date | None = None  # the plan's date, when an approved extension moved it
    reason: str = ""  # the unit's own words on why it is late or stopped
    note: str = ""  # the unit's latest note: what was done, in its words
    parts: int = 0  # how many subtasks follow ("cụ thể:")


_VERB_FOR = {"đã": "hoàn thành", "đang": "triển khai", "chưa": "triển khai"}


def _verbal(title: str, verb: str, with_title: bool) -> str:
    """ "đã tổ chức hội nghị ..." for a verb-phrase title, "đã hoàn thành hội nghị ..." for
    another; "đã hoàn thành" alone when the title is said before."""
    if not with_title:
        return f"{verb} {_VERB_FOR[verb]}"
    text = clause(title)
    return f"{verb} {text}" if starts_with_verb(title) else f"{verb} {_VERB_FOR[verb]} {text}"


def _with_counts(title: str, figures: Sequence[Figure]) -> tuple[str, list[Figure]]:
    """Put a finished task's achieved figures into its title where the title names the unit:
    "tổ chức hội nghị về đo lường" with 1 hội nghị -> "tổ chức 01 hội nghị về đo lường"; a
    figure the title already states ("tại 30 doanh nghiệp", 30 reached) is not repeated."""
    rest = []
    for figure in figures:
        unit = re.escape(figure.unit)
        stated = re.search(rf"(?<![\w/])0*{figure.planned} {unit}\b", title, re.IGNORECASE)
        if stated and figure.actual == figure.planned:
            continue
        bare_unit = re.search(rf"(?<!\d )(?<!\w){unit}\b", title)
        if (
            bare_unit
            and figure.actual >= figure.planned
            and not re.search(rf"\d\s+{unit}\b", title)
        ):
            start = bare_unit.start()
            title = f"{title[:start]}{count(figure.actual, figure.unit)}{title[bare_unit.end() :]}"
            continue
        rest.append(figure)
    return title, rest


def _state_phrase(facts: TaskFacts, with_title: bool) -> str:
    """The verb part by state: "đã ...", "đang ..., đạt 12/30 doanh nghiệp", "chưa ... do ..."."""
    state, figures = facts.state, list(facts.figures)
    title = short_title(facts.title, purpose=True)
    reason = f" do {clause(facts.reason)}" if facts.reason else ""
    if state in ("done", "done_late", "awaiting"):
        if with_title:
            title, figures = _with_counts(title, figures)
        text = _verbal(title, "đã", with_title)
        if state == "done_late" and facts.completed_on and facts.due:
            text += (
                f" (hoàn thành ngày {vn_date(facts.completed_on)}, "
                f"chậm so với thời hạn {vn_date(facts.due)})"
            )
        elif state == "done" and facts.extended:
            text += " (có gia hạn)"
        elif state == "awaiting":
            reported = f" ngày {vn_date(facts.completed_on)}" if facts.completed_on else ""
            text += f" (báo cáo hoàn thành{reported}, đang chờ xác nhận)"
        achieved = [f.achieved() for f in figures]
        if achieved:
            text += f", kết quả: {join_and(achieved)}"
        return text
    if state in ("running", "running_late"):
        text = _verbal(title, "đang", with_title)
        so_far = [f.so_far() for f in figures if f.actual]
        if so_far:
            text += f", đến nay đạt {join_and(so_far)}"
        elif facts.progress:
            text += f", ước đạt {facts.progress}% khối lượng công việc"
        if state == "running_late" and facts.due:
            text += f"; nhiệm vụ chậm so với thời hạn {vn_date(facts.due)}{reason}"
        elif facts.original_due and facts.due:
            text += f"; nhiệm vụ được gia hạn đến {vn_date(facts.due)}"
            if facts.reason:
                text += f"; tuy nhiên, {clause(facts.reason)}"
        elif facts.reason:
            text += f"; tuy nhiên, {clause(facts.reason)}"
        return text
    what = f" {clause(title)}" if with_title else ""
    if state == "on_hold":
        return f"tạm dừng{what}{reason}"
    if state == "cancelled":
        return f"không tiếp tục thực hiện{what}{reason}"
    text = _verbal(title, "chưa", with_title)
    if state == "overdue" and facts.due:
        return f"{text}, chậm so với thời hạn {vn_date(facts.due)}{reason}"
    if reason:
        return text + reason
    if facts.start and facts.due:
        return f"{text} (thời gian thực hiện từ {vn_date(facts.start)} đến {vn_date(facts.due)})"
    return text


def result_sentence(facts: TaskFacts) -> str:
    """I.2's sentence for a task: "<Đơn vị> đã/đang/chưa <việc> ...", then the unit's note.

    A subtask led by its parent's lead (no subject) reads "<việc>: đã hoàn thành ...".
    A task with `parts` ends with ", cụ thể:" and its subtasks follow.
    """
    if facts.subject:
        text = f"{bare(facts.subject)} {_state_phrase(facts, True)}"
    else:
        text = f"{upper_first(short_title(facts.title))}: {_state_phrase(facts, False)}"
    if facts.parts:
        return f"{text}, cụ thể:"
    note = sentence(facts.note) if facts.note else ""
    return f"{text}." + (f" {note}" if note else "")


_ASKING = re.compile(r"^(?:kính\s+)?(?:đề nghị|kiến nghị|đề xuất)\s*:?\s*", re.IGNORECASE)
_AGENCY = re.compile(
    r"^(?:Bộ|Ủy ban|UBND|HĐND|Hội đồng|Tổng cục|Cục|Sở|Thủ tướng|Chính phủ|Lãnh đạo|Ban)\b"
)


def proposal(text: str, addressee: str) -> str:
    """A unit's proposal as a Sở writes it: "Kính đề nghị <cơ quan> <nội dung>." The unit's
    own addressee is kept ("Đề nghị Tổng cục ... tổ chức ..."), else `addressee`."""
    body = _ASKING.sub("", bare(text))
    if not body:
        return ""
    if _AGENCY.match(body):
        return f"Kính đề nghị {body}."
    return f"Kính đề nghị {addressee} {lower_first(body)}."
