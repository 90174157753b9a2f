"""Transports that deliver built messages: SMTP, or .eml files in an outbox folder."""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import hashlib
import os
import tempfile
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast
from urllib.parse import quote

import aiosmtplib
from aiosmtplib.email import extract_recipients

if TYPE_CHECKING:
    from kehoach_flow.settings import Settings

Security = Literal["none", "starttls", "tls"]

MISSING_ID = "thư thiếu Message-ID, không gửi"
MAY_HAVE_IT = "khi đang nhận nội dung thư: chưa rõ đã nhận hay chưa"


@dataclass(frozen=True)
class Delivery:
    """The outcome for one message; a permanent failure is not worth retrying.

    `offered` is False for a message that never reached the server (it was not tried, so
    it spends no attempt); `outcome_unknown` is True when the message's data went out but no
    answer came back: the server may have accepted it.
    """

    message_id: str
    ok: bool
    permanent: bool
    error: str | None
    offered: bool = True
    outcome_unknown: bool = False

    @classmethod
    def sent(cls, message_id: str) -> Delivery:
        return cls(message_id, ok=True, permanent=False, error=None)

    @classmethod
    def failed(cls, message_id: str, error: str, *, permanent: bool) -> Delivery:
        return cls(message_id, ok=False, permanent=permanent, error=error)

    @classmethod
    def not_offered(cls, message_id: str, error: str) -> Delivery:
        return cls(message_id, ok=False, permanent=False, error=error, offered=False)

    @classmethod
    def unknown(cls, message_id: str, error: str) -> Delivery:
        return cls(message_id, ok=False, permanent=False, error=error, outcome_unknown=True)


class Transport(Protocol):
    """Sends messages; one Delivery per message (returned in the messages' order, heard by
    `on_delivery` as each is known), never raising for one message."""

    async def send_batch(
        self, messages: Sequence[EmailMessage], on_delivery: OnDelivery | None = None
    ) -> list[Delivery]: ...


OnDelivery = Callable[["Delivery"], None]


def _told(delivery: Delivery, on_delivery: OnDelivery | None) -> Delivery:
    # Recorded before the next message goes on its connection: a crash can then repeat at
    # most this one (one per connection).
    if on_delivery is not None:
        on_delivery(delivery)
    return delivery


def message_id_of(message: EmailMessage) -> str:
    return str(message.get("Message-ID", "")).strip()


