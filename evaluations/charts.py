"""Every Plotly figure of the dashboards, built with plotly.py from stored figures.

Each function returns a plain dict ({"data": [...], "layout": {...}}) for `json_script`;
static/js/charts.js draws it with `Plotly.react`. Zones always carry their text label
as well as their colour (Okabe–Ito palette, as in static/css/app.css), and numbers use
the active language's separators (3,12 in Indonesian), in labels and in hover text.

Plotly renders a subset of HTML in every label and hover text (<a href>, <b>, <br> ...),
so an OPD named `<a href="https://evil">Dinas</a>` would become a link on the dashboard
and in the PDF report. `_as_dict`, the one way out of this module, escapes every string
of every figure (`plain`); only our own hover templates keep their markup, and data goes
into them through %{...} placeholders or `plain`.
"""

import html
from decimal import ROUND_HALF_UP, Decimal

import plotly.graph_objects as go
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from .models import Zone

ZONE_COLOURS = {Zone.MERAH: "#d55e00", Zone.KUNING: "#f0e442", Zone.HIJAU: "#009e73"}
NO_ZONE_COLOUR = "#adb5bd"
BLACK, WHITE = "#000000", "#ffffff"
# WCAG 2 AA: normal text needs a contrast of at least 4.5:1 with its background.
AA_CONTRAST = 4.5
ACCENT = "#0d6efd"
OFFICIAL = "#56b4e9"  # Okabe–Ito sky blue
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def _luminance(colour):
    """WCAG relative luminance of "#rrggbb"."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground, background):
    """WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(background):
    """Black or white, whichever reads better on `background`: the one rule for text on a
    zone colour (charts here, badges in static/css/app.css)."""
    return max((BLACK, WHITE), key=lambda colour: contrast(colour, background))


# Text on a zone-coloured bar or slice.
ZONE_TEXT = {code: text_on(colour) for code, colour in ZONE_COLOURS.items()}
NO_ZONE_TEXT = text_on(NO_ZONE_COLOUR)


def fmt(value, places=2):
    """A number in the active language's format (3,12), or an em dash. Rounded half-up
    first: number_format cuts decimals (2.6667 would show 2,66)."""
    if value is None:
        return "—"
    step = Decimal(1).scaleb(-places)
    return number_format(Decimal(value).quantize(step, rounding=ROUND_HALF_UP), places)


def _float(value):
    return None if value is None else float(value)


def zone_label(code):
    return str(Zone(code).label) if code in Zone.values else _("No zone")


def _separators():
    return f"{get_format('DECIMAL_SEPARATOR')}{get_format('THOUSAND_SEPARATOR')}"


def _layout(**extra):
    layout = {
        "separators": _separators(),
        "font": {"family": FONT, "size": 12},
        "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "y": -0.12, "x": 0},
        "autosize": True,
    }
    layout.update(extra)
    return layout


class _Figure:
    """Traces are plotly.py graph objects (validated when built); the layout is a plain
    dict, because validating a whole go.Layout costs ~10 ms per figure on every page.
    tests/evaluations/test_dashboard.py checks every figure with go.Figure(...)."""

    def __init__(self, trace=None):
        self.traces = [trace] if trace is not None else []
        self.layout = {}

    def add_trace(self, trace):
        self.traces.append(trace)

    def update_layout(self, layout):
        self.layout.update(layout)


# Our own templates (<br>, <extra>); everything else in a figure is data or our text.
TEMPLATE_KEYS = frozenset({"hovertemplate", "texttemplate"})


class OwnMarkup(str):
    """A label of ours that uses Plotly's markup (a <br>), built from no data but
    numbers: passed through unescaped, as the templates are."""


def plain(text):
    """Text shown as it is by Plotly: <, > and & as entities, which Plotly draws as
    characters and never reads as markup."""
    return html.escape(str(text), quote=False)


def _escaped(value, key=None):
    if isinstance(value, str):
        return value if key in TEMPLATE_KEYS or isinstance(value, OwnMarkup) else plain(value)
    if isinstance(value, dict):
        return {k: _escaped(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v, key) for v in value]
    return value


def _has_values(values):
    if isinstance(values, list | tuple):
        return any(_has_values(v) for v in values)
    return values is not None and values != ""


def _trace_values(trace):
    """The values a trace draws (not its labels)."""
    kind = trace.get("type")
    if kind == "pie":
        return [v for v in trace.get("values") or () if v]
    if kind == "heatmap":
        return trace.get("z")
    if kind == "histogram" or trace.get("orientation") == "h":
        return trace.get("x")
    return trace.get("y")


