"""Signed, expiring links to a task's update form: usable without login, unforgeable."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from kehoach_flow.errors import LinkError

_SALT = "kehoach-update-link"
DAY = 24 * 3600


@dataclass(frozen=True)
class LinkGrant:
    """What a valid link allows: updating this task, on behalf of this unit."""

    task: str  # PLAN/TASK
    unit: str


# Tokens since 2026-11: PLAN~TASK~UNIT~TIMESTAMP~SIGNATURE, the keys as they are (their
# characters are URL-safe and never "~"), about 35 characters shorter than the first format
# (base64 JSON, "."-separated), 20 links in a digest. Links mailed in the first format still
# open the form: a token without "~" is read the old way. Another salt: a signature of one
# format never passes for the other.
_SEP = "~"
_SALT_V2 = "kehoach-update-link/2"


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def _signer(secret: str) -> TimestampSigner:
    return TimestampSigner(secret, salt=_SALT_V2, sep=_SEP)


class LinkSigner:
    """Signs many grants with one secret: the signing key is derived once, not per link."""

    def __init__(self, secret: str) -> None:
        self._signer = _signer(secret)
        self._serializer = _serializer(secret)

    def token(self, grant: LinkGrant) -> str:
        if _SEP in grant.task + grant.unit:  # keys never hold it; the first format if one did
            return str(self._serializer.dumps({"t": grant.task, "u": grant.unit}))
        value = grant.task.replace("/", _SEP) + _SEP + grant.unit
        return self._signer.sign(value).decode()


def make_token(secret: str | LinkSigner, grant: LinkGrant) -> str:
    signer = secret if isinstance(secret, LinkSigner) else LinkSigner(secret)
    return signer.token(grant)


def update_url(base_url: str, secret: str | LinkSigner, grant: LinkGrant) -> str:
    return f"{base_url.rstrip('/')}/cap-nhat/{make_token(secret, grant)}"


def read_token(secret: str, token: str, max_age_days: int) -> LinkGrant:
    """The grant a token carries; LinkError if forged, altered or older than `max_age_days`."""
    try:
        if _SEP in token:
            value = _signer(secret).unsign(token, max_age=max_age_days * DAY).decode()
            task, _, unit = value.rpartition(_SEP)
            data: object = {"t": task.replace(_SEP, "/"), "u": unit} if task else None
        else:  # the first format: links mailed before 2026-11
            data = _serializer(secret).loads(token, max_age=max_age_days * DAY)
    except SignatureExpired:
        raise LinkError(
            f"đã hết hạn (quá {max_age_days} ngày); hãy xin đường dẫn mới", expired=True
        ) from None
    except BadSignature:
        raise LinkError("chữ ký không đúng (đường dẫn bị sửa hoặc giả mạo)") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("t"), str)
        or not isinstance(data.get("u"), str)
    ):
        raise LinkError("nội dung không đúng")
    return LinkGrant(data["t"], data["u"])
