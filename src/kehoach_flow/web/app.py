"""The FastAPI app. `kehoach serve` runs it with the scheduler (the Service) beside it;
`kehoach web` runs it alone, for a scale-out where Prefect workers run the flows."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from kehoach_flow.orchestration.service import Service
from kehoach_flow.settings import Settings


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