def _is_empty(data):
    """No trace has a value to draw (a donut of zeros draws nothing either)."""
    return not any(_has_values(_trace_values(trace)) for trace in data)


def _as_dict(fig):
    """The figure for json_script; an empty one carries `empty` (the text charts.js shows
    instead of a blank box)."""
    data = [trace.to_plotly_json() for trace in fig.traces]
    figure = {"data": data, "layout": fig.layout}
    if _is_empty(data):
        figure["empty"] = _("No data yet")
    return _escaped(figure)


def _ranking_layout(order, rows_height, shapes, annotations, **options):
    """The layout of a horizontal ranking on the 0–5 index scale, best at the top, with
    the zone thresholds drawn (shapes, annotations from _threshold_shapes)."""
    return _layout(
        height=max(260, rows_height + 90),
        xaxis={
            "range": [0, 5],
            "title": {"text": _("Index")},
            "dtick": 0.5,
            "tickformat": ".1f",
            "gridcolor": "#dee2e6",
        },
        yaxis={
            "categoryorder": "array",
            "categoryarray": order,
            "autorange": "reversed",
            "automargin": True,
        },
        shapes=shapes,
        annotations=annotations,
        margin={"l": 10, "r": 10, "t": 44, "b": 50},
        **options,
    )


def _threshold_shapes(green_from, yellow_from, axis="x"):
    shapes, annotations = [], []
    for value, code in ((yellow_from, Zone.KUNING), (green_from, Zone.HIJAU)):
        line = {"color": "#495057", "width": 1.5, "dash": "dash"}
        label = f"{zone_label(code)} ≥ {fmt(value)}"
        if axis == "x":
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": float(value),
                    "x1": float(value),
                    "y0": 0,
                    "y1": 1,
                    "line": line,
                    "layer": "below",
                }
            )
            annotations.append(
                {
                    "x": float(value),
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "text": label,
                    "showarrow": False,
                    "yanchor": "bottom",
                    # Green's label a line above yellow's: they never overlap, even on
                    # a phone.
                    "yshift": 0 if code == Zone.KUNING else 13,
                    "font": {"size": 11},
                }
            )
        else:
            shapes.append(
                {
                    "type": "line",
                    "xref": "paper",
                    "yref": "y",
                    "x0": 0,
                    "x1": 1,
                    "y0": float(value),
                    "y1": float(value),
                    "line": line,
                    "layer": "below",
                }
            )
            annotations.append(
                {
                    "x": 0,
                    "y": float(value),
                    "xref": "paper",
                    "yref": "y",
                    "text": label,
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "font": {"size": 11},
                }
            )
    return shapes, annotations


def ranking_bars(rows, green_from, yellow_from):
    """Horizontal bars of the OPD ranking, best at the top, one trace per zone (so the
    legend names the zones), thresholds as dashed lines.

    rows: dicts with label, name, index, zone, rank, in rank order.
    """
    order = [row["label"] for row in rows]
    fig = _Figure()
    for code in [*Zone.values, ""]:
        members = [row for row in rows if (row["zone"] or "") == code]
        if not members:
            continue
        fig.add_trace(
            go.Bar(
                orientation="h",
                name=zone_label(code),
                y=[row["label"] for row in members],
                x=[_float(row["index"]) for row in members],
                text=[f"{fmt(row['index'])} · {zone_label(code)}" for row in members],
                textposition="inside",
                insidetextanchor="end",
                textfont={"color": ZONE_TEXT.get(code, NO_ZONE_TEXT)},
                customdata=[[row["name"], row["rank"] or "—"] for row in members],
                hovertemplate="%{customdata[1]}. %{customdata[0]}<br>%{x:.2f} · "
                + zone_label(code)
                + "<extra></extra>",
                marker={
                    "color": ZONE_COLOURS.get(code, NO_ZONE_COLOUR),
                    "line": {"color": "#343a40", "width": 0.5},
                },
                cliponaxis=False,
            )
        )
    shapes, annotations = _threshold_shapes(green_from, yellow_from)
    fig.update_layout(
        _ranking_layout(order, 24 * len(rows), shapes, annotations, barmode="overlay", bargap=0.25)
    )
    return _as_dict(fig)


