"""Settings read from KEHOACH_* environment variables and .env, only when asked."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from kehoach_flow.cutoff import CUTOFF_DAY, CutoffDayField
from kehoach_flow.errors import KehoachError, StorageError


def _iso_day(value: object) -> object:
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("cần một ngày dạng YYYY-MM-DD") from None
    return value or None


DayField = Annotated[date | None, BeforeValidator(_iso_day)]


class Settings(BaseSettings):
    """Everything an operator can set; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_prefix="KEHOACH_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path(".kehoach"))
    database_url: str | None = None
    definitions: Path = Field(default=Path("definitions"))
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    mail_transport: Literal["file", "smtp"] = "file"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout: float = 30.0
    # Messages sent at once, one per connection; a killed sender may repeat this many.
    smtp_connections: int = Field(default=3, ge=1, le=20)
    outbox_lease_seconds: float = Field(default=600.0, gt=0)
    mail_from: str = "kehoach@localhost"
    timezone: str = "Asia/Ho_Chi_Minh"
    today: DayField = None  # read it through kehoach_flow.clock.today(), never directly
    at_risk_days: int = 5
    # An extension request must arrive this many working days before the due date in force
    # (a coordinator may still record a later one): tracking.extensions.
    extension_notice_days: int = Field(default=5, ge=0, le=60)
    # An extension request or a done report waiting this many working days for the
    # coordinator's decision is "quá hạn xử lý" in the digest, and the coordinator unit's
    # head is told: reminders.planner.plan_decisions.
    decision_escalate_days: int = Field(default=3, ge=1, le=60)
    link_max_age_days: int = 30
    evidence_max_bytes: int = 20 * 1024 * 1024
    calendar_file: Path | None = None
    report_cutoff_day: CutoffDayField = CUTOFF_DAY
    report_templates: Path | None = None
    schedule_file: Path = Field(default=Path("deploy/prefect.yaml"))
    misfire_grace_hours: float = 12.0
    # `kehoach serve` runs its own Prefect server on 127.0.0.1 (database and log under
    # data_dir/prefect); a job that fails for a reason that can pass is tried again, waiting
    # job_retry_seconds, then twice as long each time (at most 10 minutes), until its slot's
    # grace period ends; one that fails for good is mailed to operator_email and the plans'
    # coordinator units.
    prefect_port: int = Field(default=4200, ge=1, le=65535)
    prefect_start_timeout: float = Field(default=300.0, gt=0)
    prefect_start_delay: float = Field(default=0.0, ge=0)  # tests: a slow server
    job_retry_seconds: float = Field(default=30.0, gt=0)
    operator_email: str | None = None
    cookie_secure: bool = True
    session_hours: float = 12.0

    def resolved_calendar_file(self) -> Path:
        """Local working-day overrides: KEHOACH_CALENDAR_FILE or definitions/calendar.yaml."""
        return self.calendar_file or self.definitions / "calendar.yaml"

    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kehoach.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        try:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner only
        except OSError as exc:
            raise StorageError.from_os_error(
                exc, f"không tạo được thư mục dữ liệu {self.data_dir}"
            ) from None
        return self.data_dir

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the data directory.

        Processes starting together on a new data directory agree on one key: each writes its
        candidate to a private temporary file and hard-links it into place, which only the
        first can do; everyone then reads what won. The file is never seen half written.
        """
        if self.secret_key:
            return self.secret_key
        path = self.ensure_data_dir() / "secret_key"
        try:
            if not path.exists():
                _publish_key(path, secrets.token_urlsafe(48))
            key = path.read_text(encoding="ascii").strip()
        except OSError as exc:
            raise StorageError.from_os_error(
                exc, f"không tạo hoặc đọc được tệp khóa bí mật {path} (hoặc đặt KEHOACH_SECRET_KEY)"
            ) from None
        if not key:
            raise StorageError(
                f"tệp khóa bí mật {path} rỗng: xóa tệp để tạo khóa mới "
                "(các đường dẫn cập nhật đã gửi sẽ hết hiệu lực) hoặc đặt KEHOACH_SECRET_KEY"
            )
        return key


def _publish_key(path: Path, key: str) -> None:
    """Put `key` at `path` unless another process got there first (then keep theirs)."""
    fd, temporary = tempfile.mkstemp(prefix=".secret_key.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def load_settings() -> Settings:
    """Settings from the environment; a wrong value is one line naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        name = f"KEHOACH_{str(error['loc'][0]).upper()}" if error["loc"] else "KEHOACH_*"
        reason = (error.get("ctx") or {}).get("error") or error["msg"]
        raise KehoachError(
            f'cấu hình {name}="{error.get("input")}" không hợp lệ: {reason}'
        ) from None
