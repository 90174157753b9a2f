"""Accounts in the browser (/tai-khoan): an admin creates, disables and re-enables the
accounts within its scope, resets a password (asked anew at the next sign-in), revokes API
tokens, and reads the audit log. (Being built: issue 21.)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
