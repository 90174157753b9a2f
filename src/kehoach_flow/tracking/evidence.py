"""Evidence files: stored once under the data directory by content hash."""

from __future__ import annotations

import hashlib
import mimetypes
import shutil
from dataclasses import dataclass
from pathlib import Path

from kehoach_flow.errors import EvidenceTooLargeError, UpdateError


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    name: str
    size: int
    content_type: str


def evidence_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "evidence" / sha256[:2] / sha256


def store_evidence(source: Path, data_dir: Path, max_bytes: int) -> StoredFile:
    """Copy `source` into the store (no-op if the same content is there) and describe it."""
    if not source.is_file():
        raise UpdateError(f'không tìm thấy tệp minh chứng "{source}"')
    size = source.stat().st_size
    if size > max_bytes:
        raise EvidenceTooLargeError(source.name, size, max_bytes)
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    sha256 = digest.hexdigest()
    target = evidence_path(data_dir, sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        shutil.copyfile(source, partial)
        partial.replace(target)  # atomic: a crash never leaves half a file under its hash
    content_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
    return StoredFile(sha256, source.name, size, content_type)
