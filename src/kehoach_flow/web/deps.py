"""What a route asks FastAPI for, as parameters: the app's settings, database, page cache and
today, the signed-in account, a coordinator's account.

    @router.get("/tien-do")
    def timeline(request: Request, user: SignedIn, engine: DB, day: Today) -> Response: ...

`create_app` puts the settings, engine and secret key on `app.state`; these read them from
there. They are `async`, so FastAPI calls them on the event loop without the thread hop a
plain `def` dependency costs; the account reads the database in a worker thread only when
this process has not confirmed the session in the last second (web/auth.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from kehoach_flow import clock
from kehoach_flow.accounts import Account
from kehoach_flow.accounts.scope import Scope, scope_of
from kehoach_flow.settings import Settings
from kehoach_flow.web.auth import Forbidden, LoginRequired, signed_in_account
from kehoach_flow.web.cache import PlanCache, cache_for


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def app_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def app_cache(request: Request) -> PlanCache:
    """The derived states of the plans, shared by every page and the API."""
    return cache_for(request.app.state.engine)


async def app_today(request: Request) -> date:
    """Today where the plans run: the one clock (KEHOACH_TODAY when set)."""
    return clock.today(request.app.state.settings)


async def signed_in(request: Request) -> Account:
    """The signed-in account; anyone else is sent to the sign-in page and back."""
    found = await signed_in_account(request)
    if found is None:
        raise LoginRequired(request.url.path)
    return found


async def coordinator(user: Annotated[Account, Depends(signed_in)]) -> Account:
    """A signed-in account that may change things; a viewer gets a 403 page."""
    if not user.can_edit:
        raise Forbidden("Tài khoản của anh/chị chỉ được xem; việc này cần tài khoản phòng chủ trì.")
    return user


async def user_scope(request: Request, user: Annotated[Account, Depends(signed_in)]) -> Scope:
    """What the signed-in account may see and change (accounts/scope.py), decided once per
    request: every page, filter, count and download asks this, never the role alone."""
    engine: Engine = request.app.state.engine
    return await run_in_threadpool(scope_of, engine, user)


AppSettings = Annotated[Settings, Depends(app_settings)]
DB = Annotated[Engine, Depends(app_engine)]
Cache = Annotated[PlanCache, Depends(app_cache)]
Today = Annotated[date, Depends(app_today)]
SignedIn = Annotated[Account, Depends(signed_in)]
Coordinator = Annotated[Account, Depends(coordinator)]
UserScope = Annotated[Scope, Depends(user_scope)]