def zone_donut(zone_counts):
    """The zone split: zone_counts maps a zone code to a count."""
    codes = list(Zone.values)
    values = [zone_counts.get(code, 0) for code in codes]
    fig = _Figure(
        go.Pie(
            labels=[zone_label(code) for code in codes],
            values=values,
            hole=0.55,
            sort=False,
            direction="clockwise",
            marker={
                "colors": [ZONE_COLOURS[c] for c in codes],
                "line": {"color": "#ffffff", "width": 2},
            },
            texttemplate="%{label}<br>%{value}",
            textfont={"color": [ZONE_TEXT[c] for c in codes]},
            hovertemplate="%{label}: %{value} OPD (%{percent})<extra></extra>",
        )
    )
    fig.update_layout(
        _layout(
            height=280,
            showlegend=True,
            annotations=[
                {
                    "text": OwnMarkup(f"{int(sum(values))}<br>OPD"),
                    "showarrow": False,
                    "font": {"size": 16},
                }
            ],
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
        )
    )
    return _as_dict(fig)


def index_histogram(rows, green_from, yellow_from):
    """How the OPD indices are spread, in bins of 0,25, stacked by zone."""
    fig = _Figure()
    for code in Zone.values:
        values = [_float(row["index"]) for row in rows if row["zone"] == code]
        fig.add_trace(
            go.Histogram(
                x=values,
                name=zone_label(code),
                xbins={"start": 0, "end": 5.0001, "size": 0.25},
                marker={"color": ZONE_COLOURS[code], "line": {"color": "#343a40", "width": 0.5}},
                hovertemplate="%{x}: %{y} OPD<extra>" + zone_label(code) + "</extra>",
            )
        )
    shapes, annotations = _threshold_shapes(green_from, yellow_from)
    fig.update_layout(
        _layout(
            height=300,
            barmode="stack",
            legend={"orientation": "h", "y": -0.3, "x": 0},
            margin={"l": 10, "r": 10, "t": 44, "b": 40},
            xaxis={
                "range": [0, 5],
                "title": {"text": _("Index")},
                "dtick": 0.5,
                "tickformat": ".1f",
            },
            yaxis={
                "automargin": True,
                "title": {"text": _("OPDs")},
                "rangemode": "tozero",
                "dtick": 1,
                "gridcolor": "#dee2e6",
            },
            shapes=shapes,
            annotations=annotations,
        )
    )
    return _as_dict(fig)


def _segments(values, changes):
    """Split a series at the instrument changes that are breaks: [(start, end)] index
    ranges, each drawn as its own line so that no line joins incomparable figures."""
    cuts = [position for position, kind in changes if kind == "break"]
    bounds = [0, *cuts, len(values)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i] < bounds[i + 1]]


def _change_marks(changes, labels):
    """A dashed vertical line before each period whose instrument changed, labelled: a
    crosswalk joins the line, a break does not."""
    shapes, annotations = [], []
    for position, kind in changes:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": position - 0.5,
                "x1": position - 0.5,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#6c757d", "width": 1.5, "dash": "dot"},
            }
        )
        text = (
            _("New instrument (crosswalk)")
            if kind == "crosswalk"
            else _("New instrument: not comparable")
        )
        annotations.append(
            {
                "x": position - 0.5,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": text,
                "showarrow": False,
                # Text on the side with room: right of the line in the chart's first
                # half, left of it in the second (never past the plot's edge).
                "xanchor": "left" if position - 0.5 < len(labels) / 2 else "right",
                "yanchor": "top",
                "font": {"size": 10, "color": "#495057"},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    return shapes, annotations


def pemda_trend(points, changes=()):
    """The pemda average (line, left axis) and each zone's count (stacked bars, right
    axis) over every period. points: dicts with label, average, zones (code → count).
    changes: (position, "crosswalk" | "break") where the instrument changes before the
    point at that position; the line is not joined across a break."""
    labels = [p["label"] for p in points]
    fig = _Figure()
    for code in Zone.values:
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[p["zones"].get(code, 0) for p in points],
                name=zone_label(code),
                marker={"color": ZONE_COLOURS[code], "line": {"color": "#343a40", "width": 0.5}},
                opacity=0.85,
                hovertemplate="%{x}: %{y} OPD<extra>" + zone_label(code) + "</extra>",
            )
        )
    for n, (start, end) in enumerate(_segments(points, changes)):
        part = points[start:end]
        fig.add_trace(
            go.Scatter(
                x=labels[start:end],
                y=[_float(p["average"]) for p in part],
                name=_("Average index"),
                legendgroup="average",
                showlegend=n == 0,
                mode="lines+markers+text",
                text=[fmt(p["average"]) for p in part],
                textposition="top center",
                textfont={"color": BLACK},
                line={"color": "#212529", "width": 3},
                marker={"size": 8},
                # The line on the overlaying axis, so that it is drawn over the bars.
                yaxis="y2",
                hovertemplate="%{x}: %{y:.2f}<extra>" + _("Average index") + "</extra>",
            )
        )
    shapes, annotations = _change_marks(changes, labels)
    fig.update_layout(
        _layout(
            height=300,
            barmode="stack",
            shapes=shapes,
            annotations=annotations,
            # The categories fill the axis (an annotation would widen an autorange).
            xaxis={"type": "category", "range": [-0.5, len(labels) - 0.5]},
            # The OPD counts (bars) on the right, the average (line, drawn last) on the
            # left: both axes make room for their numbers and titles.
            yaxis={
                "side": "right",
                "rangemode": "tozero",
                "title": {"text": _("OPDs")},
                "showgrid": False,
                "automargin": True,
            },
            yaxis2={
                "overlaying": "y",
                "side": "left",
                "automargin": True,
                "range": [0, 5.3],
                "title": {"text": _("Average index")},
                "gridcolor": "#dee2e6",
            },
            # Room for the right axis's numbers and title: never clipped.
            margin={"l": 10, "r": 50, "t": 20, "b": 40},
        )
    )
    return _as_dict(fig)


