"""The daily report's HTML page, report.html: one self-contained page (inline CSS and SVG, no
script) of clicks per day by component, a chart and a table per caller. Shipped beside the job
(``--py-files``), for the report only; report/html.ts renders the same bytes, so the layout uses
integers only and never sorts or measures client strings: the two languages agree on integers
and on insertion order, not on collation or text width."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

_PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8c6d1f")
_OTHER_COLOUR = "#999999"
_NO_COMPONENT = "(no component)"
_NO_CALLER = "(no callerid)"
_OTHER = "all other components"
_LEFT, _TOP, _PLOT_HEIGHT, _RIGHT, _BOTTOM, _MAX_WIDTH, _LABEL_WIDTH = 72, 16, 240, 16, 56, 640, 44
_MAX_TICKS = 5
# A day without a report: a low mark on the baseline, which a chart of sparse days is not drawn around.
_MISSING_MARK = 4
_STYLE = "\n".join(
    [
        ':root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;'
        "color:#1b1b1b;background:#fff}",
        "body{margin:0 auto;padding:1rem;max-width:60rem}",
        "h1{font-size:1.4rem;margin:0 0 .25rem}",
        "h2{font-size:1.1rem;margin:1.5rem 0 .5rem}",
        ".summary{margin:0 0 1rem;color:#444}",
        ".chart{display:block;width:100%;height:auto;max-height:24rem}",
        ".chart .grid{stroke:#e3e3e3}.chart .axis{stroke:#1b1b1b}",
        ".chart .tick{font-size:11px;fill:#444}.chart .axis-title{font-size:12px;fill:#1b1b1b}",
        ".chart .missing rect{fill:#d9d9d9}",
        ".legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:.5rem 0 1rem}",
        ".legend li{display:flex;align-items:center;gap:.35rem;max-width:100%;min-width:0}",
        ".swatch{display:inline-block;width:.9rem;height:.9rem;border-radius:2px}",
        # Client strings: one line clipped to a width, and accents stacked past the line box hidden.
        "bdi{unicode-bidi:isolate;display:inline-block;max-width:min(16rem,80vw);overflow:hidden;"
        "text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom}",
        ".table-wrap{overflow-x:auto}",
        "table{border-collapse:collapse;font-variant-numeric:tabular-nums}",
        "caption{text-align:left;font-weight:600;margin-bottom:.25rem}",
        "th,td{padding:.25rem .6rem;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}",
        "th[scope=row]{text-align:left}",
        "tr.missing td{text-align:left;color:#767676}",
        "tfoot th,tfoot td{font-weight:600;border-top:2px solid #1b1b1b}",
        "@media (max-width:40rem){body{padding:.5rem}th,td{padding:.2rem .35rem}}",
        "@media print{body{max-width:none;padding:0}.chart{max-height:none;break-inside:avoid}"
        ".table-wrap{overflow:visible}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}",
    ]
)


def escape_html(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def group_digits(n: int) -> str:
    return f"{n:,}"


def _clicks(n: int) -> str:
    return f"{group_digits(n)} {'click' if n == 1 else 'clicks'}"


def _nice_step(value: int) -> int:
    power = 1
    while True:
        for m in (1, 2, 5):
            if m * power >= value:
                return m * power
        power *= 10


def _series(components: list[str]) -> list[dict]:
    named = components if len(components) <= len(_PALETTE) + 1 else components[: len(_PALETTE)]
    series = [
        {
            "label": _NO_COMPONENT if c == "" else c,
            "colour": _PALETTE[i] if i < len(_PALETTE) else _OTHER_COLOUR,
            "members": [c],
            "plain": c == "",
        }
        for i, c in enumerate(named)
    ]
    if len(named) < len(components):
        series.append({"label": _OTHER, "colour": _OTHER_COLOUR, "members": components[len(_PALETTE) :], "plain": True})
    return series


def _series_label(s: Mapping) -> str:
    return f"<i>{escape_html(s['label'])}</i>" if s["plain"] else f"<bdi>{escape_html(s['label'])}</bdi>"


def _chart(
    days: Sequence[Mapping], series: list[dict], counts: list[list[int]], section: int, caller: str | None
) -> list[str]:
    n = len(days)
    slot = max(4, min(80, _MAX_WIDTH // n))
    bar = slot - max(1, slot // 4)
    width = _LEFT + n * slot + _RIGHT
    height = _TOP + _PLOT_HEIGHT + _BOTTOM
    baseline = _TOP + _PLOT_HEIGHT
    busiest = max([0, *(sum(c) for c in counts)])
    step = _nice_step(max(1, -(-busiest // _MAX_TICKS)))
    ticks = max(1, -(-busiest // step))
    y_max = step * ticks

    def y(clicks: int) -> int:
        return baseline - clicks * _PLOT_HEIGHT // y_max

    label_every = max(1, -(-_LABEL_WIDTH // slot))
    lines = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="chart-{section}-title chart-{section}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{section}-title">Clicks per day by component'
        f"{'' if caller is None else ' from ' + escape_html(caller or _NO_CALLER)}</title>",
        f'<desc id="chart-{section}-desc">Stacked bars, one a day from {days[0]["date"]} to {days[-1]["date"]}; '
        f"the busiest day has {_clicks(busiest)}.</desc>",
    ]
    for tick in range(ticks + 1):
        ty = y(tick * step)
        lines.append(f'<line class="grid" x1="{_LEFT}" y1="{ty}" x2="{width - _RIGHT}" y2="{ty}"/>')
        lines.append(
            f'<text class="tick" x="{_LEFT - 6}" y="{ty + 4}" text-anchor="end">{group_digits(tick * step)}</text>'
        )
    for i, day in enumerate(days):
        date = day["date"]
        x = _LEFT + i * slot + (slot - bar) // 2
        if day["rows"] is None:
            problem = escape_html(day.get("problem") or "missing")
            lines.append(f'<g class="day missing" data-date="{date}"><title>{date}: no report ({problem})</title>')
            lines.append(f'<rect x="{x}" y="{baseline - _MISSING_MARK}" width="{bar}" height="{_MISSING_MARK}"/></g>')
        else:
            total = sum(counts[i])
            lines.append(
                f'<g class="day" data-date="{date}" data-total="{total}"><title>{date}: {_clicks(total)}</title>'
            )
            below = 0
            for s, count in enumerate(counts[i]):
                if count == 0:
                    continue
                top = y(below + count)
                lines.append(
                    f'<rect class="mark" x="{x}" y="{top}" width="{bar}" height="{y(below) - top}" '
                    f'fill="{series[s]["colour"]}" data-series="{s}"><title>{date} · '
                    f"{escape_html(series[s]['label'])}: {group_digits(count)}</title></rect>"
                )
                below += count
            lines.append("</g>")
        if i % label_every == 0:
            lines.append(
                f'<text class="tick" x="{x + bar // 2}" y="{baseline + 16}" text-anchor="middle">{date[5:]}</text>'
            )
    middle = _TOP + _PLOT_HEIGHT // 2
    lines += [
        f'<line class="axis" x1="{_LEFT}" y1="{baseline}" x2="{width - _RIGHT}" y2="{baseline}"/>',
        f'<text class="axis-title" x="{_LEFT + n * slot // 2}" y="{height - 12}" text-anchor="middle">'
        "Day (UTC, MM-DD)</text>",
        f'<text class="axis-title" x="16" y="{middle}" text-anchor="middle" transform="rotate(-90 16 {middle})">'
        "Clicks</text>",
        "</svg>",
    ]
    return lines


def _table(days: Sequence[Mapping], series: list[dict], counts: list[list[int]]) -> list[str]:
    head = "".join(f'<th scope="col">{_series_label(s)}</th>' for s in series)
    lines = [
        '<div class="table-wrap">',
        "<table>",
        "<caption>Clicks per day and component</caption>",
        f'<thead><tr><th scope="col">Day</th>{head}<th scope="col">Total</th></tr></thead>',
        "<tbody>",
    ]
    for i, day in enumerate(days):
        if day["rows"] is None:
            problem = escape_html(day.get("problem") or "missing")
            lines.append(
                f'<tr class="missing"><th scope="row">{day["date"]}</th>'
                f'<td colspan="{len(series) + 1}">no report: {problem}</td></tr>'
            )
        else:
            cells = "".join(f"<td>{group_digits(c)}</td>" for c in counts[i])
            lines.append(f'<tr><th scope="row">{day["date"]}</th>{cells}<td>{group_digits(sum(counts[i]))}</td></tr>')
    totals = [sum(row[s] for row in counts) for s in range(len(series))]
    foot = "".join(f"<td>{group_digits(t)}</td>" for t in totals)
    lines += [
        "</tbody>",
        f'<tfoot><tr><th scope="row">Total</th>{foot}<td>{group_digits(sum(totals))}</td></tr></tfoot>',
        "</table>",
        "</div>",
    ]
    return lines


def _funnel_charts(days: Sequence[Mapping]) -> list[str]:
    """A one-day page draws the day's funnels (report_visits.py, shipped with the report)."""
    if len(days) != 1 or not days[0].get("funnels"):
        return []
    from report_visits import funnel_charts

    return funnel_charts(days[0]["funnels"], escape_html, group_digits)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _by_total(rows: list[Mapping], key: str) -> list[str]:
    """Keys by total clicks, busiest first; ties keep the order they first appear in."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[_text(row.get(key))] = totals.get(_text(row.get(key)), 0) + int(row["count"])
    order = {k: i for i, k in enumerate(totals)}
    return sorted(totals, key=lambda k: (-totals[k], order[k]))


def _all_rows(days: Sequence[Mapping]) -> list[Mapping]:
    return [row for day in days for row in day["rows"] or []]


def _caller_section(days: Sequence[Mapping], section: int, caller: str | None) -> list[str]:
    """One caller's chart, legend and table, over that caller's rows of each day."""
    own = days
    if caller is not None:
        own = [
            {
                **day,
                "rows": None if day["rows"] is None else [r for r in day["rows"] if _text(r.get("callerid")) == caller],
            }
            for day in days
        ]
    series = _series(_by_total(_all_rows(own), "component"))
    counts = []
    for day in own:
        by_component: dict[str, int] = {}
        for row in day["rows"] or []:
            component = _text(row["component"])
            by_component[component] = by_component.get(component, 0) + int(row["count"])
        counts.append([sum(by_component.get(m, 0) for m in s["members"]) for s in series])
    legend = [
        f'<li><span class="swatch" style="background:{s["colour"]}"></span>{_series_label(s)}</li>' for s in series
    ]
    heading = []
    if caller is not None:
        label = f"<i>{_NO_CALLER}</i>" if caller == "" else f"<bdi>{escape_html(caller)}</bdi>"
        heading = [f'<h2 class="caller">{label}</h2>']
    return [
        *heading,
        *_chart(own, series, counts, section, caller),
        '<ul class="legend" aria-label="Components">',
        *legend,
        "</ul>",
        *_table(own, series, counts),
    ]


def render_html(days: Sequence[Mapping]) -> str:
    """The page for ``days`` (``{"date", "rows" or None, "problem"?}``, in date order): a section per caller."""
    if not days:
        raise ValueError("render_html needs at least one day")
    first, last = days[0]["date"], days[-1]["date"]
    title = f"Clicks on {first}" if first == last else f"Clicks from {first} to {last}"
    callers = _by_total(_all_rows(days), "callerid")
    reported = sum(1 for day in days if day["rows"] is not None)
    missing = len(days) - reported
    total = sum(int(row["count"]) for row in _all_rows(days))
    summary = (
        f"{_clicks(total)}{f' from {len(callers)} callers' if len(callers) > 1 else ''} on {reported} reported "
        f"{'day' if reported == 1 else 'days'}"
        + (f"; {missing} {'day has' if missing == 1 else 'days have'} no report." if missing else ".")
    )
    sections = [(1, None)] if not callers else [(i + 1, c) for i, c in enumerate(callers)]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>clicklogger: {title}</title>",
            f"<style>\n{_STYLE}\n</style>",
            "</head>",
            "<body>",
            f"<h1>{title}</h1>",
            f'<p class="summary">{summary}</p>',
            *(line for section, caller in sections for line in _caller_section(days, section, caller)),
            *_funnel_charts(days),
            "</body>",
            "</html>",
            "",
        ]
    )
