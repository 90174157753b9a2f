"""Cell values: unit names to keys, funding spellings to one source, targets from result
text, totals in words, and YAML scalars that read back as written."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach_flow.definitions import read_catalog
from kehoach_flow.definitions.source import read_yaml_bytes
from kehoach_flow.importing.values import FundingSources, UnitMatcher, UnitName, targets_in
from kehoach_flow.importing.yamlout import Entry, Mapping, Writer, scalar
from kehoach_flow.numbers import number_in_words, parse_number_words
from tests.conftest import DEFINITIONS


def _matcher() -> UnitMatcher:
    units = read_catalog(DEFINITIONS).units
    names = [UnitName(k, n) for k, u in units.items() for n in (u.name, u.short, *u.aliases) if n]
    return UnitMatcher(names)


def test_units_by_name_short_name_alias_case_diacritics_and_abbreviations() -> None:
    matcher = _matcher()
    cases = {
        "Phòng Quản lý Tiêu chuẩn Đo lường Chất lượng": "qltcdlcl",
        "phòng quản lý tcđlcl": "qltcdlcl",
        "PHONG QUAN LY TCDLCL": "qltcdlcl",
        "Phòng QL TCĐLCL": "qltcdlcl",
        "Trung tâm NC-CG và ĐMST": "tt-ncgdmst",
        "TT KT TCĐLCL": "ttkt-tcdlcl",
        "Phòng KH - TC": "kh-tc",
        "các doanh nghiệp": "cac-doanh-nghiep",
    }
    for text, key in cases.items():
        match = matcher.match(text)
        assert match is not None and match.key == key, text
    assert matcher.match("Sở Tài chính") is None
    # a spelling that only matches once abbreviations are read is a guess, said so
    guess = matcher.match("TT KT TCĐLCL")
    assert guess is not None and guess.note and "ttkt-tcdlcl" in guess.note
    assert matcher.match("Phòng Quản lý TCĐLCL").note is None  # type: ignore[union-attr]


def test_partner_cells_split_on_semicolons_commas_and_lines() -> None:
    matcher = _matcher()
    split = [
        m.key for m in matcher.split("Phòng Quản lý TCĐLCL; Các tổ chức, cá nhân có liên quan")
    ]
    assert split == ["qltcdlcl", "to-chuc-ca-nhan"]
    split = [
        m.key for m in matcher.split("Phòng QL TCĐLCL, Các DN, Các tổ chức, cá nhân có liên quan")
    ]
    assert split == ["qltcdlcl", "cac-doanh-nghiep", "to-chuc-ca-nhan"]
    split = [m.key for m in matcher.split("- Phòng KH-TC\n- Trung tâm KT TCĐLCL")]
    assert split == ["kh-tc", "ttkt-tcdlcl"]
    unknown = matcher.split("Sở Tài chính, Sở Công Thương; UBND các huyện, thị xã, thành phố")
    assert [(m.text, m.key) for m in unknown] == [
        ("Sở Tài chính", None),
        ("Sở Công Thương", None),
        ("UBND các huyện, thị xã, thành phố", None),  # lower-case pieces continue the name
    ]
    both = matcher.split("Phòng KH-TC và Phòng Quản lý TCĐLCL")
    assert [m.key for m in both] == ["kh-tc", "qltcdlcl"]


def test_funding_spellings_that_read_the_same_are_one_source() -> None:
    sources = FundingSources({"phong-su-2024": "Kinh phí xây dựng phóng sự năm 2024"})
    keys = [
        sources.key_for("Kinh phí SN KHCN năm 2024"),
        sources.key_for("Kinh phí sự nghiệp KHCN năm 2024"),
        sources.key_for("Kinh phí sự nghiệp KH&CN năm 2024"),
        sources.key_for("kinh phí sự nghiệp khoa học và công nghệ năm 2024"),
        sources.key_for("Kinh phí sự nghiệp KHCN năm 2024"),
        sources.key_for("Kinh phí xây dựng phóng sự năm 2024"),
        sources.key_for("Ngân sách tỉnh"),
    ]
    assert keys == ["sn-khcn-2024"] * 5 + ["phong-su-2024", "ns-tinh"]
    assert sources.key_for("Kinh phí năm 2025") == "kinh-phi-2025"
    titles = {s.key: s.title for s in sources.used()}
    assert titles["phong-su-2024"] == "Kinh phí xây dựng phóng sự năm 2024"  # declared, kept
    assert titles["sn-khcn-2024"] == "Kinh phí sự nghiệp KHCN năm 2024"  # the most written


def test_targets_from_result_text() -> None:
    def pairs(text: str) -> list[tuple[int, str]]:
        return [(t.quantity, t.unit) for t in targets_in(text)]

    assert pairs("01 phóng sự") == [(1, "phóng sự")]
    assert pairs("28 chợ") == [(28, "chợ")]
    assert pairs("1 chuyên trang, 6 tin bài") == [(1, "chuyên trang"), (6, "tin bài")]
    assert pairs("Ít nhất 03 cán bộ làm công tác đo lường được bồi dưỡng") == [(3, "cán bộ")]
    assert pairs("01 Phóng sự được đăng tải trên QTV; 02 bài viết trên Cổng") == [
        (1, "phóng sự"),
        (2, "bài viết"),
    ]
    assert pairs("Quyết định số 1928/QĐ-UBND ngày 20/7/2020, năm 2024 và giai đoạn 2 xong") == []
    assert pairs("1.200 lượt kiểm tra") == [(1200, "lượt")]
    (guess,) = targets_in("12 hợp đồng được ký")
    assert (guess.quantity, guess.unit) == (12, "hợp đồng") and guess.note


def test_totals_in_words_read_back() -> None:
    for n in (0, 5, 10, 15, 21, 105, 1_005, 2_024, 60_500_000, 420_000_000, 1_977_000_000, 10**12):
        assert parse_number_words(number_in_words(n)) == n
    assert parse_number_words("Bốn trăm hai mươi triệu đồng chẵn./.") == 420_000_000
    assert parse_number_words("Hai mươi lăm ngàn đồng") == 25_000
    assert parse_number_words("Một tỉ hai trăm linh năm triệu") == 1_205_000_000
    assert parse_number_words("Hai mươi tư nghìn") == 24_000
    assert parse_number_words("không rõ") is None
    assert parse_number_words("hai ba") is None


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1))
def test_any_text_is_written_as_a_scalar_that_reads_back(text: str) -> None:
    text = " ".join(text.split()) or "x"
    writer = Writer()
    mapping = Mapping()
    mapping.entries.append(Entry("title", text, note="xem: " + text))
    mapping.entries.append(Entry("long", " ".join([text] * 12)))  # folded over lines
    writer.mapping(mapping, 0)
    expected = {"title": text, "long": " ".join([text] * 12)}
    assert yaml.safe_load(writer.text()) == expected
    doc, problems = read_yaml_bytes(writer.text().encode(), "plan.yaml")
    assert (doc.data, problems) == (expected, [])


def test_scalars_that_yaml_would_read_as_something_else_are_quoted() -> None:
    for text in (
        "yes",
        "No",
        "on",
        "2024",
        "01",
        "1e3",
        "2024-01-01",
        "null",
        "~",
        "- x",
        "a: b",
        "x #y",
        "[a]",
    ):
        assert scalar(text).startswith('"'), text
    assert scalar("Phòng Quản lý TCĐLCL") == "Phòng Quản lý TCĐLCL"


def test_a_unit_name_with_a_remark_in_brackets_is_still_that_unit() -> None:
    match = _matcher().match("Phòng KH-TC (chủ trì)")
    assert match is not None and match.key == "kh-tc" and match.note


def test_a_unit_named_by_the_start_of_its_name_only_as_a_whole_cell() -> None:
    matcher = _matcher()
    (department,) = matcher.split("Sở KH&CN")
    assert department.key == "skhcn-quang-tri" and department.note
    split = matcher.split("Các cơ quan, đơn vị liên quan")
    assert [(m.text, m.key) for m in split] == [("Các cơ quan, đơn vị liên quan", None)]
