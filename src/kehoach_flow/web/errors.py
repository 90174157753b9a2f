"""What a person reads when a request fails, in Vietnamese: the framework's English messages
(an HTTP status's phrase, a multipart limit, a validation error of pydantic) turned into
sentences of ours, for a JSON `detail` under /api/ and for an error page elsewhere."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

# (heading of the page, what the page and a JSON `detail` say) per status, when the framework
# gave only its English phrase.
STATUS_TEXTS: dict[int, tuple[str, str]] = {
    400: (
        "Yêu cầu không hợp lệ",
        "Yêu cầu gửi lên không đúng dạng hoặc vượt giới hạn; chưa lưu gì.",
    ),
    401: ("Cần đăng nhập", "Cần đăng nhập để xem nội dung này."),
    403: ("Không được phép", "Tài khoản này không được phép làm việc này."),
    404: ("Không tìm thấy trang", "Không tìm thấy địa chỉ này."),
    405: (
        "Không mở trực tiếp được",
        "Địa chỉ này chỉ nhận dữ liệu gửi từ biểu mẫu của trang, không mở trực tiếp được.",
    ),
    406: ("Không trả được dạng yêu cầu", "Không có nội dung ở dạng được yêu cầu."),
    409: ("Dữ liệu đã thay đổi", "Dữ liệu đã thay đổi từ khi yêu cầu được lập; chưa lưu gì."),
    413: ("Dữ liệu quá lớn", "Dữ liệu gửi lên quá lớn; chưa lưu gì."),
    415: ("Dạng dữ liệu không nhận", "Dạng dữ liệu gửi lên không được nhận."),
    422: ("Dữ liệu chưa đúng", "Dữ liệu gửi lên chưa đúng."),
    429: ("Quá nhiều yêu cầu", "Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại sau ít phút."),
}
OTHER_TEXT = ("Không thực hiện được", "Không thực hiện được yêu cầu này.")
INVALID = "Dữ liệu gửi lên chưa đúng"  # the `message` of a 422 under /api/

# Starlette's multipart limits (request.form()), in the words of the form's user.
_MULTIPART = (
    (
        re.compile(r"Too many files\. Maximum number of files is (\d+)"),
        "Gửi quá nhiều tệp một lần: tối đa {0} tệp. Hãy bớt tệp hoặc nén chúng vào một tệp .zip.",
    ),
    (
        re.compile(r"Too many fields\. Maximum number of fields is (\d+)"),
        "Biểu mẫu gửi quá nhiều trường: tối đa {0}.",
    ),
    (
        re.compile(r"(?:Part|Field) exceeded maximum size of (\d+)KB"),
        "Một ô chữ dài quá giới hạn ({0}). Hãy rút gọn nội dung, hoặc gửi phần dài dưới "
        "dạng tệp minh chứng.",
    ),
)


def multipart_text(detail: str) -> str | None:
    """Starlette's message for a multipart limit as a Vietnamese sentence; None for any
    other message."""
    for pattern, text in _MULTIPART:
        found = pattern.search(detail)
        if found:
            number = int(found.group(1))
            if "KB" in pattern.pattern:  # a size in KiB: "1 MB", "512 KB"
                return text.format(f"{number // 1024} MB" if number % 1024 == 0 else f"{number} KB")
            return text.format(number)
    return None


def http_texts(status: int, detail: Any) -> tuple[str, str]:
    """(heading, text) for an HTTP error: our own (Vietnamese) detail as it is, the
    framework's English replaced."""
    heading, text = STATUS_TEXTS.get(status, OTHER_TEXT)
    if isinstance(detail, str) and detail and not detail.isascii():
        return heading, detail  # a message of ours
    limit = multipart_text(detail) if isinstance(detail, str) else None
    return heading, f"{limit} Chưa lưu gì." if limit else text


def reference() -> str:
    """A short code for a server error, shown to the user and written to the log."""
    return secrets.token_hex(4).upper()


# --- validation errors (pydantic, through FastAPI) ------------------------------------------

_TYPES: dict[str, str] = {
    "missing": "chưa có (bắt buộc)",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "decimal_parsing": "phải là số",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "string_type": "phải là chuỗi ký tự",
    "date_parsing": "phải là ngày dạng NNNN-TT-NN, ví dụ 2024-06-30",
    "date_from_datetime_parsing": "phải là ngày dạng NNNN-TT-NN, ví dụ 2024-06-30",
    "date_from_datetime_inexact": "phải là ngày, không kèm giờ",
    "date_type": "phải là ngày dạng NNNN-TT-NN, ví dụ 2024-06-30",
    "datetime_parsing": "phải là thời điểm dạng ISO 8601",
    "datetime_type": "phải là thời điểm dạng ISO 8601",
    "json_invalid": "không phải JSON hợp lệ",
    "json_type": "không phải JSON hợp lệ",
    "dict_type": "phải là một đối tượng JSON",
    "model_type": "phải là một đối tượng JSON",
    "model_attributes_type": "phải là một đối tượng JSON",
    "list_type": "phải là một danh sách",
    "extra_forbidden": "không có trường này",
    "uuid_parsing": "phải là mã UUID",
    "string_pattern_mismatch": "không đúng mẫu cho phép",
    "finite_number": "phải là số hữu hạn",
}
_BOUNDS: dict[str, str] = {
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "greater_than": "phải lớn hơn {gt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "less_than": "phải nhỏ hơn {lt}",
    "string_too_short": "cần ít nhất {min_length} ký tự",
    "string_too_long": "dài tối đa {max_length} ký tự",
    "too_short": "cần ít nhất {min_length} phần tử",
    "too_long": "tối đa {max_length} phần tử",
    "bytes_too_long": "dài tối đa {max_length} byte",
    "int_too_big": "số quá lớn",
}


