"""/template is a CSV Excel opens right on Russian Windows (UTF-8 with a BOM); a photo of a table gets a request
for the file itself. Through the real Dispatcher."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime

from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile, Chat, Message, PhotoSize, Update

from analytics.engine import analyze
from analytics.schema import Field
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, OWNER, onboard_head


async def test_template_starts_with_a_utf8_bom_and_still_reads(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/template")
    sent = [r for r in tg.session.requests if isinstance(r, SendDocument)]
    document = sent[-1].document
    assert isinstance(document, BufferedInputFile)
    assert document.data.startswith(codecs.BOM_UTF8) and not document.data[3:].startswith(codecs.BOM_UTF8)
    text = document.data.decode("utf-8-sig")
    assert text.startswith("ID;Название сделки;Бюджет;")
    result = analyze(document.data, document.filename)
    assert result.recognition.headers[0] == "ID"  # the BOM is not part of the first header
    assert Field.AMOUNT in result.recognition.mapping


async def _send_photo(tg: FakeTelegram, user_id: int, update_id: int) -> None:
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=tg.user(user_id),
        photo=[PhotoSize(file_id="p1", file_unique_id="u1", width=1280, height=960)],
        caption="вот наша воронка",
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=update_id, message=message))


async def test_a_photo_of_a_table_gets_a_request_for_the_file(tg: FakeTelegram) -> None:
    await onboard_head(tg)
    await _send_photo(tg, HEAD, 901)
    assert tg.last_text(HEAD) == tg.content.t("exports.photo")
    assert "/template" in tg.content.t("exports.photo")


async def test_a_photo_from_someone_who_cannot_upload_is_not_promised_an_analysis(tg: FakeTelegram) -> None:
    """The request for the file promises an analysis only a head gets: an owner or a member who sends a photo is told
    what they can use instead, as for any head-only screen."""
    owner_code, member_code = await onboard_head(tg)
    await tg.send(OWNER, f"/start {owner_code}", name="Олег")
    await tg.send(MEMBER, f"/start {member_code}", name="Мария")
    await _send_photo(tg, OWNER, 902)
    await _send_photo(tg, MEMBER, 903)
    assert tg.last_text(OWNER) == tg.content.t("errors.access_denied_for.owner")
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied_for.member")
