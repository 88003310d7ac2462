"""`python main.py analyze FILE [--plans PLANS] [--json] [--charts DIR]` through cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.cli import main
from content.loader import load_content
from tests.unit.analytics.test_engine import AMO_CSV

JSON_KEYS = {
    "rows", "columns", "deals", "won_revenue", "win_rate", "avg_deal", "avg_deal_new", "avg_deal_existing",
    "funnel", "managers", "clients", "cycle_days_median", "signals", "kind", "period", "currency", "margin",
    "qualified_conversion", "month",
}  # fmt: skip


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "amo.csv"
    path.write_bytes(AMO_CSV)
    return path


def test_json(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(export), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= JSON_KEYS
    assert data["rows"] == 7 and data["deals"] == {"total": 7, "won": 3, "lost": 2, "open": 2}
    assert data["won_revenue"] == 60000 and data["win_rate"] == pytest.approx(0.6)
    assert data["columns"]["manager"] == "Ответственный"
    assert data["funnel"][0] == {
        "stage": "Первичный контакт", "count": 1, "reached_share": 1.0, "reached": 7,
        "conversion": pytest.approx(4 / 7), "lost": 0, "won": False,
    }
    assert data["clients"] == {"active": 2, "sleeping": 0, "churned": 0, "active_revenue_share": 1.0,
                               "sleeping_revenue_share": 0.0, "churned_revenue_share": 0.0}
    assert data["managers"][0]["plan"] is None and data["margin"] is None


def test_readable_report(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(export)]) == 0
    out = capsys.readouterr().out
    assert "Анализ выгрузки: amo.csv" in out
    assert "Выручка по успешным сделкам: 60\u00a0000\n" in out and "₽" not in out  # currency unknown
    assert "сумма: «Бюджет»" in out and "<b>" not in out


def test_plans_two_and_three_columns(export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two = tmp_path / "plans.csv"
    two.write_text("Менеджер;План\nАнна Смирнова;25 000\nБорис Петров;60000\n", encoding="utf-8")
    assert main([str(export), "--json", "--plans", str(two)]) == 0
    managers = {m["manager"]: m for m in json.loads(capsys.readouterr().out)["managers"]}
    assert (managers["Анна Смирнова"]["plan"], managers["Анна Смирнова"]["attainment"]) == (25000, 1.2)
    assert (managers["Борис Петров"]["attainment"], managers["Борис Петров"]["over_plan"]) == (0.5, -30000)

    three = tmp_path / "plans3.csv"
    three.write_text("Менеджер;Месяц;План\nАнна Смирнова;2024-02;10000\nАнна Смирнова;03.2024;10000\n",
                     encoding="utf-8")
    assert main([str(export), "--json", "--plans", str(three)]) == 0
    anna = json.loads(capsys.readouterr().out)["managers"][0]
    assert (anna["plan"], anna["attainment"], anna["over_plan"]) == (20000, 1.0, 0)  # Feb+Mar revenue 20000


def test_charts_dir(export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "charts"
    assert main([str(export), "--json", "--charts", str(folder)]) == 0
    json.loads(capsys.readouterr().out)  # stdout stays one JSON object
    # no clients.png: both clients are active (one group), see test_engine; deals won in three months: a trend
    assert sorted(p.name for p in folder.iterdir()) == ["funnel.png", "managers.png", "trend.png"]
    assert (folder / "funnel.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "not_table"), (b"PK\x03\x04broken", "corrupt")],
)
def test_broken_file_exit_1_and_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes,
                                         code: str) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data)
    assert main([str(path), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    expected = " ".join(load_content("ru").t(f"analytics.errors.{code}").split())
    assert captured.err == expected + "\n"


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.csv")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.csv" in err


def test_bad_plans_file(export: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plans = tmp_path / "plans.csv"
    plans.write_text("Менеджер;План\nАнна;много\n", encoding="utf-8")
    assert main([str(export), "--plans", str(plans)]) == 1
    assert capsys.readouterr().err.startswith("Файл планов не прочитан")


def test_a_file_over_the_limit_is_refused_with_the_limit_it_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import analytics.cli as cli
    from analytics.schema import ReadLimits

    monkeypatch.setattr(cli, "CLI_LIMITS", ReadLimits(max_bytes=2 * 2**20))  # 2 MB instead of 1 GB
    big = tmp_path / "big.csv"
    big.write_text("Сумма,Этап\n" + "1000,Успешно\n" * 300_000, encoding="utf-8")  # 4,5 MB
    assert main(["analyze", str(big)]) != 0
    said = capsys.readouterr().err
    assert "до 2 МБ" in said and "20 МБ" not in said
