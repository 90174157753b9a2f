"""Reading the values of appendix cells: unit names to unit keys, funding text to sources,
result text to measurable targets. Each reader says when it guessed, so the plan file can
carry a comment the coordinator reviews."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kehoach_flow.text import fold, shorten

# Abbreviations met in unit and funding names, read as their full words (folded).
_ABBREVIATIONS = {
    "ql": "quan ly",
    "kh&cn": "khcn",
    "khoa hoc va cong nghe": "khcn",
    "kh va cn": "khcn",
    "sn": "su nghiep",
    "dn": "doanh nghiep",
    "tt": "trung tam",
    "ubnd": "uy ban nhan dan",
    "nstw": "ngan sach trung uong",
    "nsdp": "ngan sach dia phuong",
    "ns": "ngan sach",
    "kp": "kinh phi",
    "dtpt": "dau tu phat trien",
    "tw": "trung uong",
}
_ABBREVIATION = re.compile(
    r"(?<![\w&])("
    + "|".join(re.escape(k) for k in sorted(_ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w&])"
)


def normalise(text: str) -> str:
    """Folded, "&" and punctuation evened out, abbreviations spelled out: the form two
    spellings of one name share ("Phòng QL TCĐLCL" and "Phòng Quản lý TCĐLCL")."""
    folded = fold(text).replace(" & ", " va ")
    folded = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1)], folded)
    folded = re.sub(r"[^a-z0-9&]+", " ", folded)
    return _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1)], folded).strip()


def slug(text: str, words: int = 4, stop: Iterable[str] = ()) -> str:
    """A key from a phrase: "Khảo sát, đánh giá tình hình" -> "khao-sat-danh-gia"."""
    skip = set(stop)
    parts = [w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in skip]
    return "-".join(parts[:words]) or "muc"


def unique(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


@dataclass(frozen=True)
class UnitName:
    """One way a unit is named in units.yaml."""

    key: str
    name: str


@dataclass
class UnitMatch:
    text: str  # as written in the cell
    key: str | None  # None: no unit of that name; a new one is proposed
    note: str | None = None  # set when the match is a guess


class UnitMatcher:
    """Unit names in cells to unit keys, by name, short name, aliases or key, ignoring case,
    diacritics, punctuation and the usual abbreviations; a near spelling is a guess."""

    def __init__(self, names: Iterable[UnitName]) -> None:
        self.exact: dict[str, str] = {}
        self.loose: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        for item in names:
            self.labels.setdefault(item.key, item.name)
            self.exact.setdefault(fold(item.name), item.key)
            self.loose.setdefault(normalise(item.name), item.key)

    def match(self, text: str, prefix: bool = True) -> UnitMatch | None:
        """The unit `text` names; with `prefix`, also the only unit whose name starts with it
        ("Sở KH&CN" for "Sở KH&CN Quảng Trị"), a guess."""
        text = text.strip(" .;,-+•")
        if not text:
            return None
        key = self.exact.get(fold(text))
        if key is not None:
            return UnitMatch(text, key)
        loose = normalise(text)
        key = self.loose.get(loose)
        if key is not None:
            return UnitMatch(text, key, f'"{text}" hiểu là {key} ({self.labels[key]})')
        if len(loose) >= 12:
            close = difflib.get_close_matches(loose, list(self.loose), n=1, cutoff=0.92)
            if close:
                key = self.loose[close[0]]
                return UnitMatch(text, key, f'"{text}" gần giống {key} ({self.labels[key]})')
        # "Sở KH&CN" for "Sở KH&CN Quảng Trị": the only unit whose name starts so
        starting = {k for name, k in self.loose.items() if name.startswith(loose + " ")}
        if prefix and len(loose.split()) >= 2 and len(starting) == 1:
            key = starting.pop()
            return UnitMatch(text, key, f'"{text}" hiểu là {key} ({self.labels[key]})')
        bare = re.sub(r"\s*\([^)]*\)\s*", " ", text).strip()  # "Phòng KH-TC (chủ trì)"
        if bare and bare != text:
            found = self.match(bare, prefix)
            if found is not None:
                return UnitMatch(text, found.key, found.note or f'"{text}" hiểu là {found.key}')
        return None

    def split(self, cell: str) -> list[UnitMatch]:
        """The units named in a partner cell: split on line breaks and ";", then on "," where
        the pieces are names of their own ("Các tổ chức, cá nhân có liên quan" is one name)."""
        found: list[UnitMatch] = []
        for part in re.split(r"[;\n]", cell):
            part = part.strip(" .;,-+•")
            if part:
                found += self._split_commas(part)
        return found

    def _split_commas(self, part: str) -> list[UnitMatch]:
        whole = self.match(part)
        if whole is not None:
            return [whole]
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        found: list[UnitMatch] = []
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):  # the longest run of pieces naming one unit
                # a piece of a cell names a unit in full: "Các cơ quan" of "Các cơ quan, đơn
                # vị liên quan" is not "Các cơ quan ở Trung ương"
                matched = self.match(", ".join(pieces[i:j]), prefix=False)
                if matched is not None:
                    found.append(matched)
                    i = j
                    break
            else:
                # No unit of that name: a piece starting in lower case continues the one
                # before ("Các tổ chức, cá nhân có liên quan"); "A và B" may name two.
                j = i + 1
                while j < len(pieces) and pieces[j][:1].islower():
                    j += 1
                found += self._split_and(", ".join(pieces[i:j]))
                i = j
        return found

    def _split_and(self, text: str) -> list[UnitMatch]:
        halves = re.split(r"\s+và\s+", text)
        if len(halves) > 1:
            matches = [self.match(h, prefix=False) for h in halves]
            if all(m is not None for m in matches):
                return [m for m in matches if m is not None]
        return [UnitMatch(text, None)]


@dataclass
class Source:
    key: str
    spellings: Counter[str] = field(default_factory=Counter)
    declared: str | None = None  # the title already in the plan file, kept as written

    @property
    def title(self) -> str:
        if self.declared:
            return self.declared
        # The spelling written most often; on a tie the longest (the fewest abbreviations).
        return max(self.spellings, key=lambda s: (self.spellings[s], len(s)))


_SOURCE_SHORT = (
    ("su nghiep", "sn"),
    ("ngan sach", "ns"),
    ("trung uong", "tw"),
    ("dia phuong", "dp"),
)
_SOURCE_STOP = {
    "kinh",
    "phi",
    "nguon",
    "von",
    "nam",
    "duoc",
    "cap",
    "cho",
    "cua",
    "va",
    "tu",
    "theo",
}


class FundingSources:
    """Funding text to source keys: spellings that read the same ("Kinh phí SN KHCN năm
    2024", "Kinh phí sự nghiệp KHCN năm 2024") are one source; declared ones keep their key."""

    def __init__(self, declared: Mapping[str, str] | None = None) -> None:
        self.sources: dict[str, Source] = {}
        self.by_form: dict[str, Source] = {}
        for key, title in (declared or {}).items():
            source = Source(key, declared=title)
            self.sources[key] = source
            self.by_form.setdefault(self._form(title), source)

    @staticmethod
    def _form(text: str) -> str:
        return re.sub(r"^(nguon )?(kinh phi|von) ", "", normalise(text))

    def key_for(self, text: str) -> str:
        form = self._form(text)
        source = self.by_form.get(form)
        if source is None:
            source = Source(unique(self._new_key(form), set(self.sources)))
            self.sources[source.key] = source
            self.by_form[form] = source
        source.spellings[text] += 1
        return source.key

    @staticmethod
    def _new_key(form: str) -> str:
        for long, short in _SOURCE_SHORT:
            form = form.replace(long, short)
        words = form.split()
        years = [w for w in words if re.fullmatch(r"20\d\d", w)]
        parts = [w for w in words if w not in _SOURCE_STOP and w not in years][:4] or ["kinh-phi"]
        return "-".join([*parts, *years[:1]])

    def used(self) -> list[Source]:
        return [s for s in self.sources.values() if s.spellings or s.declared]


@dataclass(frozen=True)
class Target:
    quantity: int
    unit: str
    note: str | None = None


# Nouns plans count, folded; the longest one starting a phrase is the target's unit.
COUNTED = sorted(
    (
        "bai",
        "bai bao",
        "bai viet",
        "ban tin",
        "bao cao",
        "ban",
        "can bo",
        "chuan",
        "chuan do luong",
        "chuong trinh",
        "chuyen de",
        "chuyen muc",
        "chuyen trang",
        "cho",
        "co so",
        "cong chuc",
        "cuoc",
        "dang ky",
        "de an",
        "de tai",
        "dia phuong",
        "diem",
        "doan",
        "doanh nghiep",
        "don vi",
        "dot",
        "du an",
        "hoc vien",
        "ho",
        "hop tac xa",
        "hoi nghi",
        "hoi thao",
        "huong dan",
        "huyen",
        "ke hoach",
        "khoa",
        "lop",
        "lop tap huan",
        "luot",
        "mau",
        "mo hinh",
        "nguoi",
        "nhiem vu",
        "phong su",
        "phuong tien do",
        "quy chuan",
        "quy trinh",
        "quyet dinh",
        "san pham",
        "so",
        "tieu chuan",
        "tin",
        "tin bai",
        "to chuc",
        "toa dam",
        "thiet bi",
        "van ban",
        "vien chuc",
        "xa",
    ),
    key=len,
    reverse=True,
)
# A document named without a number is one of it: "BC kết quả khảo sát" is one report.
_ONE_OF = {"bao cao": "báo cáo", "bc": "báo cáo", "ke hoach": "kế hoạch", "de an": "đề án"}
_STOP = {
    "duoc",
    "da",
    "se",
    "tren",
    "tai",
    "ve",
    "cua",
    "cho",
    "lam",
    "thuoc",
    "co",
    "va",
    "de",
    "voi",
    "theo",
    "trong",
    "tu",
    "den",
}
_NOT_QUANTITY = re.compile(
    r"\b(nam|ngay|thang|so|quy|giai doan|lan thu|ky|dot thu|muc|khoan|dieu)\s*$"
)
_QUANTITY = re.compile(r"(?<![\w/.,-])(\d{1,3}(?:\.\d{3})+|\d+)\s+(?=[^\W\d_])")


def targets_in(text: str) -> list[Target]:
    """The counted things in a result: "01 phóng sự; 02 bài viết", "Ít nhất 03 cán bộ",
    "1 chuyên trang, 6 tin bài". A unit not in the usual list is a guess."""
    found: list[Target] = []
    for match in _QUANTITY.finditer(text):
        if _NOT_QUANTITY.search(fold(text[: match.start()])):
            continue  # "năm 2024", "Quyết định số 12"
        unit, known = _unit_after(text[match.end() :])
        if unit:
            quantity = int(match.group(1).replace(".", ""))
            note = None if known else f'đơn vị đếm "{unit}" là đoán từ "{match.group(0)}{unit}"'
            found.append(Target(quantity, unit, note))
    return found


def _unit_after(rest: str) -> tuple[str, bool]:
    words = re.findall(r"[^\W\d_][\w&-]*", re.split(r"[;,.:()]", rest, maxsplit=1)[0])
    folded = [fold(w) for w in words]
    for noun in COUNTED:
        size = noun.count(" ") + 1
        if " ".join(folded[:size]) == noun:
            return _lower(words[:size]), True
    picked: list[str] = []
    for word, low in zip(words, folded, strict=False):
        if low in _STOP or len(picked) == 2:
            break
        picked.append(word)
    return _lower(picked), False


def _lower(words: list[str]) -> str:
    """Lower case, except acronyms ("DN", "PTĐ")."""
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


def implied_document(result: str) -> Target | None:
    """ "BC kết quả khảo sát" or "Báo cáo ..." with no number: one report."""
    folded = fold(result)
    for start, unit in _ONE_OF.items():
        if folded == start or folded.startswith(start + " "):
            return Target(1, unit, f'"{shorten(result, 60)}" hiểu là 01 {unit}')
    return None
