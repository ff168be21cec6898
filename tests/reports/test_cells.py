"""The indicator tables' cells, rendered in one tag per row, as the cell filter shows each value."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

ROW = {
    "reached": 12345,
    "referred_pct": Decimal("12.5"),
    "total_cost_vnd": 45000000,
    "referrals_made": None,
    "referred": "<5",
}
COLUMNS = [(code, code.upper()) for code in ROW]


def render(source, **context):
    return Template("{% load report_cells %}" + source).render(Context(context))


def test_a_row_of_cells_in_vietnamese():
    with translation.override("vi"):
        html = render("{% cells values columns %}", values=ROW, columns=COLUMNS)
    assert html == (
        '<td class="text-end" data-code="reached">12.345</td>'
        '<td class="text-end" data-code="referred_pct">12,5 %</td>'
        '<td class="text-end" data-code="total_cost_vnd">45.000.000 ₫</td>'
        '<td class="text-end" data-code="referrals_made">—</td>'
        '<td class="text-end" data-code="referred">&lt;5</td>'
    )


def test_the_total_row_has_its_class_and_no_codes():
    with translation.override("vi"):
        html = render(
            '{% cells values columns "text-end fw-semibold" False %}',
            values={"reached": 7},
            columns=[("reached", "")],
        )
    assert html == '<td class="text-end fw-semibold">7</td>'


def test_the_tag_shows_what_the_filter_shows():
    with translation.override("en"):
        by_tag = render("{% cells values columns %}", values=ROW, columns=COLUMNS)
        by_filter = render(
            '{% for code, label in columns %}<td class="text-end" data-code="{{ code }}">'
            "{{ values|cell:code }}</td>{% endfor %}",
            values=ROW,
            columns=COLUMNS,
        )
    assert by_tag == by_filter
