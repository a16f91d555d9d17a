"""Self-contained HTML report (inline SVG charts, no JavaScript, no network) for ``kkot reviews analyze``."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence

from kkot.ml.reviews.analyzer import ReviewAnalysis
from kkot.ml.reviews.keywords import Keyword, ReviewSummary, TrendAlert

__all__ = ["render_report"]

_COLORS = {"positive": "#2e7d32", "neutral": "#9e9e9e", "negative": "#c62828"}
_KO = {"positive": "긍정", "neutral": "중립", "negative": "부정"}


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _hbar_chart(rows: list[tuple[str, dict[str, int]]], width: int = 640) -> str:
    """Stacked horizontal bars (positive / neutral / negative) as inline SVG."""
    if not rows:
        return "<p>데이터 없음</p>"
    bar_h, gap, label_w = 22, 8, 120
    total_max = max(sum(d.values()) for _, d in rows) or 1
    h = len(rows) * (bar_h + gap) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img">']
    for i, (label, d) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        out.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="13">{_e(label)}</text>')
        x = float(label_w)
        for k in ("positive", "neutral", "negative"):
            v = d.get(k, 0)
            w = (width - label_w - 60) * v / total_max
            if v:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{_COLORS[k]}">'
                           f'<title>{_e(_KO[k])} {v}</title></rect>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 15}" font-size="12">{sum(d.values())}</text>')
    out.append("</svg>")
    return "".join(out)


def render_report(
    analyses: Sequence[ReviewAnalysis],
    summary: ReviewSummary,
    keywords_neg: list[Keyword],
    keywords_pos: list[Keyword],
    trends: list[TrendAlert] | None = None,
    stars: Sequence[float | None] | None = None,
    title: str = "리뷰 분석 리포트",
    model_note: str = "",
) -> str:
    """The whole report as one HTML string."""
    sent = Counter(a.sentiment for a in analyses)
    status = Counter(a.status for a in analyses)
    parts = [
        "<!doctype html><html lang='ko'><head><meta charset='utf-8'>",
        f"<title>{_e(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;line-height:1.5;color:#222}"
        " table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:4px 8px;font-size:14px}"
        " .pos{color:#2e7d32} .neg{color:#c62828} .muted{color:#777}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>리뷰 {len(analyses):,}개 · 긍정 {sent['positive']:,} · 중립 {sent['neutral']:,} · "
        f"부정 {sent['negative']:,}" + (f" · 내용 없음 {status['empty'] + status['no_text']:,}"
                                      if status['empty'] + status['no_text'] else "") + "</p>",
        "<h2>감성 분포</h2>", _hbar_chart([("전체", dict(sent))]),
    ]
    if stars is not None:
        by_star: dict[str, Counter[str]] = {}
        for a, s in zip(analyses, stars, strict=False):
            if s is None:
                continue
            by_star.setdefault(f"{s:g}점", Counter())[a.sentiment] += 1
        if by_star:
            parts += ["<h2>별점별 감성</h2>", _hbar_chart(sorted(((k, dict(v)) for k, v in by_star.items()),
                                                              reverse=True))]
    parts += ["<h2>속성별 언급 (긍정/중립/부정)</h2>",
              _hbar_chart([(p.aspect, {"positive": p.positive, "neutral": p.neutral, "negative": p.negative})
                           for p in summary.aspects[:14]])]
    size = [p for p in summary.aspects if p.directions]
    if size:
        parts.append("<h3>사이즈·기장 방향</h3><ul>")
        for p in size:
            dirs = ", ".join(f"{k} {v}건" for k, v in sorted(p.directions.items(), key=lambda t: -t[1]))
            parts.append(f"<li>{_e(p.aspect)}: {_e(dirs)}</li>")
        parts.append("</ul>")
    parts.append("<h2>요약</h2>")
    parts.append(f"<p>{_e(summary.paragraph)}</p>" if summary.paragraph else f"<p class='muted'>{_e(summary.message)}</p>")
    for title_, pts, attr, cls in (("좋은 점", summary.good_points, "positive", "pos"),
                                   ("아쉬운 점", summary.bad_points, "negative", "neg")):
        parts.append(f"<h2>{title_}</h2><ul>")
        for p in pts:
            ex = p.positive_examples if attr == "positive" else p.negative_examples
            n = p.positive if attr == "positive" else p.negative
            exs = "".join(f"<li class='muted'>“{_e(x)}”</li>" for x in ex)
            parts.append(f"<li class='{cls}'><b>{_e(p.aspect)}</b> {n}건<ul>{exs}</ul></li>")
        parts.append("</ul>")
    for title_, kws in (("불만 리뷰를 특징짓는 표현", keywords_neg), ("만족 리뷰를 특징짓는 표현", keywords_pos)):
        parts.append(f"<h2>{title_}</h2><table><tr><th>표현</th><th>리뷰 수</th><th>긍정</th><th>부정</th>"
                     "<th>예문</th></tr>")
        for k in kws:
            parts.append(f"<tr><td>{_e(k.phrase)}</td><td>{k.count}</td><td>{k.positive_share:.0%}</td>"
                         f"<td>{k.negative_share:.0%}</td><td>{_e(' / '.join(k.examples))}</td></tr>")
        parts.append("</table>")
    if trends:
        parts.append("<h2>추세 알림</h2><ul>")
        for t in trends[:10]:
            parts.append(f"<li class='neg'>{_e(t.message)}</li>")
        parts.append("</ul>")
    parts.append(f"<p class='muted'>{_e(model_note)}</p></body></html>")
    return "\n".join(parts)