class FileTransport:
    """Writes <directory>/<YYYYMMDD>/<Message-ID>.eml, so a new user needs no mail server."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send_batch(
        self, messages: Sequence[EmailMessage], on_delivery: OnDelivery | None = None
    ) -> list[Delivery]:
        return await asyncio.to_thread(
            lambda: [_told(self._write(m), on_delivery) for m in messages]
        )

    def path_for(self, message: EmailMessage) -> Path:
        """Where the message goes; a Message-ID already written keeps its file, whatever the day."""
        name = _file_name(message_id_of(message))
        existing = next(self.directory.glob(f"*/{name}"), None)
        return existing or self.directory / _day_of(message).strftime("%Y%m%d") / name

    def _write(self, message: EmailMessage) -> Delivery:
        message_id = message_id_of(message)
        if not message_id:
            return Delivery.failed("", MISSING_ID, permanent=True)
        try:
            data = (
                message.raw
                if isinstance(message, StoredMessage)
                else message.as_bytes(policy=email.policy.SMTP)
            )
            _write_atomically(self.path_for(message), data)
        except OSError as exc:
            return Delivery.failed(message_id, f"không ghi được tệp thư: {exc}", permanent=False)
        return Delivery.sent(message_id)


def _file_name(message_id: str) -> str:
    # Percent-encoding is one-to-one, so two Message-IDs never share a file, and it leaves
    # no "/" or glob characters in the name.
    name = quote(message_id.strip("<>"), safe="@.-_+=")
    if len(name) > 200:
        name = name[:180] + "-" + hashlib.sha256(message_id.encode()).hexdigest()[:16]
    return name + ".eml"


def _day_of(message: EmailMessage) -> date:
    try:
        return parsedate_to_datetime(str(message["Date"])).date()
    except (TypeError, ValueError):
        return date.today()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class StoredMessage(Message):
    """A message as the outbox stored it: only its headers parsed (Message-ID, recipients,
    date), its bytes sent or written as they are, neither parsed nor generated again."""

    raw: bytes = b""

    @classmethod
    def from_bytes(cls, raw: bytes) -> StoredMessage:
        parser = BytesParser(cls, policy=email.policy.compat32)
        # The header block alone (up to the first empty line): the body is never read here.
        ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
        head = raw[: min(ends)] + b"\r\n\r\n" if ends else raw
        message = cast(StoredMessage, parser.parsebytes(head, headersonly=True))
        message.raw = raw
        return message

    def parsed(self) -> Message:
        """The whole message parsed, for a client that must encode it again."""
        return email.message_from_bytes(self.raw, policy=email.policy.compat32)


class _Unreachable(Exception):
    """No usable connection to the server: the rest of the batch is not offered."""


class _Client(aiosmtplib.SMTP):
    """An SMTP client that notes when a message's DATA goes out: from then on the server
    may accept the message, so a lost answer leaves its outcome unknown."""

    data_begun = False

    async def data(self, *args: Any, **kwargs: Any) -> aiosmtplib.SMTPResponse:
        self.data_begun = True
        return await super().data(*args, **kwargs)


TIMEOUTS_IN_A_ROW = 2  # then the server counts as unreachable for the rest of the batch


class _Batch:
    """A batch shared by its connections: what is left to send, what came of each message."""

    def __init__(self, messages: Sequence[EmailMessage], on_delivery: OnDelivery | None) -> None:
        self.messages = messages
        self.on_delivery = on_delivery
        self.todo = deque(range(len(messages)))
        self.results: list[Delivery | None] = [None] * len(messages)
        self.outage: str | None = None
        self.timeouts = 0  # in a row, over every connection
        self.live = 0  # connections that have sent and are still open
        self.opened = asyncio.Event()  # the first connection has sent, or failed to


class SmtpTransport:
    """Sends a batch over `connections` SMTP connections at once (one by default), each
    message on one of them; an outcome belongs to the message that had it.

    A timeout or a dropped line costs the message in flight (and the connection: the next
    message goes on a new one), not the batch. A message is given up for this batch only
    when no connection can be had, or after two timeouts in a row; those messages are
    reported as not offered. The connections after the first open once the first has
    sent; one the server refuses (a limit per client) leaves the batch to the others.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: Security = "none",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        mail_from: str = "kehoach@localhost",
        connections: int = 1,
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self.username = username or None
        self.password = password
        self.timeout = timeout
        self.mail_from = mail_from
        self.connections = max(1, connections)

    async def send_batch(
        self, messages: Sequence[EmailMessage], on_delivery: OnDelivery | None = None
    ) -> list[Delivery]:
        """Send over the connections; `on_delivery` hears each outcome as soon as it is known
        (in the order the answers come), the list returned is in the messages' order."""
        batch = _Batch(messages, on_delivery)
        first = asyncio.ensure_future(self._work(batch, first=True))
        others = self.connections - 1
        if others and len(messages) > 1:
            # The others open once the first connection has sent (or has failed): a server
            # that cannot be reached is found once, not once per connection.
            opened = asyncio.ensure_future(batch.opened.wait())
            await asyncio.wait([first, opened], return_when=asyncio.FIRST_COMPLETED)
            opened.cancel()
            extra = [self._work(batch, first=False) for _ in range(min(others, len(messages) - 1))]
            await asyncio.gather(first, *extra)
        else:
            await first
        while batch.todo:  # never offered: the server could not be reached
            i = batch.todo.popleft()
            reason = batch.outage or "không gửi được tới máy chủ thư"
            batch.results[i] = _told(
                Delivery.not_offered(message_id_of(messages[i]), reason), on_delivery
            )
        return [d for d in batch.results if d is not None]

    async def _work(self, batch: _Batch, *, first: bool) -> None:
        """One connection's share: the next message nobody has taken, until none is left."""
        client = _Client(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            timeout=self.timeout,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
        )
        sending = False  # this connection has sent: counted in `batch.live`
        try:
            while batch.todo and batch.outage is None:
                i = batch.todo.popleft()
                try:
                    delivery, timed_out = await self._send_one(client, batch.messages[i])
                except _Unreachable as exc:
                    batch.todo.appendleft(i)  # never offered: another connection may take it
                    if first or batch.live == 0:
                        batch.outage = str(exc)
                    return  # else the server takes fewer connections: the others go on
                finally:
                    if first:
                        batch.opened.set()
                if not sending:
                    sending = True
                    batch.live += 1
                batch.results[i] = _told(delivery, batch.on_delivery)
                batch.timeouts = batch.timeouts + 1 if timed_out else 0
                if batch.timeouts >= TIMEOUTS_IN_A_ROW:
                    batch.outage = (
                        f"máy chủ thư không trả lời {batch.timeouts} thư liền"
                        f" (mỗi thư chờ {self.timeout:g} giây); thư này chờ lần gửi sau"
                    )
        finally:
            if sending:
                batch.live -= 1
            await _quit(client)

    async def _send_one(self, client: _Client, message: EmailMessage) -> tuple[Delivery, bool]:
        """The message's outcome, and whether the server let it time out."""
        message_id = message_id_of(message)
        if not message_id:
            return Delivery.failed("", MISSING_ID, permanent=True), False
        # Only a connection kept open from an earlier message earns a second try: it may
        # have gone stale. A fresh one that drops says the server is in trouble.
        retry = client.is_connected
        while True:
            await self._connect(client)
            client.data_begun = False
            try:
                return await self._transact(client, message, message_id), False
            except aiosmtplib.SMTPTimeoutError:
                client.close()  # its next answer could be paired with the wrong command
                waited = f"máy chủ thư không trả lời sau {self.timeout:g} giây"
                if client.data_begun:
                    return Delivery.unknown(message_id, f"{waited} {MAY_HAVE_IT}"), True
                return Delivery.failed(message_id, waited, permanent=False), True
            except ConnectionError as exc:  # includes aiosmtplib.SMTPServerDisconnected
                client.close()
                if client.data_begun:  # never sent again on the new connection
                    dropped = f"máy chủ thư ngắt kết nối {MAY_HAVE_IT}"
                    return Delivery.unknown(message_id, dropped), False
                if not retry:
                    dropped = f"máy chủ thư ngắt kết nối: {exc}"
                    return Delivery.failed(message_id, dropped, permanent=False), False
                retry = False

    async def _connect(self, client: aiosmtplib.SMTP) -> None:
        if client.is_connected:
            return
        where = f"{self.host}:{self.port}"
        try:
            await client.connect()
        except aiosmtplib.SMTPResponseException as exc:  # greeting, STARTTLS or AUTH refused
            raise _Unreachable(f"máy chủ thư {where} từ chối: {_reply(exc)}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:  # refused, timed out, TLS failed
            raise _Unreachable(f"không kết nối được máy chủ thư {where}: {exc}") from exc

    async def _transact(self, client: _Client, message: EmailMessage, message_id: str) -> Delivery:
        try:
            refused = await self._send(client, message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return _refusal(message_id, {r.recipient: (r.code, r.message) for r in exc.recipients})
        except aiosmtplib.SMTPResponseException as exc:
            return Delivery.failed(message_id, _reply(exc), permanent=exc.code >= 500)
        except (aiosmtplib.SMTPNotSupported, ValueError) as exc:
            return Delivery.failed(message_id, f"thư không gửi được: {exc}", permanent=True)
        if refused:
            return _refusal(message_id, {a: (r.code, r.message) for a, r in refused.items()})
        return Delivery.sent(message_id)

    async def _send(
        self, client: _Client, message: EmailMessage | Message
    ) -> dict[str, aiosmtplib.SMTPResponse]:
        if isinstance(message, StoredMessage):
            eight_bit = not message.raw.isascii()
            if client.is_ehlo_or_helo_needed:
                await client.ehlo()
            if not eight_bit or client.supports_extension("8BITMIME"):
                # The stored bytes as they are: what send_message would generate again.
                options = ["BODY=8BITMIME"] if eight_bit else []
                recipients = extract_recipients(message)
                if not recipients:
                    raise ValueError("thư không có người nhận")
                refused, _ = await client.sendmail(
                    self.mail_from, recipients, message.raw, mail_options=options
                )
                return refused
            message = message.parsed()  # re-encoded in 7 bits by the client
        refused, _ = await client.send_message(message, sender=self.mail_from)
        return refused


def _reply(exc: aiosmtplib.SMTPResponseException) -> str:
    return f"{exc.code} {exc.message}"


def _refusal(message_id: str, refused: Mapping[str, tuple[int, str]]) -> Delivery:
    """Any refused recipient fails the message; only all-5xx refusals are permanent."""
    detail = "; ".join(f"{address}: {code} {text}" for address, (code, text) in refused.items())
    permanent = all(code >= 500 for code, _ in refused.values())
    return Delivery.failed(message_id, f"người nhận bị từ chối: {detail}", permanent=permanent)


async def _quit(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    # The batch is over and its outcomes are known; a server fumbling QUIT changes none.
    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
        await client.quit()
    client.close()


def transport_from_settings(settings: Settings) -> Transport:
    """The transport KEHOACH_MAIL_TRANSPORT names: "file" (the default) or "smtp"."""
    if settings.mail_transport == "smtp":
        return SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            timeout=settings.smtp_timeout,
            mail_from=settings.mail_from,
            connections=settings.smtp_connections,
        )
    return FileTransport(settings.data_dir / "outbox")
