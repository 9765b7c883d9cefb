"""Errors and per-record issues raised while reading an upload.

File-level problems (empty, binary, too large, zip bomb, unsupported type) stop the upload and raise a
:class:`FileRejectedError`. Record-level problems (one malformed line) do not stop reading: they travel as
:class:`RecordIssue` values so the validation report can show the first few and count all of them.
Messages never quote record content, because content may carry PII.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """Where a record came from in its source file (1-based)."""

    line: int | None = None
    row: int | None = None
    page: int | None = None
    paragraph: int | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.paragraph is not None:
            parts.append(f"paragraph {self.paragraph}")
        if not parts:
            return "file"
        if len(parts) == 1:
            return parts[0]
        return f"{parts[0]} ({', '.join(parts[1:])})"


@dataclass(frozen=True, slots=True)
class RecordIssue:
    """A problem with one record; `field` names the field at fault when there is one."""

    location: Location
    code: str
    message: str
    field: str | None = None
    severity: str = "error"  # "error" drops the record; "warning" keeps it

    def describe(self) -> str:
        where = self.location.describe()
        if self.field is not None:
            return f"{where}, field '{self.field}': {self.message}"
        return f"{where}: {self.message}"


class FileRejectedError(ValueError):
    """The whole file cannot be used; `code` is stable for API clients, the message is for people."""

    code = "file_rejected"

    def __init__(self, message: str, *, location: Location | None = None) -> None:
        self.location = location
        prefix = f"{location.describe()}: " if location is not None else ""
        super().__init__(prefix + message)


class EmptyFileError(FileRejectedError):
    code = "empty_file"


class BinaryContentError(FileRejectedError):
    code = "binary_content"


class FileTooLargeError(FileRejectedError):
    code = "file_too_large"


class ZipBombError(FileRejectedError):
    code = "zip_bomb"


class UnsupportedFormatError(FileRejectedError):
    code = "unsupported_format"


class MalformedFileError(FileRejectedError):
    code = "malformed_file"


class UnsafeFileNameError(FileRejectedError):
    code = "unsafe_file_name"
