"""Chart rules (issue 13, point 4): labels on zone colours readable (WCAG AA), nothing
clipped, threshold lines under the bars, and an empty chart that says so."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from evaluations import charts
from evaluations.models import Zone

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"
GREEN, YELLOW = Decimal("3.50"), Decimal("2.60")


def test_the_contrast_formula_matches_wcag():
    assert charts.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert charts.contrast("#ffffff", "#777777") == charts.contrast("#777777", "#ffffff")


@pytest.mark.parametrize("code", [*Zone.values, None])
def test_text_on_every_zone_colour_reaches_aa(code):
    background = charts.ZONE_COLOURS.get(code, charts.NO_ZONE_COLOUR)
    foreground = charts.ZONE_TEXT.get(code, charts.NO_ZONE_TEXT)
    assert charts.contrast(foreground, background) >= charts.AA_CONTRAST


def test_the_zone_badges_of_the_stylesheet_reach_aa():
    css = CSS.read_text()
    palette = dict(re.findall(r"--zona-(\w+):\s*(#[0-9a-fA-F]{6})", css))
    assert palette == {code: charts.ZONE_COLOURS[code] for code in Zone.values}
    badges = dict(re.findall(r"\.badge\.zona-(\w+) \{[^}]*color: (#[0-9a-fA-F]{3,6});", css))
    assert set(badges) == set(Zone.values)
    for code, text in badges.items():
        text = "#" + "".join(c * 2 for c in text[1:]) if len(text) == 4 else text
        assert charts.contrast(text, palette[code]) >= charts.AA_CONTRAST, code


def test_the_trend_charts_keep_room_for_their_right_side():
    points = [
        {"label": "2024", "average": Decimal("2.9"), "zones": {"merah": 3, "kuning": 20}},
        {"label": "2025", "average": Decimal("3.2"), "zones": {"kuning": 18, "hijau": 9}},
    ]
    layout = charts.pemda_trend(points)["layout"]
    assert layout["yaxis"]["side"] == "right" and layout["margin"]["r"] >= 40
    assert layout["xaxis"]["range"] == [-0.5, 1.5]
    assert layout["yaxis"]["automargin"] is True and layout["yaxis2"]["automargin"] is True
    # The average line is drawn over the bars (on the overlaying axis) in black.
    [line] = [t for t in charts.pemda_trend(points)["data"] if t["type"] == "scatter"]
    assert line["yaxis"] == "y2" and line["textfont"]["color"] == charts.BLACK
    opd = charts.opd_trend(
        [{"label": "2025", "index": Decimal("3.1"), "zone": "kuning"}], GREEN, YELLOW
    )
    # The zone names beside the bands sit right of the plot: the margin holds them.
    assert opd["layout"]["margin"]["r"] >= 60


def test_threshold_lines_are_drawn_under_the_bars_and_their_labels_apart():
    rows = [
        {
            "label": "Dinkes",
            "name": "Dinas Kesehatan",
            "index": Decimal("3.1"),
            "zone": "kuning",
            "rank": 1,
        }
    ]
    for figure in (
        charts.ranking_bars(rows, GREEN, YELLOW),
        charts.kabupaten_bars(
            [{"label": "Majene", "average": Decimal("3.1"), "zone": "kuning", "official": None}],
            GREEN,
            YELLOW,
        ),
    ):
        lines = [s for s in figure["layout"]["shapes"] if s["type"] == "line"]
        assert len(lines) == 2 and all(line["layer"] == "below" for line in lines)
        labels = figure["layout"]["annotations"]
        # Above the plot, the green label a line above the yellow one.
        assert all(a["y"] == 1 and a["yanchor"] == "bottom" for a in labels)
        assert len({a["yshift"] for a in labels}) == 2


def test_an_empty_chart_says_no_data_yet():
    with translation.override("id"):
        empty = [
            charts.aspect_heatmap([], [("A1", "Kebijakan")], [], GREEN, YELLOW),
            charts.ranking_bars([], GREEN, YELLOW),
            charts.zone_donut({}),
            charts.pemda_trend([]),
        ]
        full = charts.aspect_heatmap(
            ["Dinkes"], [("A1", "Kebijakan")], [[Decimal("3")]], GREEN, YELLOW
        )
    for figure in empty:
        assert figure["empty"] == "Belum ada data"
    assert "empty" not in full


def test_instrument_change_labels_stay_inside_the_trend():
    points = [
        {"label": str(year), "index": Decimal("2.5"), "zone": "merah"} for year in range(2019, 2027)
    ]
    late = charts.opd_trend(points, GREEN, YELLOW, changes=[(7, "crosswalk")])["layout"]
    early = charts.opd_trend(points, GREEN, YELLOW, changes=[(1, "break")])["layout"]
    # The categories fill the axis; the label sits on the side of the line with room.
    assert late["xaxis"]["range"] == [-0.5, 7.5]
    [late_label] = [a for a in late["annotations"] if a.get("xref") == "x"]
    [early_label] = [a for a in early["annotations"] if a.get("xref") == "x"]
    assert late_label["xanchor"] == "right" and early_label["xanchor"] == "left"


def test_the_donut_says_its_total_on_two_lines_and_labels_stay_text():
    """Our own markup (the total over "OPD" in the hole) reaches Plotly as a line break;
    data never does (charts.plain)."""
    figure = charts.zone_donut({Zone.MERAH: 3, Zone.KUNING: 11, Zone.HIJAU: 28})
    assert figure["layout"]["annotations"][0]["text"] == "42<br>OPD"
    assert charts.plain("<br>Dinas") == "&lt;br&gt;Dinas"
