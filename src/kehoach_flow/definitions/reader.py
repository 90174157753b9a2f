"""Reads definition files from disk into validated models, each error as file:line:col."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kehoach_flow.definitions.models import PlanFile, ProgrammeFile, UnitsFile
from kehoach_flow.definitions.source import Loc, SourceDoc, read_yaml
from kehoach_flow.errors import Problem

_KINDS: dict[str, type[BaseModel]] = {
    "units": UnitsFile,
    "programme": ProgrammeFile,
    "plan": PlanFile,
}


@dataclass
class ParsedFile:
    """One definition file: its validated model and the positions of its nodes."""

    doc: SourceDoc
    model: UnitsFile | ProgrammeFile | PlanFile


def display_path(path: Path) -> str:
    """A path as a user would type it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def discover(path: Path) -> list[Path]:
    """The YAML files named by `path` plus the shared ones (units, programmes) above it.

    A single plan file is checked against the units and programmes of the definitions tree
    it sits in, so `kehoach validate definitions/plans/x.yaml` works on its own. Units may
    be split over units.yaml and units.*.yaml beside it (`kehoach import` proposes new units
    in units.PLAN-KEY.yaml).
    """
    if not path.exists():
        return []
    files = sorted(_yaml_files(path)) if path.is_dir() else [path]
    root = definitions_root(path)
    if root is not None:
        shared = [
            root / "units.yaml",
            *sorted(root.glob("units.*.y*ml")),  # e.g. units proposed by `kehoach import`
            *sorted((root / "programmes").glob("*.y*ml")),
        ]
        files = [*[f for f in shared if f.is_file() and f not in files], *files]
    return files


def _yaml_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]


def definitions_root(path: Path) -> Path | None:
    start = path if path.is_dir() else path.parent
    for candidate in (start, *start.parents):
        if (candidate / "units.yaml").is_file():
            return candidate
    return None


def parse_file(path: Path) -> tuple[ParsedFile | None, list[Problem]]:
    doc, problems = read_yaml(path, display_path(path))
    if doc.data is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, [*problems, doc.problem((), "tệp phải là một khối khóa: giá trị")]
    kinds = [k for k in _KINDS if k in doc.data]
    if not kinds:
        message = "không rõ loại tệp: cần khóa units:, programme: hoặc plan: ở đầu tệp"
        return None, [*problems, doc.problem((), message)]
    model_class = _KINDS[kinds[0]]
    try:
        model = model_class.model_validate(doc.data)
    except ValidationError as exc:
        return None, [*problems, *_translate(doc, exc)]
    return ParsedFile(doc, model), problems  # type: ignore[arg-type]


def _translate(doc: SourceDoc, exc: ValidationError) -> list[Problem]:
    seen: dict[tuple[int, int], Problem] = {}
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(error["loc"])
        problem = doc.problem(loc, _message(error, loc), error["type"] == "extra_forbidden")
        seen.setdefault((problem.line, problem.column), problem)
    return list(seen.values())


def _message(error: Any, loc: Loc) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    field = next((p for p in reversed(loc) if isinstance(p, str) and "[" not in p), "")
    messages = {
        "missing": f'thiếu trường bắt buộc "{field}"',
        "extra_forbidden": f'trường "{field}" không có trong định dạng (gõ nhầm tên trường?)',
        "string_type": f'"{field}" cần là văn bản',
        "string_too_short": f'"{field}" không được để trống',
        "int_type": f'"{field}" cần là số nguyên',
        "int_parsing": f'"{field}" cần là số nguyên',
        "int_from_float": f'"{field}" cần là số nguyên',
        "date_type": f'"{field}" cần là ngày có thật, dạng YYYY-MM-DD',
        "date_parsing": f'"{field}" cần là ngày có thật, dạng YYYY-MM-DD',
        "date_from_datetime_parsing": f'"{field}" cần là ngày có thật, dạng YYYY-MM-DD',
        "date_from_datetime_inexact": f'"{field}" cần là ngày có thật, dạng YYYY-MM-DD',
        "list_type": f'"{field}" cần là danh sách',
        "dict_type": f'"{field}" cần là khối khóa: giá trị',
        "model_type": f'"{field}" cần là khối khóa: giá trị',
        "model_attributes_type": f'"{field}" cần là khối khóa: giá trị',
        "literal_error": f'"{field}" không hợp lệ; chấp nhận: {ctx.get("expected", "")}',
        "greater_than_equal": f'"{field}" phải từ {ctx.get("ge")} trở lên',
        "less_than_equal": f'"{field}" phải nhỏ hơn hoặc bằng {ctx.get("le")}',
        "string_pattern_mismatch": _pattern_message(field, str(ctx.get("pattern", ""))),
        "string_too_long": f'"{field}" quá dài (tối đa {ctx.get("max_length")} ký tự)',
        "value_error": f'"{field}" {ctx.get("error", "")}',
    }
    return messages.get(kind, f'"{field}": {error["msg"]}')


def _pattern_message(field: str, pattern: str) -> str:
    if "@" in pattern:
        return f'"{field}" không phải địa chỉ thư hợp lệ'
    if pattern.startswith("^BC-"):
        return f'"{field}" là ký hiệu của báo cáo: "BC-" rồi ký hiệu cơ quan, ví dụ BC-SKHCN'
    if "A-Z" in pattern:
        return f'"{field}" là khóa: chỉ gồm chữ không dấu, số, ".", "_" và "-"'
    return f'"{field}" là mã đơn vị: chỉ gồm chữ thường không dấu, số và "-"'
