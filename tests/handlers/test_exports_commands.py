from __future__ import annotations

from pathlib import Path

from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile

from analytics.engine import analyze
from analytics.schema import Field
from tests.handlers.conftest import FakeTelegram
from tests.handlers.helpers import HEAD, MEMBER, onboard_head

TEMPLATE = Path(__file__).resolve().parents[2] / "content" / "ru" / "export_template.csv"


async def test_template_is_sent_and_understood_by_the_engine(tg: FakeTelegram) -> None:
    await tg.send(HEAD, "/template")
    sent = [r for r in tg.session.requests if isinstance(r, SendDocument)]
    assert len(sent) == 1
    document = sent[0].document
    assert isinstance(document, BufferedInputFile)
    assert document.data == TEMPLATE.read_bytes()
    result = analyze(document.data, document.filename)
    mapping = result.recognition.mapping
    for field in (Field.AMOUNT, Field.STAGE, Field.MANAGER, Field.CREATED, Field.CLOSED, Field.CLIENT):
        assert field in mapping, field
    assert result.recognition.ambiguous == ()
    assert (result.metrics.deals.won, result.metrics.deals.lost, result.metrics.deals.open) == (1, 1, 1)
    assert result.metrics.won_revenue == 1_250_000


async def test_upload_prompt_is_for_the_head_only(tg: FakeTelegram) -> None:
    _, member_code = await onboard_head(tg)
    await tg.send(HEAD, "/upload")
    assert "/template" in tg.last_text(HEAD)
    await tg.send(MEMBER, f"/start {member_code}")
    await tg.send(MEMBER, "/upload")
    assert tg.last_text(MEMBER) == tg.content.t("errors.access_denied")


async def test_file_over_the_limit_is_refused_before_download(tg: FakeTelegram) -> None:
    from datetime import UTC, datetime

    from aiogram.methods import GetFile
    from aiogram.types import Chat, Document, Message, Update

    await onboard_head(tg)
    message = Message(
        message_id=5,
        date=datetime.now(UTC),
        chat=Chat(id=HEAD, type="private"),
        from_user=tg.user(HEAD),
        document=Document(file_id="big", file_unique_id="big", file_name="crm.csv", file_size=30 * 1024 * 1024),
    )
    await tg.dispatcher.feed_update(tg.bot, Update(update_id=777, message=message), analysis_pool=object())
    assert tg.last_text(HEAD) == tg.content.t("exports.too_large", limit=20)
    assert not any(isinstance(r, GetFile) for r in tg.session.requests)