# The zone palette as a continuous scale over 0–5 (thresholds near 2,6 and 3,5).
def _zone_scale(green_from, yellow_from):
    yellow, green = float(yellow_from) / 5, float(green_from) / 5
    return [
        [0, ZONE_COLOURS[Zone.MERAH]],
        [max(yellow - 0.06, 0.01), "#e9a23b"],
        [yellow, ZONE_COLOURS[Zone.KUNING]],
        [green, "#7fc97f"],
        [min(green + 0.1, 0.99), ZONE_COLOURS[Zone.HIJAU]],
        [1, "#00664b"],
    ]


def aspect_heatmap(opd_labels, aspects, matrix, green_from, yellow_from):
    """OPDs (rows, in rank order) × aspects (columns): the aspect index of each.

    aspects: (short label, full name); matrix: rows of values (None where missing).
    """
    fig = _Figure(
        go.Heatmap(
            z=[[_float(v) for v in row] for row in matrix],
            x=[short for short, _full in aspects],
            y=opd_labels,
            customdata=[[full for _short, full in aspects] for _row in matrix],
            zmin=0,
            zmax=5,
            colorscale=_zone_scale(green_from, yellow_from),
            texttemplate="%{z:.2f}",
            textfont={"size": 10},
            xgap=1,
            ygap=1,
            hovertemplate="%{y}<br>%{customdata}: %{z:.2f}<extra></extra>",
            colorbar={"title": {"text": _("Index")}, "thickness": 12},
        )
    )
    fig.update_layout(
        _layout(
            height=max(260, 22 * len(opd_labels) + 90),
            xaxis={"side": "top", "type": "category"},
            yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
            margin={"l": 10, "r": 10, "t": 40, "b": 10},
        )
    )
    return _as_dict(fig)


def aspect_comparison(aspects, opd_values, pemda_values, opd_label):
    """The OPD's aspect indices beside the pemda average, as grouped bars."""
    labels = [short for short, _full in aspects]
    names = [full for _short, full in aspects]
    fig = _Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[_float(v) for v in opd_values],
            name=opd_label,
            marker={"color": ACCENT},
            text=[fmt(v) for v in opd_values],
            textposition="outside",
            customdata=names,
            hovertemplate="%{customdata}: %{y:.2f}<extra>" + plain(opd_label) + "</extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[_float(v) for v in pemda_values],
            name=_("Regional average"),
            marker={"color": "#999999"},
            text=[fmt(v) for v in pemda_values],
            textposition="outside",
            customdata=names,
            hovertemplate="%{customdata}: %{y:.2f}<extra>" + _("Regional average") + "</extra>",
        )
    )
    fig.update_layout(
        _layout(
            height=320,
            barmode="group",
            xaxis={"type": "category"},
            yaxis={
                "automargin": True,
                "range": [0, 5.5],
                "title": {"text": _("Index")},
                "gridcolor": "#dee2e6",
            },
        )
    )
    return _as_dict(fig)


