"""A chart's page rows, bars and table are limited where it asks; its CSV never is."""

from portal.dashboards.charts import Chart, Column, Kind


def a_chart(page_limit=None) -> Chart:
    return Chart(
        "people",
        "People helped",
        "From accepted returns.",
        (Column("Service"), Column("People helped", Kind.COUNT)),
        [("Alpha", 40), ("Bravo", 10), ("Charlie", 80)],
        page_limit=page_limit,
    )


def test_a_chart_without_a_limit_shows_every_row():
    chart = a_chart()
    assert not chart.shortened
    assert [bar.label for bar in chart.bars] == ["Alpha", "Bravo", "Charlie"]


def test_a_limited_chart_shows_its_first_rows_scaled_to_all_of_them_and_its_csv_has_every_row():
    chart = a_chart(page_limit=2)
    assert chart.shortened
    assert [bar.label for bar in chart.bars] == ["Alpha", "Bravo"]
    assert chart.bars[0].segments[0].width == 50.0  # 40 against Charlie's 80, which is not on the page
    assert len(chart.table_rows()) == 2
    assert chart.csv_text().splitlines() == ["Service,People helped", "Alpha,40", "Bravo,10", "Charlie,80"]


def test_a_row_that_is_not_drawn_stays_in_the_table_and_csv_and_does_not_set_the_scale():
    chart = a_chart()
    chart.not_drawn = ("Charlie",)
    assert [bar.label for bar in chart.bars] == ["Alpha", "Bravo"]
    assert chart.bars[0].segments[0].width == 100.0
    assert len(chart.table_rows()) == 3
    assert "Charlie,80" in chart.csv_text()
