"""The monthly statement drawn as a PDF with ReportLab (the figures: `statement.collect_statement`).

A module of its own because ReportLab is ~50 ms and several MB to import: only the worker's export
job imports it, when it renders a statement, not every API process at start.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from family_budget.exports.statement import StatementData
from family_budget.money import exponent, format_minor

_INK = colors.HexColor("#1f2937")
_MUTED = colors.HexColor("#6b7280")
_RULE = colors.HexColor("#d1d5db")
_ASSIGNED = colors.HexColor("#2563eb")
_SPENT = colors.HexColor("#f97316")


def _table(rows: list[list[str]], widths: list[float], *, total_rows: int = 0) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style: list[Any] = [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("TEXTCOLOR", (0, 0), (-1, -1), _INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, _INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, _RULE),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
    ]
    if total_rows:
        style.append(("FONTNAME", (0, -total_rows), (-1, -1), "Helvetica-Bold"))
    table.setStyle(TableStyle(style))
    return table


def _chart(data: StatementData) -> Drawing:
    """Assigned against spent per category group: where the plan held and where it did not."""
    groups = [g for g in data.budget.groups if g.assigned_minor or g.activity_minor]
    drawing = Drawing(170 * mm, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = round(12 * mm), round(14 * mm)
    chart.width, chart.height = round(150 * mm), round(48 * mm)
    scale = 10 ** exponent(data.currency)
    chart.data = [
        [g.assigned_minor / scale for g in groups] or [0],
        [-g.activity_minor / scale for g in groups] or [0],
    ]
    chart.categoryAxis.categoryNames = [g.name[:14] for g in groups] or ["-"]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 20
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = _ASSIGNED
    chart.bars[1].fillColor = _SPENT
    chart.barSpacing = 1
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = round(130 * mm), round(68 * mm)
    legend.fontSize = 8
    legend.colorNamePairs = [(_ASSIGNED, "Assigned"), (_SPENT, "Spent")]
    drawing.add(legend)
    return drawing


def render_statement(data: StatementData) -> bytes:
    currency = data.currency

    def money(amount_minor: int) -> str:
        return format_minor(amount_minor, currency)

    styles = getSampleStyleSheet()
    heading, body = styles["Heading2"], styles["BodyText"]
    month_name = data.month.strftime("%B %Y")
    story = [
        Paragraph(f"Monthly statement: {month_name}", styles["Title"]),
        Paragraph(f"{_escape(data.household_name)}. Amounts in {currency}.", body),
        Spacer(1, 4 * mm),
        Paragraph("Income and expenses", heading),
        _table(
            [
                ["", "Amount"],
                ["Income", money(data.flow.income_minor)],
                ["Expenses", money(data.flow.expenses_minor)],
                ["Net", money(data.flow.net_minor)],
            ],
            [60 * mm, 45 * mm],
            total_rows=1,
        ),
        Paragraph("Budget and spending by group", heading),
        _chart(data),
        Paragraph("Budget against actual, per category", heading),
    ]
    budget_rows = [["Category", "Assigned", "Spent", "Available"]]
    for group in data.budget.groups:
        lines = [line for line in group.categories if line.has_money or not line.hidden]
        if not lines:
            continue
        budget_rows.append(
            [
                group.name,
                money(group.assigned_minor),
                money(-group.activity_minor),
                money(group.available_minor),
            ]
        )
        for line in lines:
            budget_rows.append(
                [
                    f"    {line.name}",
                    money(line.assigned_minor),
                    money(-line.activity_minor),
                    money(line.available_minor),
                ]
            )
    totals = data.budget.totals
    budget_rows.append(["Total", money(totals.assigned_minor), money(totals.spent_minor), ""])
    story.append(_table(budget_rows, [70 * mm, 35 * mm, 35 * mm, 35 * mm], total_rows=1))
    if totals.uncategorized_activity_minor:
        story.append(
            Paragraph(
                f"Not categorized this month: {money(totals.uncategorized_activity_minor)}.", body
            )
        )

    story.append(Paragraph(f"Account balances on {data.net_worth.ends_on.isoformat()}", heading))
    balance_rows = [["Account", "Kind", "Balance"]]
    balance_rows += [
        [b.name, b.kind.value.replace("_", " "), format_minor(b.balance_minor, b.currency)]
        for b in data.balances
    ]
    story.append(_table(balance_rows, [75 * mm, 35 * mm, 45 * mm]))
    story.append(Spacer(1, 3 * mm))
    story.append(
        _table(
            [
                ["Net worth", "Amount"],
                ["Assets", money(data.net_worth.assets_minor)],
                ["Liabilities", money(data.net_worth.liabilities_minor)],
                ["Net worth", money(data.net_worth.net_worth_minor)],
            ],
            [60 * mm, 45 * mm],
            total_rows=1,
        )
    )
    if any(b.currency != currency for b in data.balances):
        story.append(
            Paragraph(f"Accounts in another currency than {currency} are not in net worth.", body)
        )

    story.append(Paragraph("Biggest payees", heading))
    if data.payees:
        payee_rows = [["Payee", "Payments", "Spent"]]
        payee_rows += [[p.payee, str(p.count), money(p.spent_minor)] for p in data.payees]
        story.append(_table(payee_rows, [90 * mm, 25 * mm, 40 * mm]))
    else:
        story.append(Paragraph("No spending this month.", body))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Monthly statement {month_name}",
        author="Family Budget",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    document.build(story)
    return buffer.getvalue()


def _escape(text: str) -> str:
    # Paragraph text is a small markup language: a household called "A & B <3" must print as is.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
