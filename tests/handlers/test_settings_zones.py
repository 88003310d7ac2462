"""/settings shows time zones in Russian, by name: the person's own and, for the head, the team's."""

from __future__ import annotations

from bot.callbacks import SettingsCb
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, onboard_head


async def test_settings_show_own_and_team_zone_in_russian_without_offsets(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await tg.tap(HEAD, SettingsCb(action="tz").pack())
    await tg.send(HEAD, "Новосибирск")
    await tg.tap(HEAD, SettingsCb(action="ttz").pack())
    await tg.send(HEAD, "омск")
    await tg.send(HEAD, "/settings")
    screen = tg.last_text(HEAD)
    assert tg.content.t("settings.timezone", timezone="Новосибирск") in screen
    assert tg.content.t("settings.team_timezone", timezone="Омск") in screen
    assert "Asia/" not in screen and "UTC" not in screen
