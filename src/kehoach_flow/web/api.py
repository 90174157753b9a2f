"""The JSON API under /api (OpenAPI at /api/openapi.json, docs at /api/docs).

Reads accept a session cookie or a token (`Authorization: Bearer kh_...`, from `kehoach user
token`); writes need a coordinator's token, so a page on another site cannot post with a
signed-in browser's cookie. Errors are JSON: {"detail": "..."} in Vietnamese, 422 with
field messages for malformed bodies, 409 with the current version for a stale update.

No `from __future__ import annotations` here: FastAPI reads the route functions' annotations,
and the dependencies they name are local to `install`.
"""

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select

from kehoach_flow.accounts import Account, token_account
from kehoach_flow.clock import now
from kehoach_flow.db.queries import find_task, list_plans, list_tasks
from kehoach_flow.db.tables import REPORT_RUN
from kehoach_flow.errors import NotFoundError
from kehoach_flow.settings import Settings
from kehoach_flow.tracking.history import Author, UpdateIn, history_rows, record_update
from kehoach_flow.tracking.status import Status
from kehoach_flow.tracking.task_views import TaskView, plan_board
from kehoach_flow.web.auth import current_account
from kehoach_flow.web.pages import board_options, plan_summary, today

Key = Annotated[str, Field(min_length=1, max_length=120)]
MAX_INT = 2**31 - 1  # ids, versions, quantities: what every database stores as an integer
MAX_AMOUNT = 10**15  # đồng; the largest amount written in words
Format: TypeAlias = Literal["docx", "md", "html"]
ALL_FORMATS: tuple[Format, ...] = ("docx", "md", "html")


class UpdateBody(BaseModel):
    """An update to a task, based on the version the client last read."""

    version: int = Field(
        ge=1, le=MAX_INT, description="phiên bản nhiệm vụ mà cập nhật này dựa trên"
    )
    status: Status | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    actuals: dict[Key, Annotated[int, Field(ge=0, le=MAX_INT)]] = Field(
        default_factory=dict,
        description="số lượng đã đạt theo chỉ tiêu: số thứ tự hoặc đơn vị tính",
    )
    spending: dict[Key, Annotated[int, Field(ge=0, le=MAX_AMOUNT)]] = Field(
        default_factory=dict, description="đã chi (đồng) theo khóa nguồn kinh phí"
    )
    note: str | None = Field(default=None, max_length=5000)
    difficulties: str | None = Field(default=None, max_length=5000)
    proposals: str | None = Field(default=None, max_length=5000)
    completed_on: date | None = None


def _all_formats() -> list[Format]:
    return list(ALL_FORMATS)


class ReportBody(BaseModel):
    plan: Key | None = None
    programme: Key | None = None
    period: Literal["q1", "q2", "q3", "q4", "6m", "9m", "year"]
    year: int = Field(ge=2000, le=2100)
    formats: list[Format] = Field(default_factory=_all_formats, min_length=1)