_RANGE_TYPES = ("greater_than_equal", "greater_than", "less_than_equal", "less_than")


def declared_limits(route: Any, loc: Sequence[Any]) -> dict[str, Any]:
    """The bounds (ge, gt, le, lt) a route declares for the field at `loc` ("body", name),
    ("query", name) or ("path", name); {} when not found (a nested field, another route)."""
    dependant = getattr(route, "dependant", None)
    if dependant is None or len(loc) != 2:
        return {}
    place, name = str(loc[0]), str(loc[1])
    for field in _fields(dependant, place):
        info = field.field_info
        model = info.annotation
        if place == "body" and isinstance(model, type) and issubclass(model, BaseModel):
            if name in model.model_fields:
                return _limits(model.model_fields[name].metadata)
        elif name in (field.name, field.alias):
            return _limits(info.metadata)
    return {}


def _fields(dependant: Any, place: str) -> list[Any]:
    """The route's parameters of one place, its dependencies' included."""
    found = list(getattr(dependant, f"{place}_params", []) or [])
    for sub in getattr(dependant, "dependencies", []) or []:
        found += _fields(sub, place)
    return found


def _limits(metadata: Sequence[Any]) -> dict[str, Any]:
    return {
        name: getattr(m, name)
        for m in metadata
        for name in ("ge", "gt", "le", "lt")
        if getattr(m, name, None) is not None
    }


def _choices(expected: str) -> str:
    """pydantic's "'docx', 'md' or 'html'" as "docx, md hoặc html"."""
    return expected.replace("'", "").replace(" or ", " hoặc ")


def field_message(error: dict[str, Any], route: Any = None) -> str:
    """One validation error as a Vietnamese phrase about its field; a number out of a range
    whose both ends the route declares says the range ("phải là số từ 0 đến 100")."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in _TYPES:
        return _TYPES[kind]
    limits = declared_limits(route, error.get("loc", ()))
    if kind in _RANGE_TYPES and "ge" in limits and "le" in limits:
        return f"phải là số từ {_number(limits['ge'])} đến {_number(limits['le'])}"
    if kind in _BOUNDS:
        try:
            return _BOUNDS[kind].format(**{k: _number(v) for k, v in ctx.items()})
        except (KeyError, IndexError):
            return "giá trị ngoài giới hạn cho phép"
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return f"phải là một trong: {_choices(str(ctx['expected']))}"
    if kind in ("value_error", "assertion_error"):
        said = str(ctx.get("error", ""))  # a validator of ours raises a Vietnamese sentence
        if said and not said.isascii():
            return said
    return "giá trị không hợp lệ"


def _number(value: Any) -> Any:
    """A bound as a person reads it: 2147483647 -> 2.147.483.647."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}".replace(",", ".")
    return value


def field_name(loc: Sequence[Any]) -> str:
    """("body", "actuals", "x") -> "actuals.x"; ("query", "unit") -> "unit"; ("body",) ->
    "body"."""
    parts = [str(p) for p in loc[1:]] if len(loc) > 1 else [str(p) for p in loc]
    return ".".join(parts) or "body"


def validation_body(errors: Sequence[dict[str, Any]], route: Any = None) -> dict[str, Any]:
    """The JSON of a 422 under /api/: `detail` keeps FastAPI's list (the OpenAPI schema's
    HTTPValidationError: loc, msg, type) with each `msg` in Vietnamese; `message` says it
    in one sentence and `errors` maps each field to its message."""
    detail = []
    fields: dict[str, str] = {}
    for error in errors:
        text = field_message(error, route)
        loc = list(error.get("loc", ()))
        detail.append({"loc": loc, "msg": text, "type": str(error.get("type", ""))})
        fields.setdefault(field_name(loc), text)
    return {"detail": detail, "message": INVALID, "errors": fields}


_PLACES = {
    "path": "Một phần của địa chỉ",
    "query": "Một tham số trên địa chỉ",
    "body": "Dữ liệu gửi lên",
    "header": "Thông tin kèm yêu cầu",
    "cookie": "Cookie của trình duyệt",
}


def page_details(errors: Sequence[dict[str, Any]], route: Any = None) -> list[tuple[str, str]]:
    """What a page says of validation errors: where the wrong value is (the address, the
    data sent) and what it should be; never the parameter's code name."""
    shown: list[tuple[str, str]] = []
    for error in errors:
        loc = list(error.get("loc", ())) or ["body"]
        row = (_PLACES.get(str(loc[0]), "Dữ liệu gửi lên"), field_message(error, route))
        if row not in shown:
            shown.append(row)
    return shown