def opd_trend(points, green_from, yellow_from, changes=()):
    """One OPD's index over every period, over the zone bands.

    points: dicts with label, index, zone; changes as for `pemda_trend`.
    """
    labels = [p["label"] for p in points]
    fig = _Figure()
    for start, end in _segments(points, changes):
        part = points[start:end]
        fig.add_trace(
            go.Scatter(
                x=labels[start:end],
                y=[_float(p["index"]) for p in part],
                mode="lines+markers+text",
                name=_("Index"),
                text=[fmt(p["index"]) for p in part],
                customdata=[zone_label(p["zone"]) for p in part],
                textposition="top center",
                line={"color": "#212529", "width": 3},
                marker={
                    "size": 10,
                    "color": [ZONE_COLOURS.get(p["zone"], NO_ZONE_COLOUR) for p in part],
                    "line": {"color": "#212529", "width": 1},
                },
                hovertemplate="%{x}: %{y:.2f} · %{customdata}<extra></extra>",
                cliponaxis=False,
            )
        )
    bands = [
        (0, float(yellow_from), Zone.MERAH),
        (float(yellow_from), float(green_from), Zone.KUNING),
        (float(green_from), 5, Zone.HIJAU),
    ]
    shapes = [
        {
            "type": "rect",
            "xref": "paper",
            "yref": "y",
            "x0": 0,
            "x1": 1,
            "y0": low,
            "y1": high,
            "fillcolor": ZONE_COLOURS[code],
            "opacity": 0.15,
            "line": {"width": 0},
            "layer": "below",
        }
        for low, high, code in bands
    ]
    annotations = [
        {
            "xref": "paper",
            "yref": "y",
            "x": 1.01,
            "y": (low + high) / 2,
            "text": zone_label(code),
            "showarrow": False,
            "xanchor": "left",
            "font": {"size": 11, "color": "#495057"},
        }
        for low, high, code in bands
    ]
    marks, mark_labels = _change_marks(changes, labels)
    shapes += marks
    annotations += mark_labels
    fig.update_layout(
        _layout(
            height=280,
            showlegend=False,
            xaxis={"type": "category", "range": [-0.5, len(labels) - 0.5]},
            yaxis={
                "automargin": True,
                "range": [0, 5.3],
                "title": {"text": _("Index")},
                "gridcolor": "#dee2e6",
            },
            shapes=shapes,
            annotations=annotations,
            margin={"l": 10, "r": 60, "t": 20, "b": 40},
        )
    )
    return _as_dict(fig)


def kabupaten_bars(rows, green_from, yellow_from):
    """The kabupaten/kota of a province by the average index of their OPDs, beside their
    official national index. rows: dicts with label, average, zone, official."""
    order = [row["label"] for row in rows]
    fig = _Figure()
    fig.add_trace(
        go.Bar(
            orientation="h",
            name=_("Average OPD index"),
            y=order,
            x=[_float(row["average"]) for row in rows],
            text=[
                f"{fmt(row['average'])} · {zone_label(row['zone'])}"
                if row["average"] is not None
                else "—"
                for row in rows
            ],
            textposition="inside",
            insidetextanchor="end",
            textfont={"color": [ZONE_TEXT.get(row["zone"], NO_ZONE_TEXT) for row in rows]},
            marker={
                "color": [ZONE_COLOURS.get(row["zone"], NO_ZONE_COLOUR) for row in rows],
                "line": {"color": "#343a40", "width": 0.5},
            },
            hovertemplate="%{y}: %{x:.2f}<extra>" + _("Average OPD index") + "</extra>",
        )
    )
    if any(row["official"] is not None for row in rows):
        fig.add_trace(
            go.Bar(
                orientation="h",
                name=_("Official national index"),
                y=order,
                x=[_float(row["official"]) for row in rows],
                text=[fmt(row["official"]) if row["official"] is not None else "" for row in rows],
                textposition="inside",
                insidetextanchor="end",
                marker={
                    "color": OFFICIAL,
                    "pattern": {"shape": "/"},
                    "line": {"color": "#343a40", "width": 0.5},
                },
                hovertemplate="%{y}: %{x:.2f}<extra>" + _("Official national index") + "</extra>",
            )
        )
    shapes, annotations = _threshold_shapes(green_from, yellow_from)
    fig.update_layout(_ranking_layout(order, 44 * len(rows), shapes, annotations, barmode="group"))
    return _as_dict(fig)
