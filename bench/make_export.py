"""A synthetic amoCRM-style deals export for the benchmark: Windows-1251, ';', Russian headers,
amounts like "1 234,56" (some with non-breaking spaces), dates "DD.MM.YYYY HH:MM:SS".

Vectorised: every column is built by indexing small lookup tables of strings with numpy arrays and joined
with object-array concatenation, a chunk at a time. Seeded, so every run writes the same file.

    python -m bench.make_export OUT.csv [ROWS]
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np

HEADER = (
    "ID",
    "Название сделки",
    "Бюджет",
    "Этап сделки",
    "Ответственный",
    "Дата создания",
    "Дата закрытия",
    "Компания",
    "Источник",
)
# amoCRM's default pipeline; the last two are its system won/lost stages.
STAGES = (
    "Первичный контакт",
    "Переговоры",
    "Принимают решение",
    "Согласование договора",
    "Успешно реализовано",
    "Закрыто и не реализовано",
)
STAGE_WEIGHTS = (0.14, 0.10, 0.08, 0.08, 0.35, 0.25)
SOURCES = ("Сайт", "Яндекс Директ", "Рекомендация", "Холодный звонок", "Выставка", "Повторное обращение")
SURNAMES = ("Иванов", "Петров", "Сидорова", "Кузнецов", "Смирнова", "Попов", "Васильева", "Соколов",
            "Михайлов", "Новикова", "Фёдоров", "Морозова", "Волков", "Алексеева", "Лебедев", "Семёнова",
            "Егоров", "Павлова", "Козлов", "Степанова")  # fmt: skip
NAMES = ("Анна", "Иван", "Мария", "Сергей", "Ольга", "Дмитрий", "Елена", "Алексей")
FIRST_DAY = date(2023, 1, 1)
DAYS = 730
CHUNK = 100_000
CLIENTS = 40_000


def _table(values: list[str]) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def _tables() -> dict[str, np.ndarray]:
    days = [FIRST_DAY + timedelta(days=i) for i in range(DAYS + 200)]
    return {
        "day": _table([d.strftime("%d.%m.%Y ") for d in days]),
        "time": _table([f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in range(86400)]),
        "thousands_sp": _table([_grouped(i, " ") + " " if i else "" for i in range(10_000)]),
        "thousands_nb": _table([_grouped(i, "\u00a0") + "\u00a0" if i else "" for i in range(10_000)]),
        "units_pad": _table([f"{i:03d}" for i in range(1000)]),
        "units": _table([str(i) for i in range(1000)]),
        "cents": _table([f",{i:02d}" for i in range(100)]),
        "stage": _table(list(STAGES)),
        "source": _table(list(SOURCES)),
        "manager": _table([f"{s} {n}" for s in SURNAMES for n in NAMES[:3]]),
        "client": _table([f"ООО «Клиент {i}»" for i in range(CLIENTS)]),
        "title": _table([f"Заявка №{i}" for i in range(1000)]),
    }


def _amounts(rng: np.random.Generator, n: int, t: dict[str, np.ndarray]) -> np.ndarray:
    kopecks = np.minimum(np.round(rng.lognormal(11.5, 1.0, n) * 100), 9_999_999_99).astype(np.int64)
    rubles, cents = kopecks // 100, kopecks % 100
    high, low = rubles // 1000, rubles % 1000
    nbsp = rng.random(n) < 0.3  # 1C/Excel-style non-breaking spaces in some rows
    head = np.where(nbsp, t["thousands_nb"][high], t["thousands_sp"][high])
    body = np.where(high > 0, t["units_pad"][low], t["units"][low])
    text = head + body + t["cents"][cents]
    return np.where(rng.random(n) < 0.02, "", text)  # some budgets empty


def _chunk(rng: np.random.Generator, start: int, n: int, t: dict[str, np.ndarray]) -> bytes:
    ids = np.arange(start + 1, start + n + 1).astype(str).astype(object)
    stage = rng.choice(len(STAGES), size=n, p=STAGE_WEIGHTS)
    created_day = rng.integers(0, DAYS, n)
    closed_day = created_day + rng.integers(0, 120, n)
    is_open = stage < 4
    created = t["day"][created_day] + t["time"][rng.integers(0, 86400, n)]
    closed = np.where(is_open, "", t["day"][closed_day] + t["time"][rng.integers(0, 86400, n)])
    columns = [
        ids,
        t["title"][rng.integers(0, 1000, n)],
        _amounts(rng, n, t),
        t["stage"][stage],
        t["manager"][rng.integers(0, len(t["manager"]), n)],
        created,
        closed,
        t["client"][rng.integers(0, CLIENTS, n)],
        t["source"][rng.integers(0, len(SOURCES), n)],
    ]
    line = columns[0]
    for column in columns[1:]:
        line = line + ";" + column
    return ("\r\n".join(line.tolist()) + "\r\n").encode("cp1251")


def make_export(path: Path, rows: int = 1_000_000, seed: int = 20240501) -> Path:
    rng = np.random.default_rng(seed)
    tables = _tables()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with partial.open("wb") as out:
        out.write((";".join(HEADER) + "\r\n").encode("cp1251"))
        for start in range(0, rows, CHUNK):
            out.write(_chunk(rng, start, min(CHUNK, rows - start), tables))
    partial.replace(path)  # never leave a half-written file under the final name
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    make_export(target, count)
    print(f"{target}: {count} rows, {target.stat().st_size / 1e6:.1f} MB")