def install(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """Mount the API and its error handling on `app`."""
    routes = APIRouter(prefix="/api", tags=["api"])

    def reader(request: Request) -> Account:
        found = _bearer(request, engine) or current_account(request, settings, engine)
        if found is None:
            raise HTTPException(401, "cần đăng nhập hoặc mã truy cập (Authorization: Bearer ...)")
        return found

    def writer(request: Request) -> Account:
        found = _bearer(request, engine)
        if found is None:
            raise HTTPException(401, "ghi dữ liệu cần mã truy cập (Authorization: Bearer ...)")
        if not found.can_edit:
            raise HTTPException(403, "tài khoản chỉ được xem, không được sửa")
        return found

    Reader = Annotated[Account, Depends(reader)]
    Writer = Annotated[Account, Depends(writer)]

    @routes.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @routes.get("/plans")
    def plans(user: Reader) -> list[dict[str, Any]]:
        return list_plans(engine)

    @routes.get("/plans/{plan_key}/tasks")
    def tasks(
        user: Reader,
        plan_key: str,
        unit: Annotated[str | None, Query(max_length=80)] = None,
        group: Annotated[str | None, Query(max_length=20)] = None,
        derived: Annotated[str | None, Query(max_length=20)] = None,
        due_before: date | None = None,
    ) -> list[dict[str, Any]]:
        plan_summary(engine, plan_key)
        day = today(settings)
        views = {v.key: v for v in plan_board(engine, plan_key, day, board_options(settings, day))}
        found = list_tasks(engine, plan=plan_key, unit=unit, group=group, due_before=due_before)
        return [
            {**t, **_state(views[t["key"]])}
            for t in found
            if t["key"] in views and (derived is None or views[t["key"]].derived.value == derived)
        ]

    @routes.get("/tasks/{plan_key}/{task_key}")
    def task(user: Reader, plan_key: str, task_key: str) -> dict[str, Any]:
        found = find_task(engine, f"{plan_key}/{task_key}")
        return {**found, "history": history_rows(engine, found["id"])}

    @routes.post("/tasks/{plan_key}/{task_key}/updates", status_code=201)
    def post_update(user: Writer, plan_key: str, task_key: str, body: UpdateBody) -> dict[str, Any]:
        found = find_task(engine, f"{plan_key}/{task_key}")
        change = UpdateIn(
            status=body.status,
            progress=body.progress,
            actuals=body.actuals,
            spending=body.spending,
            note=body.note,
            difficulties=body.difficulties,
            proposals=body.proposals,
            completed_on=body.completed_on,
        )
        result = record_update(
            engine,
            found["id"],
            change,
            Author(user.username, "api", None, settings.timezone),
            body.version,
            now=now(settings),
        )
        return {
            "version": result.version,
            "status": result.status.value,
            "progress": result.progress,
        }

    @routes.get("/reports")
    def reports(
        user: Reader, subject: Annotated[str | None, Query(max_length=160)] = None
    ) -> list[dict[str, Any]]:
        from kehoach_flow.reports.runs import list_runs

        return [_run(r) for r in list_runs(engine, subject)]

    @routes.post("/reports", status_code=201)
    def generate_report(user: Writer, body: ReportBody) -> dict[str, Any]:
        from kehoach_flow.orchestration.daily import Runtime, chosen_period
        from kehoach_flow.reports.periods import period
        from kehoach_flow.reports.runs import generate, generate_rollup

        if (body.plan is None) == (body.programme is None):
            raise HTTPException(422, "cần đúng một trong plan hoặc programme")
        rt = Runtime(settings, engine)
        formats = tuple(dict.fromkeys(body.formats))
        if body.plan is not None:
            plan_summary(engine, body.plan)
            chosen = chosen_period(rt, body.plan, body.period, body.year)
            out = settings.ensure_data_dir() / "reports" / body.plan
            made = generate(
                engine,
                body.plan,
                chosen,
                rt.options(chosen.cutoff),
                out,
                formats,
                today(settings),
                settings.report_templates,
            )
            return {
                "subject": body.plan,
                "files": [f.name for f in made.files],
                "content_hash": made.content_hash,
            }
        chosen = period(body.period, body.year, settings.report_cutoff_day)
        out = settings.ensure_data_dir() / "reports" / str(body.programme)
        files = generate_rollup(
            engine,
            str(body.programme),
            chosen,
            rt.options(chosen.cutoff),
            out,
            settings.report_templates,
            formats,
        )
        return {"subject": f"programme:{body.programme}", "files": [f.name for f in files]}

    @routes.get("/reports/{run_id}/files/{name}")
    def report_file(
        user: Reader, run_id: Annotated[int, PathParam(ge=1, le=MAX_INT)], name: str
    ) -> FileResponse:
        with engine.connect() as conn:
            row = conn.execute(select(REPORT_RUN).where(REPORT_RUN.c.id == run_id)).first()
        paths = [Path(f) for f in (row.files or [])] if row is not None else []
        path = next((p for p in paths if p.name == name), None)
        if path is None or not path.is_file():
            raise NotFoundError("tệp báo cáo", name, "xem danh sách ở GET /api/reports")
        return FileResponse(path, filename=path.name, media_type="application/octet-stream")

    app.include_router(routes)


def _bearer(request: Request, engine: Engine) -> Account | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token_account(engine, token.strip())


def _state(view: TaskView) -> dict[str, Any]:
    return {
        "derived": view.derived.value,
        "category": view.category.value if view.category else None,
        "progress": view.state.progress,
        "open_dependencies": list(view.open_dependencies),
    }


def _run(row: dict[str, Any]) -> dict[str, Any]:
    files = [Path(f).name for f in row.get("files") or []]
    return {**row, "files": files, "links": [f"/api/reports/{row['id']}/files/{f}" for f in files]}
