"""ui.chart's Data view: the table is drawn once Data is opened, a long one as a preview of its first TABLE_ROWS
rows until the reader asks for all; the CSV is offered either way."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app(rows: int) -> AppTest:
    def script(rows: int) -> None:
        import pandas as pd

        from dashboard import ui
        from dashboard.charts import lines

        frame = pd.DataFrame({"day": pd.date_range("2020-01-01", periods=rows), "v": range(rows), "s": "a"})
        ui.chart(lines(frame, x="day", y="v", series="s", title="t"), frame, key="t", sources=["unknown"])

    return AppTest.from_function(script, args=(rows,), default_timeout=60)


def test_a_long_table_shows_a_preview_until_all_rows_are_asked_for():
    from dashboard import ui

    n = ui.TABLE_ROWS + 250
    at = _app(n).run()
    assert not at.exception and not at.dataframe  # Data closed: no table sent
    assert [b.label for b in at.get("download_button")] == ["Download CSV"]
    at.session_state["data_t"] = True  # the reader opens Data
    at.run()
    assert len(at.dataframe[0].value) == ui.TABLE_ROWS
    assert f"of {n:,} rows" in " ".join(c.value for c in at.caption)
    at.toggle(key="all_t").set_value(True).run()
    assert len(at.dataframe[0].value) == n and list(at.dataframe[0].value["v"])[-1] == n - 1


def test_a_short_table_is_shown_whole_without_a_toggle():
    from dashboard import ui

    at = _app(ui.TABLE_ROWS)
    at.session_state["data_t"] = True
    at.run()
    assert not at.exception
    assert len(at.dataframe[0].value) == ui.TABLE_ROWS and not at.toggle


def test_a_csv_download_writes_the_frame_when_clicked_not_before():
    import io

    import pandas as pd

    from dashboard import ui

    class Where:  # stands in for st or a column: records what download_button was given
        def download_button(self, label, data, **kwargs):
            self.label, self.data, self.kwargs = label, data, kwargs

    frame = pd.DataFrame({"gpu": ["H100", "A100"], "price": [1.87, 0.99]})
    where = Where()
    ui.csv_download(frame, "computewatch_x.csv", key="csv_x", label="Download it", where=where)
    assert callable(where.data) and where.label == "Download it"
    assert where.kwargs == {"file_name": "computewatch_x.csv", "mime": "text/csv", "key": "csv_x"}
    frame.loc[1, "price"] = 1.05  # written on click: the file has the frame as it is then
    assert pd.read_csv(io.BytesIO(where.data())).to_dict("list") == {"gpu": ["H100", "A100"], "price": [1.87, 1.05]}


def test_a_csv_download_of_a_function_makes_the_frame_only_when_clicked():
    import io

    import pandas as pd

    from dashboard import ui

    class Where:
        def download_button(self, label, data, **kwargs):
            self.data = data

    made = []

    def make() -> pd.DataFrame:
        made.append(1)
        return pd.DataFrame({"run": ["Scenario"], "value": [0.5]})

    where = Where()
    ui.csv_download(make, "computewatch_y.csv", key="csv_y", where=where)
    assert made == []  # a page that draws the button does not pay for the frame
    assert pd.read_csv(io.BytesIO(where.data())).to_dict("list") == {"run": ["Scenario"], "value": [0.5]}
    assert made == [1]
