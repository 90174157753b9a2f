"""The FastAPI app. `kehoach serve` runs it with the scheduler (the Service) beside it;
`kehoach web` runs it alone, for a scale-out where Prefect workers run the flows."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text

from kehoach_flow.errors import KehoachError, NotFoundError, StaleVersionError
from kehoach_flow.orchestration.service import Service
from kehoach_flow.settings import Settings
from kehoach_flow.web import admin_pages, api, auth, pages, update, work_pages
from kehoach_flow.web.update import message


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
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )
    for pages_of in (
        update.router,
        auth.router,
        pages.router,
        work_pages.router,
        admin_pages.router,
    ):  # HTML: not in the API schema
        app.include_router(pages_of(settings, engine), include_in_schema=False)

    @app.exception_handler(auth.Forbidden)
    def forbidden(request: Request, exc: auth.Forbidden) -> Response:
        return message(request, 403, "Không được phép", str(exc), "danger")

    @app.exception_handler(auth.LoginRequired)
    def login_required(request: Request, exc: auth.LoginRequired) -> Response:
        return auth.login_redirect(exc.next_path)

    api.install(app, settings, engine)

    @app.exception_handler(KehoachError)
    def refused(request: Request, exc: KehoachError) -> Response:
        """A user error as JSON under /api (409 with the current version for a stale
        update), else as a page; never a traceback."""
        status = 404 if isinstance(exc, NotFoundError) else 400
        if request.url.path.startswith("/api/"):
            if isinstance(exc, StaleVersionError):
                body = {"detail": exc.message, "current_version": exc.current}
                return JSONResponse(body, status_code=409)
            return JSONResponse({"detail": exc.message}, status_code=status)
        heading = "Không tìm thấy" if status == 404 else "Không thực hiện được"
        return message(request, status, heading, exc.message, "warning")

    @app.get("/health", include_in_schema=False)
    def health() -> JSONResponse:
        """For monitors: 200 when the database answers, with the scheduler's state."""
        body: dict[str, Any] = {"status": "ok"}
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
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
    from kehoach_flow.db.engine import check_schema, create_db_engine
    from kehoach_flow.settings import load_settings

    settings = load_settings()
    engine = create_db_engine(settings.resolved_database_url())
    check_schema(engine)
    return create_app(settings, engine)
