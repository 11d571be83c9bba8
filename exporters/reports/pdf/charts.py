"""Carbon footprint per lifecycle stage as a bar chart drawn with reportlab.graphics.

Battery Regulation (EU) 2023/1542 Art. 7(1) and Annex II: the carbon footprint declaration states
the total and the contribution of each lifecycle stage (raw material acquisition and pre-processing,
main product production, distribution, end of life and recycling), and the performance class.
The chart shows exactly those: one bar per stage with its value, the total and the class above.
Stage names can be long and Korean, so they are wrapped by us rather than left to the axis.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from exporters.reports.pdf.document import StageChart
from exporters.reports.pdf.fonts import FontSet

BAR_COLOUR = colors.HexColor("#2f6f8f")
CREDIT_COLOUR = colors.HexColor("#5b9a5b")  # negative values: credits, e.g. recycling at end of life
AXIS_COLOUR = colors.HexColor("#8a8f98")
TEXT_COLOUR = colors.HexColor("#1f2328")

LABEL_SIZE = 8
VALUE_SIZE = 7.5
HEADLINE_SIZE = 10
HEADLINE_HEIGHT = 22
BAR_PITCH = 24  # points per stage in the horizontal chart: an 8 pt label of two lines fits


def format_value(value: float, decimals: int = 2) -> str:
    """Format a figure with thousands separators and fixed decimals, the same in every language."""
    return f"{value:,.{decimals}f}"


def _value_range(values: list[float]) -> tuple[float, float]:
    low, high = min(0.0, *values), max(0.0, *values)
    if low == high:
        high = 1.0
    # Room at the ends for the value labels printed beyond each bar.
    span = high - low
    return (low - 0.18 * span if low < 0 else 0.0), (high + 0.18 * span if high > 0 else 0.0)


def _style_bars(chart: BarChart, values: list[float], fonts: FontSet, fmt: Callable[[float], str], anchor: str) -> None:
    """Colour the bars and place each value label just beyond its bar's end.

    ``anchor`` is for a positive bar; reportlab's bar labels mirror it for negative ones.
    """
    chart.data = [values]
    chart.bars.strokeColor = None
    chart.barLabels.nudge = 4
    chart.barLabels.boxAnchor = anchor
    for index, value in enumerate(values):
        chart.bars[(0, index)].fillColor = CREDIT_COLOUR if value < 0 else BAR_COLOUR
    chart.barLabelFormat = fmt
    chart.barLabels.fontName = fonts.regular
    chart.barLabels.fontSize = VALUE_SIZE
    chart.barLabels.fillColor = TEXT_COLOUR
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = VALUE_SIZE - 0.5
    chart.valueAxis.labels.fillColor = AXIS_COLOUR
    chart.valueAxis.strokeColor = AXIS_COLOUR
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e6ea")
    chart.valueAxis.gridStrokeWidth = 0.5
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = _value_range(values)
    chart.valueAxis.labelTextFormat = fmt
    chart.categoryAxis.strokeColor = AXIS_COLOUR
    chart.categoryAxis.labels.visible = False
    chart.categoryAxis.visibleTicks = False


def _headline(drawing: Drawing, chart: StageChart, total_label: str, fonts: FontSet, width: float) -> None:
    top = drawing.height - HEADLINE_SIZE - 2
    total = f"{total_label}: {format_value(chart.total)} {chart.unit}"
    drawing.add(String(0, top, total, fontName=fonts.bold, fontSize=HEADLINE_SIZE, fillColor=TEXT_COLOUR))
    if chart.class_label:
        drawing.add(
            String(
                width,
                top,
                chart.class_label,
                fontName=fonts.bold,
                fontSize=HEADLINE_SIZE,
                fillColor=BAR_COLOUR,
                textAnchor="end",
            )
        )


def _wrapped(text: str, fonts: FontSet, max_width: float, max_lines: int) -> list[str]:
    lines = simpleSplit(text, fonts.regular, LABEL_SIZE, max_width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        # Mark the cut so a reader knows the name goes on (the table beside the chart has it whole).
        while lines[-1] and stringWidth(lines[-1] + "…", fonts.regular, LABEL_SIZE) > max_width:
            lines[-1] = lines[-1][:-1]
        lines[-1] += "…"
    return lines


def _horizontal(chart: StageChart, fonts: FontSet, width: float, total_label: str) -> Drawing:
    names = [name for name, _ in chart.stages]
    values = [float(value) for _, value in chart.stages]
    label_width = width * 0.32
    plot_height = BAR_PITCH * len(values)
    axis_room = 16
    drawing = Drawing(width, plot_height + axis_room + HEADLINE_HEIGHT, initialFontName=fonts.regular)
    bars = HorizontalBarChart()
    bars.x, bars.y = label_width + 6, axis_room
    bars.width, bars.height = width - label_width - 10, plot_height
    _style_bars(bars, values, fonts, format_value, "w")
    bars.barWidth = 14
    bars.groupSpacing = BAR_PITCH - 14
    # HorizontalBarChart puts the first category at the bottom; stages read top-down in life-cycle order.
    bars.categoryAxis.reverseDirection = True
    drawing.add(bars)
    for index, name in enumerate(names):
        centre = axis_room + plot_height - (index + 0.5) * BAR_PITCH
        lines = _wrapped(name, fonts, label_width, 2)
        first = centre + (len(lines) - 1) * (LABEL_SIZE + 1) / 2 - LABEL_SIZE / 3
        for line_no, line in enumerate(lines):
            drawing.add(
                String(
                    label_width,
                    first - line_no * (LABEL_SIZE + 1),
                    line,
                    fontName=fonts.regular,
                    fontSize=LABEL_SIZE,
                    fillColor=TEXT_COLOUR,
                    textAnchor="end",
                )
            )
    _headline(drawing, chart, total_label, fonts, width)
    return drawing


def _vertical(chart: StageChart, fonts: FontSet, width: float, total_label: str) -> Drawing:
    names = [name for name, _ in chart.stages]
    values = [float(value) for _, value in chart.stages]
    slot = (width - 50) / len(values)
    label_lines = 3
    label_room = label_lines * (LABEL_SIZE + 1) + 6
    plot_height = 150
    drawing = Drawing(width, label_room + plot_height + HEADLINE_HEIGHT, initialFontName=fonts.regular)
    bars = VerticalBarChart()
    bars.x, bars.y = 45, label_room
    bars.width, bars.height = width - 50, plot_height
    _style_bars(bars, values, fonts, format_value, "s")
    bars.barWidth = 10
    bars.groupSpacing = 10
    drawing.add(bars)
    for index, name in enumerate(names):
        centre = bars.x + (index + 0.5) * slot
        for line_no, line in enumerate(_wrapped(name, fonts, slot - 4, label_lines)):
            drawing.add(
                String(
                    centre,
                    label_room - 10 - line_no * (LABEL_SIZE + 1),
                    line,
                    fontName=fonts.regular,
                    fontSize=LABEL_SIZE,
                    fillColor=TEXT_COLOUR,
                    textAnchor="middle",
                )
            )
    _headline(drawing, chart, total_label, fonts, width)
    return drawing


def stage_chart_drawing(chart: StageChart, fonts: FontSet, width: float, total_label: str) -> Drawing:
    """Return the chart as a Drawing ``width`` points wide; its height follows the number of stages."""
    if chart.orientation == "vertical":
        return _vertical(chart, fonts, width, total_label)
    return _horizontal(chart, fonts, width, total_label)
