import pytest
import requests
import responses

from etl.http import Client, FetchError, _parse_retry_after
from tests.conftest import RecordingClient

URL = "https://api.example.test/v1/items"


@responses.activate
def test_retries_429_honouring_retry_after_then_succeeds(client):
    responses.get(URL, status=429, headers={"Retry-After": "7"}, body="slow down")
    responses.get(URL, json={"ok": 1})
    payload = client.request(URL, name="items.json")
    assert payload.body == b'{"ok": 1}'
    assert client.slept == [7.0]
    assert len(responses.calls) == 2


@responses.activate
def test_backs_off_exponentially_on_5xx_without_retry_after(client):
    for _ in range(3):
        responses.get(URL, status=503)
    responses.get(URL, json=[1, 2])
    client.request(URL)
    assert client.slept == [1.0, 2.0, 4.0]


@responses.activate
def test_gives_up_after_retries_with_the_last_error(client):
    for _ in range(5):
        responses.get(URL, status=500, body="boom")
    with pytest.raises(FetchError, match=r"gave up after 5 attempts: HTTP 500"):
        client.request(URL)
    assert len(responses.calls) == 5


@responses.activate
def test_timeout_is_retried_then_reported(client):
    for _ in range(5):
        responses.get(URL, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(FetchError, match="ReadTimeout"):
        client.request(URL)


@responses.activate
def test_client_error_fails_at_once(client):
    responses.get(URL, status=404, body="not here")
    with pytest.raises(FetchError, match="HTTP 404"):
        client.request(URL)
    assert len(responses.calls) == 1


@responses.activate
def test_html_instead_of_json_is_a_clear_error(client):
    responses.get(URL, body="<!DOCTYPE html><html>Maintenance</html>", content_type="text/html")
    with pytest.raises(FetchError, match="expected JSON, got HTML"):
        client.request(URL)


@responses.activate
def test_empty_body_is_an_error_when_json_expected(client):
    responses.get(URL, body="")
    with pytest.raises(FetchError, match="empty body"):
        client.request(URL)


@responses.activate
def test_csv_accepted_when_not_expecting_json(client):
    responses.get(URL, body="a,b\n1,2\n")
    assert client.request(URL, expect=None).body == b"a,b\n1,2\n"


@responses.activate
def test_payload_over_the_size_cap_is_refused(settings, monkeypatch):
    small = settings.__class__(**{**settings.__dict__, "max_payload_bytes": 10})
    c = RecordingClient(small)
    responses.get(URL, body='{"x": "' + "a" * 100 + '"}')
    with pytest.raises(FetchError, match="exceeds the 10-byte cap"):
        c.request(URL)


@responses.activate
def test_sends_descriptive_user_agent_and_records_fetch_facts(client):
    responses.get(URL, json={})
    payload = client.request(URL, params={"page": 2}, name="p2.json")
    sent = responses.calls[0].request
    assert sent.headers["User-Agent"].startswith("ComputeWatch/")
    assert "@" in sent.headers["User-Agent"]  # a contact, as SEC and Wikimedia ask
    assert payload.url.endswith("?page=2")
    assert len(payload.sha256) == 64 and payload.name == "p2.json"


@responses.activate
def test_throttle_spaces_requests_to_the_rate_limit(client):
    responses.get(URL, json={})
    client.throttle(10)  # ten a minute -> six seconds apart
    for _ in range(3):
        client.request(URL)
    assert client.slept == [6.0, 6.0]


def test_retry_after_accepts_seconds_and_http_dates():
    assert _parse_retry_after("12") == 12.0
    assert _parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert _parse_retry_after("soon") is None


def test_real_client_has_timeouts_from_settings(settings):
    c = Client(settings)
    assert (settings.connect_timeout, settings.read_timeout) == (10.0, 60.0)
    assert c.session.headers["User-Agent"] == settings.user_agent


@responses.activate
def test_a_body_cut_off_mid_download_is_retried(client):
    responses.get(URL, body=requests.exceptions.ChunkedEncodingError("connection broken: incomplete read"))
    responses.get(URL, json={"ok": True})
    assert client.request(URL).body == b'{"ok": true}'
    assert len(responses.calls) == 2


@responses.activate
def test_error_bodies_are_not_downloaded_whole(client):
    responses.get(URL, status=404, body="x" * 5_000_000)
    with pytest.raises(FetchError) as info:
        client.request(URL)
    assert len(str(info.value)) < 400


@responses.activate
def test_a_post_is_retried_with_the_same_body(client):
    responses.post(URL, status=502)
    responses.post(URL, json={"data": {}})
    client.request(URL, method="POST", json={"query": "q"})
    assert [c.request.body for c in responses.calls] == [b'{"query": "q"}'] * 2
    assert client.slept == [1.0]  # backoff without Retry-After


@responses.activate
def test_a_long_retry_after_is_capped(client):
    responses.get(URL, status=429, headers={"Retry-After": "3600"})
    responses.get(URL, json={})
    client.request(URL)
    assert client.slept == [client.max_wait]
