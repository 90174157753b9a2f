"""The flows page (/luong): the scheduler's recent runs, the jobs that failed for good, and the
Prefect server's flow runs when one is configured (a scale-out).

These are the installation's jobs (a daily run covers every plan; a Prefect flow run names no
plan the page could check), so the page is for whole-installation accounts only: an account
of a unit gets the 403 page."""

from __future__ import annotations

import os
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kehoach_flow.orchestration.runs import given_up, recent_runs
from kehoach_flow.web.auth import Forbidden
from kehoach_flow.web.deps import DB, SignedIn, UserScope
from kehoach_flow.web.rendering import render

router = APIRouter()


@router.get("/luong", response_class=HTMLResponse)
async def flows(request: Request, user: SignedIn, scope: UserScope, engine: DB) -> Response:
    if scope.units is not None:
        raise Forbidden(
            "Trang này cho biết các việc chạy theo lịch của cả hệ thống; tài khoản của "
            "anh/chị chỉ xem được các kế hoạch của đơn vị mình."
        )
    scheduled = recent_runs(engine, 100)
    for run in scheduled:
        end = run["finished_at"]
        run["seconds"] = (end - run["started_at"]).total_seconds() if end else None
    prefect_runs, prefect_error, ui = await _prefect_runs()
    context = {
        "user": user,
        "scheduled": scheduled,
        "job_failures": given_up(engine),
        "prefect_runs": prefect_runs,
        "prefect_error": prefect_error,
        "ui": ui,
    }
    return render(request, "flows.html", context)


def _prefect_problem(exc: Exception) -> str:
    """Why the Prefect API did not answer, said to a manager (httpx words are English)."""
    if isinstance(exc, httpx.TimeoutException):
        return "máy chủ Prefect không trả lời kịp; thử tải lại trang sau ít phút"
    if isinstance(exc, httpx.ConnectError):
        return "không kết nối được máy chủ Prefect (chưa chạy hoặc đang khởi động)"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"máy chủ Prefect trả lỗi {exc.response.status_code}"
    return "máy chủ Prefect trả về dữ liệu không đọc được"


async def _prefect_runs() -> tuple[list[dict[str, Any]], str, str]:
    """Recent flow runs from the Prefect API when one is configured (scale-out), else none."""
    api = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    if not api:
        return [], "", ""
    ui = os.environ.get("PREFECT_UI_URL", "").rstrip("/") or api.removesuffix("/api")
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            response = await client.post(
                f"{api}/flow_runs/filter", json={"limit": 50, "sort": "START_TIME_DESC"}
            )
            response.raise_for_status()
            flows = {
                f["id"]: f["name"]
                for f in (await client.post(f"{api}/flows/filter", json={"limit": 200})).json()
            }
    except (httpx.HTTPError, ValueError) as exc:
        return [], f"Không đọc được Prefect API ({api}): {_prefect_problem(exc)}", ui
    runs = [
        {
            "id": r["id"],
            "name": r["name"],
            "flow": flows.get(r["flow_id"], ""),
            "state": _state_name((r.get("state") or {}).get("name", "")),
            "start": r.get("start_time"),
            "seconds": r.get("total_run_time"),
        }
        for r in response.json()
    ]
    return runs, "", ui


# Prefect's run states (its state names, and their types for names it adds) as people here say them.
PREFECT_STATES = {
    "scheduled": "Đã lên lịch",
    "late": "Trễ lịch",
    "awaitingretry": "Chờ chạy lại",
    "awaitingconcurrencyslot": "Chờ lượt chạy",
    "pending": "Chờ",
    "running": "Đang chạy",
    "retrying": "Đang chạy lại",
    "paused": "Tạm dừng",
    "suspended": "Tạm dừng",
    "cancelling": "Đang hủy",
    "cancelled": "Bị hủy",
    "completed": "Hoàn thành",
    "cached": "Hoàn thành (dùng kết quả cũ)",
    "rolledback": "Đã hoàn tác",
    "failed": "Lỗi",
    "crashed": "Lỗi hệ thống",
}


def _state_name(name: str) -> str:
    """A Prefect state name in Vietnamese; one Prefect adds later reads "Khác (name)"."""
    if not name:
        return ""
    return PREFECT_STATES.get(name.replace(" ", "").replace("_", "").lower(), f"Khác ({name})")
