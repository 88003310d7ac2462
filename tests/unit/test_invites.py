import re
from datetime import timedelta

import pytest

from domain.invites import DEFAULT_INVITE_TTL, deep_link, new_invite_code

_ALLOWED = re.compile(r"^[A-Za-z0-9_-]+$")


def test_codes_use_only_telegram_start_characters_and_are_short() -> None:
    for _ in range(200):
        code = new_invite_code()
        assert _ALLOWED.match(code), code
        # 96+ bits in base64url is at least 16 characters; Telegram allows 64, we promise 32.
        assert 16 <= len(code) <= 32


def test_codes_do_not_repeat() -> None:
    codes = {new_invite_code() for _ in range(2000)}
    assert len(codes) == 2000


def test_codes_come_from_the_secrets_module(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def fake_token(nbytes: int) -> str:
        calls.append(nbytes)
        return "x" * 24

    monkeypatch.setattr("domain.invites.secrets.token_urlsafe", fake_token)
    assert new_invite_code() == "x" * 24
    assert calls and calls[0] * 8 >= 96


def test_default_ttl_is_two_weeks() -> None:
    assert timedelta(days=14) == DEFAULT_INVITE_TTL


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("rop_coach_bot", "https://t.me/rop_coach_bot?start=AbC-_9"),
        ("@rop_coach_bot", "https://t.me/rop_coach_bot?start=AbC-_9"),
    ],
)
def test_deep_link(username: str, expected: str) -> None:
    assert deep_link(username, "AbC-_9") == expected
