"""Reading an uploaded sheet (.xlsx or CSV) into a header and raw rows, refusing unsafe or broken files.

The format is detected from the bytes, never trusted from the file name. An .xlsx is a zip: before openpyxl sees
it we check that it is a workbook, that it does not expand to far more than it weighs (zip bombs), and that no
XML part carries a DOCTYPE (entity expansion). openpyxl then reads it in read-only mode with formulas kept as
their text (``=...``), so a formula is never evaluated and is validated like any other text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from kkot.core.errors import ValidationError

MAX_ROWS = 20_000
MAX_COLUMNS = 300
MAX_ZIP_MEMBERS = 2_000
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_MEMBER_RATIO = 200  # uncompressed / compressed, for members above RATIO_MIN_BYTES
RATIO_MIN_BYTES = 4 * 1024 * 1024
EXCEL_MAX_ROW = 1_048_576
PRODUCT_SHEET = "상품"

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawSheet:
    kind: str  # "xlsx" | "csv"
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (row number as in Excel, values aligned with header)
    close: Any = None


def _unreadable(message: str | None = None) -> ValidationError:
    return ValidationError(
        message or _("엑셀(.xlsx) 또는 CSV 파일을 읽을 수 없습니다. 파일이 손상되었거나 지원하지 않는 형식입니다."),
        code="sheet_unreadable",
    )


def detect_kind(data: bytes, filename: str = "") -> str:
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise _unreadable(_("예전 엑셀 형식(.xls)은 읽을 수 없습니다. 엑셀에서 .xlsx 또는 CSV로 저장해 올려 주세요."))
    if filename.lower().endswith((".xlsx", ".xlsm")) or b"\x00" in data[:65536]:
        raise _unreadable()
    return "csv"


def _check_zip(data: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable() from exc
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _unreadable(_("엑셀 통합문서(.xlsx)가 아닙니다."))
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _unreadable(_("엑셀 파일의 구성이 비정상적입니다."))
    declared = 0
    for info in infos:
        declared += info.file_size
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
            raise _unreadable(_("압축을 풀면 비정상적으로 커지는 파일입니다."))
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise _unreadable(_("압축을 풀면 비정상적으로 커지는 파일입니다."))
    # Read every part once: checks CRCs (corrupt files), real sizes, and refuses DOCTYPE/ENTITY declarations.
    total = 0
    try:
        for info in infos:
            if info.is_dir():
                continue
            xml = info.filename.endswith((".xml", ".rels", ".vml"))
            tail = b""
            with zf.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_UNCOMPRESSED_BYTES:
                        raise _unreadable(_("압축을 풀면 비정상적으로 커지는 파일입니다."))
                    if xml:
                        window = (tail + chunk).upper()
                        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                            raise _unreadable(_("엑셀 파일에 허용되지 않는 XML 선언이 있습니다."))
                        tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise _unreadable() from exc


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "text") and isinstance(value.text, str):  # ArrayFormula / DataTableFormula: keep as text
        return value.text
    return value  # datetime / date / time / timedelta: parsed by the importer


def _trim_header(cells: list[Any]) -> list[str]:
    header = ["" if c is None else str(c).strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    return header


def _xlsx(data: bytes) -> RawSheet:
    _check_zip(data)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many types for broken parts  # noqa: BLE001
        raise _unreadable() from exc
    try:
        ws = wb[PRODUCT_SHEET] if PRODUCT_SHEET in wb.sheetnames else wb.worksheets[0]
        ws.reset_dimensions()  # never trust the stored dimension (it decides how much to pad)
        it = ws.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        first = next(it, None)
    except Exception as exc:  # noqa: BLE001
        wb.close()
        raise _unreadable() from exc
    header = _trim_header(list(first or ()))
    width = len(header)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for n, row in enumerate(it, start=2):
                values = [_cell(v) for v in row[:width]]
                values += [None] * (width - len(values))
                yield n, values
        except ValidationError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _unreadable() from exc

    return RawSheet("xlsx", header, rows(), wb.close)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949")  # Korean Excel saves "CSV (쉼표로 분리)" in CP949
    except UnicodeDecodeError as exc:
        raise _unreadable(_("CSV 파일의 문자 인코딩을 알 수 없습니다. UTF-8로 저장해 올려 주세요.")) from exc


def _csv(data: bytes) -> RawSheet:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise _unreadable() from exc
    header = _trim_header(list(first or ())[:MAX_COLUMNS])
    width = len(header)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        n = 1
        try:
            for row in reader:
                n += 1
                values: list[Any] = [v if v != "" else None for v in row[:width]]
                values += [None] * (width - len(values))
                yield n, values
        except csv.Error as exc:
            raise ValidationError(_("CSV %(n)d행을 읽을 수 없습니다.") % {"n": n + 1}, code="sheet_unreadable") from exc

    return RawSheet("csv", header, rows())


def open_sheet(data: bytes, filename: str = "") -> RawSheet:
    """Header and a lazy row iterator; raises ValidationError for oversized, unsafe or unreadable files."""
    limit = settings.KKOT_MAX_SHEET_BYTES
    if len(data) > limit:
        raise ValidationError(
            _("파일이 너무 큽니다. %(mb)dMB 이하로 나누어 올려 주세요.") % {"mb": limit // (1024 * 1024)},
            code="sheet_too_large",
        )
    if not data.strip():
        raise ValidationError(_("빈 파일입니다."), code="sheet_empty")
    sheet = _xlsx(data) if detect_kind(data, filename) == "xlsx" else _csv(data)
    if not sheet.header:
        if sheet.close:
            sheet.close()
        raise ValidationError(_("첫 행(머리글)이 비어 있습니다. 양식의 머리글을 그대로 두고 입력해 주세요."), code="sheet_empty")
    return sheet


def data_rows(sheet: RawSheet) -> Iterator[tuple[int, list[Any]]]:
    """Non-empty rows; refuses more than MAX_ROWS of them and row numbers Excel itself cannot have."""
    count = 0
    for n, values in sheet.rows:
        if n > EXCEL_MAX_ROW:
            raise _unreadable(_("엑셀 파일의 행 번호가 비정상적입니다."))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ValidationError(
                _("한 번에 %(n)s행까지 올릴 수 있습니다. 파일을 나누어 올려 주세요.") % {"n": f"{MAX_ROWS:,}"},
                code="sheet_too_many_rows",
            )
        yield n, values
