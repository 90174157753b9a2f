"""Which failures can pass: a job failing for one of them is tried again within its slot's
grace period; any other failure is final at once and reported to people."""

from __future__ import annotations

# Said by Prefect's client, SQLite, Postgres drivers and SMTP clients when the other side is
# down, restarting or busy (lower case).
_PASSING = (
    "failed to reach api",
    "timed out while attempting to connect",
    "cannot connect to",
    "database is locked",
    "database is busy",
    "could not connect",
    "connection refused",
    "connection reset",
    "server closed the connection",
    "máy chủ thư không nhận",
)


def can_pass(error: BaseException | None) -> bool:
    """True if trying again later can succeed: the Prefect API, the database or the mail
    server unreachable or busy. An error may say so itself (a `transient` attribute)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        said = getattr(current, "transient", None)
        if isinstance(said, bool):
            return said
        if isinstance(current, ConnectionError | TimeoutError) or _transport_error(current):
            return True
        if any(words in str(current).lower() for words in _PASSING):
            return True
        pending += [current.__cause__, current.__context__]
    return False


def _transport_error(error: BaseException) -> bool:
    """httpx's and aiosmtplib's connection errors, without importing either here."""
    names = {cls.__name__ for cls in type(error).__mro__}
    return bool(
        names
        & {
            "TransportError",  # httpx: connect, read, write, pool and protocol errors
            "SMTPConnectError",
            "SMTPServerDisconnected",
            "SMTPConnectTimeoutError",
            "SMTPTimeoutError",
        }
    )
