"""The FastAPI app. `kehoach serve` runs it with the scheduler (the Service) beside it;
`kehoach web` runs it alone, for a scale-out where Prefect workers run the flows."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kehoach_flow.db.queries import ping
from kehoach_flow.errors import KehoachError, NotFoundError, StaleVersionError
from kehoach_flow.orchestration.service import Service
from kehoach_flow.settings import Settings
from kehoach_flow.web import (
    admin,
    api,
    auth,
    decisions,
    flows,
    mail,
    overdue,
    people,
    plans,
    programmes,
    reports,
    security,
    today,
    units,
    update,
)
from kehoach_flow.web.errors import http_texts, page_details, reference, validation_body
from kehoach_flow.web.rendering import message

# HTML pages, one router per noun, in the order their routes are matched.
PAGES = (
    update.router,
    auth.router,
    plans.router,
    decisions.router,
    today.router,
    overdue.router,
    units.router,
    people.router,
    programmes.router,
    mail.router,
    reports.router,
    flows.router,
    admin.router,
)


def _data_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    errors: list[type[BaseException]] = [sqlite3.DataError, OverflowError, ValueError]
    try:
        import psycopg

        errors.append(psycopg.DataError)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return tuple(errors)


DATA_ERRORS = _data_errors()
NOT_FOUND_DETAIL = "Không tìm thấy địa chỉ này"  # an unknown /api/ address, as JSON
LOG = logging.getLogger("kehoach_flow.web")


def create_app(settings: Settings, engine: Engine, service: Service | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if service is not None:
            worker = threading.Thread(target=service.start, name="kehoach-scheduler", daemon=True)
            worker.start()
        yield
        if service is not None:
            service.stop()
        if worker is not None:
            worker.join()

    app = FastAPI(
        title="kehoach-flow",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,  # security.install_docs: from the package's files, no CDN
        redoc_url=None,
    )
    security.install(app)
    security.install_docs(app, "/api/openapi.json")
    # What the routes' dependencies (web/deps.py) and the templates' filters read.
    app.state.settings = settings
    app.state.engine = engine
    app.state.secret = settings.resolved_secret_key()
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )
    for router in PAGES:  # HTML: not in the API schema
        app.include_router(router, include_in_schema=False)

    @app.middleware("http")
    async def refuse_nul(request: Request, call_next: Any) -> Response:
        """A NUL character in the path or query reaches no query: Postgres cannot store or
        compare it, and no key or filter of ours contains one."""
        if (
            "\x00" in request.url.path
            or "%00" in request.url.query.lower()
            or "\x00" in request.url.query
        ):
            text = "đường dẫn chứa ký tự không hợp lệ (NUL)"
            if request.url.path.startswith("/api/"):
                return JSONResponse({"detail": text}, status_code=400)
            return message(
                request,
                400,
                "Yêu cầu không hợp lệ",
                "Địa chỉ chứa ký tự không hợp lệ (NUL); chưa làm gì.",
                "warning",
                link="/",
                link_text="Về trang tổng quan",
            )
        return await call_next(request)

    @app.exception_handler(DBAPIError)
    def bad_data(request: Request, exc: DBAPIError) -> Response:
        """Data the database refuses (a NUL inside a text, a number out of its range) is the
        client's error; anything else is still a server error."""
        if not isinstance(exc.orig, DATA_ERRORS):
            raise exc
        text = "dữ liệu gửi lên có giá trị cơ sở dữ liệu không nhận (ký tự NUL, số quá lớn...)"
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": text}, status_code=422)
        return message(request, 422, "Dữ liệu không hợp lệ", text, "warning")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """An HTTP error (an address no route or file answers, a GET on a form's address,
        a multipart limit...): a Vietnamese page in the site's layout, or a Vietnamese JSON
        `detail` under /api/; a detail of ours keeps its words."""
        if request.url.path.startswith("/api/"):
            detail = exc.detail
            if exc.status_code == 404 and detail == "Not Found":
                detail = NOT_FOUND_DETAIL
            elif exc.status_code == 405 and detail == "Method Not Allowed":
                headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
                allowed = headers.get("allow", "")
                detail = f"Địa chỉ này không nhận phương thức {request.method}" + (
                    f"; chỉ nhận: {allowed}" if allowed else ""
                )
            elif isinstance(detail, str):
                detail = http_texts(exc.status_code, detail)[1]
            return JSONResponse({"detail": detail}, exc.status_code, headers=exc.headers)
        user = await auth.signed_in_account(request)
        if exc.status_code == 404:
            return message(
                request,
                404,
                "Không tìm thấy trang",
                "Địa chỉ này không có trong hệ thống; có thể đường dẫn gõ sai hoặc đã cũ.",
                "warning",
                link="/",
                link_text="Về trang tổng quan",
                user=user,
            )
        heading, text = http_texts(exc.status_code, exc.detail)
        page = message(
            request,
            exc.status_code,
            heading,
            text,
            "warning",
            link="/",
            link_text="Về trang tổng quan",
            user=user,
        )
        for name, value in (exc.headers or {}).items():  # Allow on a 405
            page.headers.setdefault(name, value)
        return page

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """A value FastAPI cannot read (a path, a query, a JSON body): under /api/, a 422
        whose messages are Vietnamese; elsewhere, a 400 page saying which value is wrong."""
        route = request.scope.get("route")
        body = validation_body(exc.errors(), route)
        if request.url.path.startswith("/api/"):
            return JSONResponse(body, status_code=422)
        return message(
            request,
            400,
            "Yêu cầu không hợp lệ",
            "Địa chỉ hoặc dữ liệu gửi lên có giá trị chưa đúng; chưa làm gì.",
            "warning",
            details=page_details(exc.errors(), route),
            link="/",
            link_text="Về trang tổng quan",
            user=await auth.signed_in_account(request),
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        """Anything unforeseen: a calm Vietnamese page (or JSON under /api/) with a short
        reference the operator finds in the log beside the traceback; never the traceback."""
        code = reference()
        LOG.error(
            "lỗi máy chủ, mã tham chiếu %s: %s %s",
            code,
            request.method,
            request.url.path,
            exc_info=exc,
        )
        text = (
            "Hệ thống gặp sự cố khi xử lý yêu cầu này. Hãy thử lại sau ít phút; nếu vẫn "
            f"gặp lỗi, báo quản trị viên mã tham chiếu {code}."
        )
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": text, "reference": code}, status_code=500)
        return message(
            request,
            500,
            "Hệ thống đang gặp sự cố",
            text,
            "danger",
            details=[("Mã tham chiếu", code)],
            link="/",
            link_text="Về trang tổng quan",
        )

    @app.exception_handler(auth.Forbidden)
    async def forbidden(request: Request, exc: auth.Forbidden) -> Response:
        user = await auth.signed_in_account(request)
        return message(request, 403, "Không được phép", str(exc), "danger", user=user)

    @app.exception_handler(auth.LoginRequired)
    def login_required(request: Request, exc: auth.LoginRequired) -> Response:
        return auth.login_redirect(exc.next_path)

    app.include_router(api.router)

    @app.exception_handler(KehoachError)
    async def refused(request: Request, exc: KehoachError) -> Response:
        """A user error as JSON under /api (409 with the current version for a stale
        update), else as a page; never a traceback."""
        status = 404 if isinstance(exc, NotFoundError) else 400
        if request.url.path.startswith("/api/"):
            if isinstance(exc, StaleVersionError):
                body = {"detail": exc.message, "current_version": exc.current}
                return JSONResponse(body, status_code=409)
            return JSONResponse({"detail": exc.message}, status_code=status)
        heading = "Không tìm thấy" if status == 404 else "Không thực hiện được"
        user = await auth.signed_in_account(request)
        return message(request, status, heading, exc.message, "warning", user=user)

    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        """For monitors: 200 when the database answers, with the scheduler's state."""
        body: dict[str, Any] = {"status": "ok"}
        try:
            ping(engine)
            body["database"] = "ok"
        except Exception as exc:  # the monitor needs the reason, not a 500 page
            body.update(status="error", database=str(exc).splitlines()[0])
        if service is not None:
            body["scheduler"] = service.state
            body["jobs"] = service.next_runs()
            body["caught_up"] = service.caught_up
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    return app


def app_from_env() -> FastAPI:
    """The app built from KEHOACH_* settings: for `kehoach web --workers N`, where uvicorn
    imports the app afresh in each worker process."""
    from kehoach_flow.db.engine import check_schema, open_configured
    from kehoach_flow.settings import load_settings

    settings = load_settings()
    engine = open_configured(settings)
    check_schema(engine)
    return create_app(settings, engine)
