"""CSV and HTML reports of image checks (``kkot images check``)."""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Sequence
from pathlib import Path

from kkot.ml.vision.checks import ImageReport

__all__ = ["write_csv", "write_html"]

CHECK_LABELS: dict[str, str] = {
    "file": "파일", "resolution": "해상도", "aspect": "비율", "product": "상품 보임", "sharpness": "선명도",
    "exposure": "밝기", "background": "배경", "border": "테두리·여백", "text_overlay": "글자·워터마크",
    "duplicate": "중복", "adult": "성인 콘텐츠",
}
STATUS_LABELS = {"pass": "통과", "warn": "주의", "fail": "실패", "unavailable": "검사 안 함"}
_COLOURS = {"pass": "#1a7f37", "warn": "#b7791f", "fail": "#c53030", "unavailable": "#718096"}


def write_csv(reports: Sequence[ImageReport], path: str | Path) -> Path:
    """One row per (image, check); UTF-8 with BOM so Excel opens Korean text correctly."""
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "overall", "check", "status", "value", "message", "fix", "colours"])
        for rep in reports:
            colours = " ".join(f"{c.name}:{c.share:.0%}" for c in rep.colours if c.share >= 0.05)
            for r in rep.results:
                w.writerow([rep.name, rep.status, r.code, r.status, "" if r.value is None else r.value,
                            r.message, r.fix, colours])
    return path


def _thumb_uri(rep: ImageReport) -> str:
    if rep.thumbnail is None:
        return ""
    buf = io.BytesIO()
    rep.thumbnail.convert("RGB").save(buf, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def write_html(reports: Sequence[ImageReport], path: str | Path, *, title: str = "상품 이미지 검사 결과") -> Path:
    """A self-contained HTML page: thumbnail, every check with its fix, and the colours found."""
    path = Path(path)
    counts = {s: sum(1 for r in reports if r.status == s) for s in ("pass", "warn", "fail")}
    parts = [
        "<!doctype html><html lang='ko'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>",
        "body{font-family:sans-serif;margin:24px;color:#1a202c}table{border-collapse:collapse;width:100%}",
        "td,th{border-bottom:1px solid #e2e8f0;padding:6px;vertical-align:top;text-align:left}",
        "img{max-width:160px;max-height:160px}.sw{display:inline-block;width:14px;height:14px;",
        "border:1px solid #999;vertical-align:middle;margin-right:4px}.st{font-weight:bold}",
        "</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>이미지 {len(reports)}장: 통과 {counts['pass']}, 주의 {counts['warn']}, 실패 {counts['fail']}</p>",
        "<table><tr><th>사진</th><th>파일</th><th>검사 결과</th><th>색상</th></tr>",
    ]
    for rep in reports:
        uri = _thumb_uri(rep)
        img = f"<img src='{uri}' alt=''>" if uri else ""
        rows = []
        for r in rep.results:
            colour = _COLOURS[r.status]
            fix = f"<br><small>→ {html.escape(r.fix)}</small>" if r.fix and r.status != "pass" else ""
            rows.append(
                f"<div><span class='st' style='color:{colour}'>{STATUS_LABELS[r.status]}</span> "
                f"{html.escape(CHECK_LABELS.get(r.code, r.code))}: {html.escape(r.message)}{fix}</div>"
            )
        colours = "<br>".join(
            f"<span class='sw' style='background:{c.hex}'></span>{html.escape(c.name)} {c.share:.0%}"
            for c in rep.colours
            if c.share >= 0.05
        )
        size = f"<br><small>{rep.size[0]}x{rep.size[1]}</small>" if rep.size else ""
        parts.append(
            f"<tr><td>{img}</td><td>{html.escape(Path(rep.name).name)}{size}<br>"
            f"<span class='st' style='color:{_COLOURS[rep.status]}'>{STATUS_LABELS[rep.status]}</span></td>"
            f"<td>{''.join(rows)}</td><td>{colours}</td></tr>"
        )
    parts.append("</table></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
