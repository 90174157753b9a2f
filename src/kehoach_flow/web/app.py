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

from kehoach_flow.errors import NotFoundError
from kehoach_flow.orchestration.service import Service
from kehoach_flow.settings import Settings
from kehoach_flow.web import auth, pages, update
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

    app = FastAPI(title="kehoach-flow", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )
    app.include_router(update.router(settings, engine))
    app.include_router(auth.router(settings, engine))
    app.include_router(pages.router(settings, engine))

    @app.exception_handler(auth.LoginRequired)
    def login_required(request: Request, exc: auth.LoginRequired) -> Response:
        return auth.login_redirect(exc.next_path)

    @app.exception_handler(NotFoundError)
    def not_found(request: Request, exc: NotFoundError) -> Response:
        return message(request, 404, "Không tìm thấy", exc.message, "warning")

    @app.get("/health")
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
