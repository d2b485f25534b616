"""The 429 body's RetryInfo: a client that waits retryDelay must find the quota open again."""

from __future__ import annotations

import pytest

from mockgem.protocol.envelopes import error_body, quota_error


@pytest.mark.parametrize(
    ("seconds", "delay"),
    [(47.0, "47s"), (47.000001, "48s"), (47.884324799, "48s"), (0.2, "1s"), (0.0, "0s")],
)
def test_quota_error_retry_delay_rounds_up(seconds: float, delay: str) -> None:
    details = error_body(quota_error("gemini-2.5-flash", "m", "q", 10, seconds))["error"]["details"]
    assert details[2] == {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}
