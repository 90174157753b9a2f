"""CSRF protection for every form: a random value in an HttpOnly, SameSite=Strict cookie and
the same value, signed, in the form. A post without both, or with a mismatch, is refused."""

from __future__ import annotations

import secrets
from functools import lru_cache

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "kehoach_csrf"
FIELD = "csrf_token"


class CsrfError(Exception):
    pass


@lru_cache(maxsize=8)
def _signer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="kehoach-csrf")


@lru_cache(maxsize=4096)
def _token(secret: str, nonce: str) -> str:
    """The form token of a cookie value: the same every time (no timestamp), so a browser's
    token is signed once, not on every page it opens."""
    return str(_signer(secret).dumps(nonce))


def issue(request: Request, secret: str) -> tuple[str, str]:
    """(cookie value, form token): the request's cookie kept, or a new one."""
    nonce = request.cookies.get(COOKIE) or secrets.token_urlsafe(24)
    return nonce, _token(secret, nonce)


def set_cookie(response: Response, nonce: str, secure: bool) -> None:
    response.set_cookie(COOKIE, nonce, httponly=True, samesite="strict", secure=secure)


def verify(request: Request, form_token: object, secret: str) -> None:
    nonce = request.cookies.get(COOKIE)
    if not nonce or not isinstance(form_token, str):
        raise CsrfError("thiếu mã chống giả mạo biểu mẫu")
    try:
        signed = _signer(secret).loads(form_token)
    except BadSignature:
        raise CsrfError("mã chống giả mạo biểu mẫu không đúng") from None
    if not secrets.compare_digest(str(signed), nonce):
        raise CsrfError("mã chống giả mạo biểu mẫu không khớp")
