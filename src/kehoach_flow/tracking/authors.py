"""Who made an update, as a person reads it: the unit's or the account's name and the channel
in Vietnamese ("Phòng Quản lý TCĐLCL qua trang web"), not the stored key and code
("qltcdlcl (web)").

An update stores its actor as the channel gives it: the web form's signed link gives the
unit's key, the API its account's username, the CLI `--by` (or the login on the machine),
a simulation the lead unit's key. So the name is looked up by what the channel usually gives
first, then by the other kind, and the stored text is kept when neither knows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from kehoach_flow.db.tables import UNIT, USER

CHANNEL_LABELS = {
    "web": "qua trang web",
    "cli": "qua dòng lệnh",
    "api": "qua API",
    "import": "khi nhập dữ liệu",
}

_UNIT_FIRST = frozenset({"web"})  # the signed link names the unit


@dataclass(frozen=True)
class AuthorName:
    """An update's author for a person: who ("Phòng Quản lý TCĐLCL", "Nguyễn Văn An") and
    through what ("qua trang web"); `kind` says what `who` was found as: unit, user or other."""

    who: str
    via: str
    kind: str

    @property
    def text(self) -> str:
        return f"{self.who} {self.via}".strip()

    def as_dict(self) -> dict[str, str]:
        return {"name": self.who, "via": self.via, "kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Directory:
    """The names an author key may stand for: unit key -> short name (else full name), and
    account username -> the account holder's name."""

    units: Mapping[str, str]
    users: Mapping[str, str]

    def author(self, actor: str, channel: str) -> AuthorName:
        return author_name(actor, channel, self)


def author_name(actor: str, channel: str, directory: Directory) -> AuthorName:
    """The author of an update stored as (`actor`, `channel`), as a person reads it."""
    via = CHANNEL_LABELS.get(channel, f"qua {channel}" if channel else "")
    lookups = [("unit", directory.units), ("user", directory.users)]
    if channel not in _UNIT_FIRST:
        lookups.reverse()
    for kind, names in lookups:
        if actor in names:
            return AuthorName(names[actor], via, kind)
    return AuthorName(actor, via, "other")


def read_directory(db: Engine | Connection) -> Directory:
    """Every unit's and account's name, read once for a page or a command."""
    units_query = select(UNIT.c.key, func.coalesce(UNIT.c.short, UNIT.c.name).label("name"))
    users_query = select(USER.c.username, USER.c.name)
    if isinstance(db, Engine):
        with db.connect() as conn:
            return read_directory(conn)
    units = {row.key: row.name for row in db.execute(units_query)}
    users = {row.username: row.name for row in db.execute(users_query)}
    return Directory(units, users)
