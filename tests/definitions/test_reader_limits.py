"""The YAML reader refuses what it cannot read safely, at the line and column to fix.

Each limit is met by a file a coordinator (or an upload to /dinh-nghia) could hand us: an
alias bomb, a block nested thousands deep, a file too large, a syntax slip. The answer is
always a located Vietnamese problem, never a crash, a hang or a partial read.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kehoach_flow.definitions import read_catalog
from kehoach_flow.definitions.source import MAX_FILE_BYTES, read_yaml
from kehoach_flow.definitions.yaml_values import MAX_DEPTH
from kehoach_flow.errors import DefinitionError, Problem
from tests.conftest import DEFINITIONS

CORPUS = Path(__file__).resolve().parent / "corpus"
ADDRESS_SPACE = 512 * 1024 * 1024  # a plain `kehoach validate` needs under half of this


def _tree(root: Path, name: str, text: str) -> Path:
    """A definitions tree with the real units and programmes and `text` as plans/NAME."""
    shutil.copytree(DEFINITIONS / "programmes", root / "programmes")
    shutil.copy2(DEFINITIONS / "units.yaml", root / "units.yaml")
    (root / "plans").mkdir()
    plan = root / "plans" / name
    plan.write_text(text, encoding="utf-8")
    return plan


def _valid_plan() -> str:
    """A small valid plan: corpus file 01 with its unknown lead replaced by a real one."""
    text = (CORPUS / "01-unknown-lead.yaml").read_text(encoding="utf-8")
    return text.split("\n", 1)[1].replace("lead: trung-tam-ncgd", "lead: qltcdlcl")


def _problems(plan: Path) -> list[Problem]:
    with pytest.raises(DefinitionError) as raised:
        read_catalog(plan)
    return [p for p in raised.value.problems if p.file.endswith(plan.name)]


def _alias_bomb() -> str:
    """A "billion laughs" plan: ten levels of nine aliases each, 9**9 strings expanded."""
    lines = ["plan:", "  key: bom-bi-danh", 'l0: &l0 ["ha ha ha ha ha ha ha ha"]']
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _validate_in_a_process(plan: Path) -> subprocess.CompletedProcess[str]:
    """`kehoach validate PLAN` as its own process, its address space capped: a crash or an
    exhausted memory there fails the test instead of the test run."""
    return subprocess.run(
        [sys.executable, "-m", "kehoach_flow", "validate", str(plan)],
        capture_output=True,
        text=True,
        check=False,
        cwd=plan.parent,
        preexec_fn=_limit_address_space,
        timeout=600,  # a guard against the old behaviour hanging the suite, not a measure
    )


def test_alias_bomb_is_refused_in_bounded_memory_with_one_located_line(tmp_path: Path) -> None:
    plan = _tree(tmp_path / "definitions", "bom.yaml", _alias_bomb())

    result = _validate_in_a_process(plan)

    assert result.returncode == 2, result.stderr[-2000:]
    about_file = [line for line in result.stderr.splitlines() if "bom.yaml" in line]
    assert len(about_file) == 1, result.stderr
    assert re.fullmatch(r"bom\.yaml:\d+:\d+: bí danh \"\*l\d\" làm tệp phình .*", about_file[0])
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def test_a_sequence_nested_100000_deep_on_one_line_is_refused_not_a_crash(
    tmp_path: Path,
) -> None:
    """200 KB of "- - - ..." overflowed the stack of the former parser (yaml-rs)."""
    text = "plan:\n  key: sau\nghi_chu:\n  " + "- " * 100_000 + "x\n"
    plan = _tree(tmp_path / "definitions", "sau.yaml", text)

    result = _validate_in_a_process(plan)

    assert result.returncode == 2, result.stderr[-2000:]
    # The file is level 1 and the first "-" (column 3) level 2: level N starts at 2N - 1.
    where = f"sau.yaml:4:{2 * (MAX_DEPTH + 1) - 1}: các khối lồng nhau quá sâu"
    assert where in result.stderr.splitlines()[0], result.stderr


def test_aliases_within_the_limits_read_as_the_anchored_value(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text("a: &p [kh-tc, qltcdlcl]\nb: *p\nc: {x: &n 3, y: *n}\n", encoding="utf-8")
    doc, problems = read_yaml(path)
    assert problems == []
    assert doc.data == {
        "a": ["kh-tc", "qltcdlcl"],
        "b": ["kh-tc", "qltcdlcl"],
        "c": {"x": 3, "y": 3},
    }


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a: &x [1, *x]\n", (1, 11), 'bí danh "*x" nằm bên trong chính khối "&x"'),
        ("a: 1\nb: *y\n", (2, 4), 'bí danh "*y" chưa được khai báo'),
    ],
)
def test_an_alias_to_itself_or_to_nothing_is_refused_at_the_alias(
    tmp_path: Path, text: str, where: tuple[int, int], message: str
) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text(text, encoding="utf-8")
    doc, problems = read_yaml(path)
    assert doc.data is None
    assert [(p.line, p.column) for p in problems] == [where]
    assert message in problems[0].message


def test_a_block_two_thousand_deep_is_reported_at_the_line_where_it_gets_too_deep(
    tmp_path: Path,
) -> None:
    # The file is level 1; the line "kN:", indented N spaces, opens level N + 1.
    deep = ["ghi_chu:"] + [" " * n + f"k{n}:" for n in range(1, 2000)] + [" " * 2000 + "x"]
    text = _valid_plan() + "\n".join(deep) + "\n"
    plan = _tree(tmp_path / "definitions", "sau.yaml", text)
    line = text.split("\n").index(" " * MAX_DEPTH + f"k{MAX_DEPTH}:") + 1

    (problem,) = _problems(plan)

    assert (problem.line, problem.column) == (line, MAX_DEPTH + 1)
    assert problem.message == f"các khối lồng nhau quá sâu: tối đa {MAX_DEPTH} cấp"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    padding = "# " + "x" * 98 + "\n"
    text = _valid_plan() + padding * (MAX_FILE_BYTES // len(padding) + 1)
    plan = _tree(tmp_path / "definitions", "lon.yaml", text)

    (problem,) = _problems(plan)

    assert (problem.line, problem.column) == (1, 1)
    assert problem.message.startswith("tệp quá lớn")


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (
            "a: [1, 2\nb: 3\n",
            (1, 4),
            'dấu [ mở ở đây chưa được đóng (dòng 2: thiếu dấu "," hoặc "]")',
        ),
        (
            "a: {x: 1\nb: 3\n",
            (1, 4),
            'dấu { mở ở đây chưa được đóng (dòng 2: thiếu dấu "," hoặc "}")',
        ),
        ("a: b: c\n", (1, 5), 'dấu ":" không được đặt ở đây'),
        ("a:\n  b: 1\n c: 2\n", (3, 2), "thụt lề không khớp"),
        ("a:\n\tb: 1\n", (2, 1), "thụt lề bằng phím Tab"),
        ("a: @x\n", (1, 4), 'ký tự "@" không được đứng đầu một giá trị'),
        ("a: !!binary aGk=\n", (1, 4), 'nhãn YAML "!!binary" không được hỗ trợ'),
    ],
)
def test_syntax_errors_are_said_in_vietnamese_at_libyamls_position(
    tmp_path: Path, text: str, where: tuple[int, int], words: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    _, (problem,) = read_yaml(path)
    assert (problem.line, problem.column) == where
    assert words in problem.message
    english = re.search(r"\b(expected|found|while|allowed|could not|did not)\b", problem.message)
    assert english is None, problem.message


def test_scalars_follow_the_yaml_1_2_core_schema_with_dates(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(
        "a: [No, on, yes, 010, 1_000, 1e3, 10:30, ~, '', 2024-01-05, 2024-02-30, true]\n"
        "010: giữ nguyên khóa\n",
        encoding="utf-8",
    )
    doc, problems = read_yaml(path)
    assert problems == []
    assert doc.data == {
        "a": [
            "No",
            "on",
            "yes",
            10,
            1000,
            1000.0,
            "10:30",
            None,
            "",
            date(2024, 1, 5),
            "2024-02-30",
            True,
        ],
        "010": "giữ nguyên khóa",
    }
