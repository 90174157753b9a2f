"""The library's error tree; the CLI and web turn these into one line or a 4xx at the edge."""

from __future__ import annotations

from dataclasses import dataclass


class KehoachError(Exception):
    """Base of every error a user can cause and fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, order=True)
class Problem:
    """One fault in a definition file, located to the character."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class DefinitionError(KehoachError):
    """Definition files with one or more faults; nothing was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        count = len(self.problems)
        super().__init__(f"{count} lỗi trong tệp định nghĩa, không nạp gì.")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class ScheduleError(KehoachError):
    """A "Tiến độ" expression that matches none of the accepted forms."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(f'không hiểu tiến độ "{text}"')


class AmountError(KehoachError):
    """An amount of money that is negative, not a number or in an unknown unit."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f'số tiền "{text}" không hợp lệ: {reason}')


class SchemaOutdatedError(KehoachError):
    """The database schema is behind the code's migrations."""

    def __init__(self, current: str | None, head: str) -> None:
        self.current = current
        self.head = head
        at = current or "trống"
        super().__init__(
            f"Cơ sở dữ liệu chưa cập nhật lược đồ (đang ở {at}, cần {head}): "
            "chạy `kehoach db upgrade`."
        )


class NotFoundError(KehoachError):
    """A plan, task or unit named by the user does not exist."""

    def __init__(self, kind: str, key: str, hint: str = "") -> None:
        self.kind = kind
        self.key = key
        super().__init__(f'không tìm thấy {kind} "{key}"' + (f"; {hint}" if hint else ""))


class AmbiguousTaskError(KehoachError):
    """A bare task key that exists in several plans."""

    def __init__(self, key: str, plans: list[str]) -> None:
        self.key = key
        self.plans = plans
        choices = ", ".join(f"{p}/{key}" for p in plans)
        super().__init__(f'nhiệm vụ "{key}" có trong nhiều kế hoạch; hãy ghi rõ: {choices}')


class TransitionError(KehoachError):
    """A status change the lifecycle does not allow, or an unknown status."""


class UpdateError(KehoachError):
    """An update whose values cannot be applied (progress out of range, unknown target...)."""


class DependencyOpenError(KehoachError):
    """Marking a task done while a task it depends on is still open, without --force."""

    def __init__(self, task: str, open_keys: list[str]) -> None:
        self.task = task
        self.open_keys = open_keys
        keys = ", ".join(open_keys)
        super().__init__(
            f'nhiệm vụ "{task}" còn phụ thuộc chưa hoàn thành: {keys}; '
            'nếu vẫn muốn ghi hoàn thành, thêm --force và --reason "lý do"'
        )


class StaleVersionError(KehoachError):
    """An update based on an old version of the task (optimistic locking)."""

    def __init__(
        self, task: str, expected: int, current: int, by: str | None, at: str | None
    ) -> None:
        self.task = task
        self.expected = expected
        self.current = current
        self.by = by
        self.at = at
        who = f" bởi {by}" if by else ""
        when = f" lúc {at}" if at else ""
        super().__init__(
            f'nhiệm vụ "{task}" đã được cập nhật{who}{when} (phiên bản {current}, bạn sửa từ '
            f"phiên bản {expected}); xem lại rồi cập nhật lại"
        )


class EvidenceTooLargeError(KehoachError):
    """An evidence file over the configured size limit."""

    def __init__(self, name: str, size: int, limit: int) -> None:
        self.name = name
        self.size = size
        self.limit = limit
        super().__init__(
            f'tệp minh chứng "{name}" nặng {size:,} byte, vượt giới hạn {limit:,} byte'.replace(
                ",", "."
            )
        )


class CalendarError(KehoachError):
    """A fault in a working-day override file, or a date outside the calendar's years."""

    def __init__(self, reason: str, *, file: str | None = None, entry: str | None = None) -> None:
        self.reason = reason
        self.file = file
        self.entry = entry
        where = [f"tệp {file}"] if file else []
        where += [f"mục {entry}"] if entry else []
        place = f" ({', '.join(where)})" if where else ""
        super().__init__(f"lịch ngày làm việc{place}: {reason}")


class LinkError(KehoachError):
    """An update link that is forged, altered, meant for another task, or expired."""

    def __init__(self, reason: str, expired: bool = False) -> None:
        self.reason = reason
        self.expired = expired
        super().__init__(f"đường dẫn cập nhật không dùng được: {reason}")


class StorageError(KehoachError):
    """A data directory, database file or key file that is missing, read-only or unusable."""

    @classmethod
    def from_os_error(cls, exc: OSError, doing: str) -> StorageError:
        """`doing` names the path ("không tạo được thư mục /x"); the reason is said in Vietnamese."""
        return cls(f"{doing}: {os_reason(exc)}")


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Vietnamese (never the system's English text)."""
    import errno

    reasons = {
        errno.EROFS: "hệ thống tệp chỉ đọc",
        errno.EACCES: "không có quyền truy cập",
        errno.EPERM: "không được phép (tệp hoặc thư mục bị khóa chỉ đọc)",
        errno.ENOENT: "không tồn tại",
        errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
        errno.EISDIR: "là thư mục, không phải tệp",
        errno.ENOSPC: "hết chỗ trống trên đĩa",
        errno.EDQUOT: "vượt hạn mức dung lượng",
        errno.EEXIST: "đã tồn tại",
    }
    return reasons.get(exc.errno or 0, f"lỗi hệ thống tệp (mã {exc.errno})")
