"""The shared cell helpers (etl/sources/_parse.py) and Payload.csv()."""

from datetime import UTC, date, datetime

import pytest

from etl.provenance import Payload
from etl.sources._parse import day, flag, number, number_or_raw, positive, whole_count


@pytest.mark.parametrize("value, expected", [
    ("2.49", 2.49), (" 3 ", 3.0), (7, 7.0), (0.5, 0.5), ("", None), ("  ", None), (None, None),
    (True, None), ("n/a", None), ("nan", None), ("inf", None), ({"a": 1}, None), ("1,234.5", None),
])
def test_number(value, expected):
    assert number(value) == expected


def test_number_with_thousands_separators():
    assert number("1,234.5", thousands=True) == 1234.5
    assert number(" , ", thousands=True) is None


@pytest.mark.parametrize("value, expected", [("5e24", 5e24), ("0", None), ("-1", None), ("", None)])
def test_positive(value, expected):
    assert positive(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("3.5", 3.5), ("", None), (None, None), ("N/A", "N/A"), ("call us", "call us"), (0, 0.0),
])
def test_number_or_raw_keeps_unparsable_text_for_validation(value, expected):
    assert number_or_raw(value) == expected


def test_number_or_raw_treats_declared_spellings_as_absent():
    assert number_or_raw(" N/A ", absent=("", "N/A")) is None


@pytest.mark.parametrize("value, expected", [
    ("8", 8), (8, 8), ("8.0", 8), ("0.125", None), ("0", None), ("", None), (None, None), ("x", None),
])
def test_whole_count(value, expected):
    assert whole_count(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("True", True), ("yes", True), ("checked", True), ("1", True), ("Y", True),
    ("", False), (None, False), ("False", False), ("no", False),
])
def test_flag(value, expected):
    assert flag(value) is expected


@pytest.mark.parametrize("value, expected", [
    ("2024-03-05", date(2024, 3, 5)), ("2024-03-05T10:00:00Z", date(2024, 3, 5)),
    ("2024-03", date(2024, 3, 1)), ("2024", date(2024, 1, 1)), ("", None), (None, None), ("soon", None),
])
def test_day(value, expected):
    assert day(value) == expected


def _payload(body: bytes) -> Payload:
    return Payload(body=body, url="https://example.test/x.csv", fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                   name="x.csv")


def test_csv_reads_rows_and_strips_a_byte_order_mark():
    rows = _payload("\ufeffa,b\n1,2\n3,4\n".encode()).csv("demo", ("a", "b"))
    assert rows == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


@pytest.mark.parametrize("body, match", [
    (b"", "x.csv is empty"),
    (b"  \n", "x.csv is empty"),
    (b"<!DOCTYPE html><html>Rate limited</html>", "not CSV, got HTML"),
    (b'{"error": "nope"}', "not CSV, got JSON"),
    (b"a,c\n1,2\n", r"lacks columns \['b'\]"),
])
def test_csv_failures_name_source_and_file(body, match):
    with pytest.raises(ValueError, match=match) as info:
        _payload(body).csv("demo", ("a", "b"))
    assert str(info.value).startswith("demo: ")
