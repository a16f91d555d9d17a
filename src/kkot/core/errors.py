"""Domain errors with a stable code (for the API) and a Korean message (for people).

Services raise these; views render the message, the API returns ``{"code", "message", "details"}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class KkotError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None, status: int | None = None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            out["details"] = self.details
        return out


class ValidationError(KkotError):
    code = "invalid"


class NotFound(KkotError):
    code = "not_found"
    status = 404


class PermissionDenied(KkotError):
    code = "forbidden"
    status = 403


class Conflict(KkotError):
    code = "conflict"
    status = 409


@dataclass
class CellError:
    """One bad cell of an uploaded sheet: 1-based row as the seller sees it, column header, message."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class SheetErrors(Exception):
    errors: list[CellError] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append(CellError(row, column, message))

    def __bool__(self) -> bool:
        return bool(self.errors)
