"""Importing prestations from a CSV file through the pages, as a coordinator does."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from governance.audit.models import AuditEvent
from governance.auth.models import Person
from governance.ledger.books.kinds import ClientKind
from governance.ledger.work.clients import create_client
from governance.ledger.work.models import Prestation
from tests.imports_support import HEADER, IMPORT, csv_bytes, upload
from tests.world import EMAILS

GOOD = [
    "20/11/2026;omar@alpha.example;CHU de Liège;90;;;;on_site;ps;",
    "21/11/2026;wen@alpha.example;chu de liège;60;48,00;;6,20;sur place;ar fr;Urgences",
    "22/11/2026;carla@alpha.example;CPAS;;;120,00;;translation;;Courrier",
]


@pytest.fixture
def clients(run: Any, world: Any) -> None:
    async def action(session: Any) -> None:
        for name, rate in (("CHU de Liège", 5500), ("CPAS", 4800)):
            await create_client(
                session,
                world.actor("carla"),
                name=name,
                kind=ClientKind.HOSPITAL,
                default_rate_cents=rate,
            )

    run(action)


@pytest.fixture
def carla(visitor: Any, run: Any, world: Any, clients: None) -> Any:
    """Carla, coordinator, reading the pages in English (the messages' own words)."""

    async def english(session: Any) -> None:
        async with session.begin():
            person = await session.get(Person, world.ids["carla"])
            person.language = "en"

    run(english)
    visitor.login("carla")
    return visitor


def confirm_fields(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(payload|signature)" value="([^"]*)"', page))
    return {name: unescape(value) for name, value in fields.items()}


def count(run: Any, model: Any = Prestation, *where: Any) -> int:
    async def action(session: Any) -> int:
        async with session.begin():
            query = select(func.count()).select_from(model)
            for condition in where:
                query = query.where(condition)
            return int((await session.exec(query)).one())

    return int(run(action))


def imported_events(run: Any) -> int:
    return count(run, AuditEvent, col(AuditEvent.action) == "prestation.imported")


def test_the_upload_page_lists_the_columns(carla: Any) -> None:
    page = carla.get(IMPORT)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    for column in ("membre", "duree_minutes", "montant_fixe", "deplacement", "langues"):
        assert f"<code>{column}</code>" in page.text


def test_the_preview_shows_every_row_and_each_error_by_line_and_column(carla: Any) -> None:
    content = csv_bytes(
        GOOD[0],
        "",
        "23/11/2026;nobody@alpha.example;CHU de Liège;12,5,0;;;;on_site;ps;",
        "24/11/2026;omar@alpha.example;Unknown Clinic;60;55.00;;;dance;;",
        ";;;;;;;;;",
        GOOD[1],
    )
    page = upload(carla, content)
    assert page.status_code == 200, page.text
    text = unescape(page.text)
    assert "read as UTF-8 (BOM), with ; between cells" in text
    assert "line 4, column membre: No member of this cooperative has this e-mail address." in text
    assert "line 4, column duree_minutes: Enter a whole number." in text
    assert "line 5, column client: No client of this cooperative has this name" in text
    assert "line 5, column type: Use one of: on_site" in text
    assert "2 rows ready to import" in text and "2 rows with errors" in text
    assert "2 empty lines skipped" in text  # blank lines are no errors
    for line in (2, 4, 5, 7):
        assert f'id="line-{line}"' in page.text
    assert 'id="line-3"' not in page.text and 'id="line-6"' not in page.text
    assert "Import 2 rows" in text


def test_confirm_imports_every_valid_row_at_once_as_submitted(carla: Any, run: Any) -> None:
    page = upload(
        carla, csv_bytes(*GOOD, "25/11/2026;omar@alpha.example;CHU de Liège;x;;;;on_site;;")
    )
    done = carla.post(f"{IMPORT}/confirm", confirm_fields(page.text))
    assert done.status_code in (302, 303), done.text
    assert done.headers["location"] == "/c/alpha/work/queue"
    assert count(run) == 3
    assert count(run, Prestation, col(Prestation.status) == "submitted") == 3
    assert imported_events(run) == 1
    queue = carla.get("/c/alpha/work/queue").text
    assert "82,50" in queue or "82.50" in queue  # 90 minutes at the client's 55,00 / h


def test_the_same_file_again_imports_nothing(carla: Any, run: Any) -> None:
    content = csv_bytes(*GOOD)
    first = upload(carla, content)
    fields = confirm_fields(first.text)
    assert carla.post(f"{IMPORT}/confirm", fields).status_code in (302, 303)
    again = upload(carla, content)
    assert again.status_code == 200
    assert "3 rows already imported" in unescape(again.text)
    assert 'name="payload"' not in again.text
    assert "Nothing to import: this file was already imported." in again.text
    # The first confirm form, sent a second time, imports nothing either.
    twice = carla.post(f"{IMPORT}/confirm", fields)
    assert twice.status_code == 200
    assert "Nothing was imported: this file was already imported." in twice.text
    assert count(run) == 3
    assert imported_events(run) == 1


def test_a_corrected_file_imports_only_the_rows_not_imported_yet(carla: Any, run: Any) -> None:
    broken = "26/11/2026;omar@alpha.example;CHU de Liège;abc;;;;phone;;"
    first = upload(carla, csv_bytes(*GOOD, broken))
    carla.post(f"{IMPORT}/confirm", confirm_fields(first.text))
    assert count(run) == 3
    fixed = upload(carla, csv_bytes(*GOOD, broken.replace("abc", "30"), encoding="cp1252"))
    text = unescape(fixed.text)
    assert "read as Windows-1252" in text
    assert "1 row ready to import" in text and "3 rows already imported" in text
    assert carla.post(f"{IMPORT}/confirm", confirm_fields(fixed.text)).status_code in (302, 303)
    assert count(run) == 4


def test_two_identical_rows_are_two_prestations(carla: Any, run: Any) -> None:
    page = upload(carla, csv_bytes(GOOD[0], GOOD[0]))
    carla.post(f"{IMPORT}/confirm", confirm_fields(page.text))
    assert count(run) == 2


def test_a_tampered_payload_is_refused_and_nothing_is_imported(carla: Any, run: Any) -> None:
    fields = confirm_fields(upload(carla, csv_bytes(*GOOD)).text)
    changed = dict(fields, payload=fields["payload"][:-8] + "AAAAAAA=")
    refused = carla.post(f"{IMPORT}/confirm", changed)
    assert refused.status_code == 400
    assert "changed or has expired" in refused.text
    forged = carla.post(f"{IMPORT}/confirm", dict(fields, signature="0" * 64))
    assert forged.status_code == 400
    not_ascii = carla.post(f"{IMPORT}/confirm", dict(fields, signature="é" * 64))
    assert not_ascii.status_code == 400
    assert carla.post(f"{IMPORT}/confirm", {}).status_code == 400
    assert count(run) == 0


def test_a_confirm_form_works_only_for_whom_it_was_made(
    carla: Any, make_visitor: Any, run: Any, world: Any
) -> None:
    fields = confirm_fields(upload(carla, csv_bytes(*GOOD)).text)
    bea = make_visitor()
    bea.login("bea")
    assert bea.post("/c/beta/work/import/confirm", fields).status_code == 400
    assert count(run) == 0


def test_a_row_that_became_invalid_stops_the_whole_import(carla: Any, run: Any, world: Any) -> None:
    page = upload(carla, csv_bytes(*GOOD))

    async def archive_cpas(session: Any) -> None:
        from governance.ledger.books.models import Client

        async with session.begin():
            client = (await session.exec(select(Client).where(Client.name == "CPAS"))).one()
            client.archived = True

    run(archive_cpas)
    refused = carla.post(f"{IMPORT}/confirm", confirm_fields(page.text))
    assert refused.status_code == 400
    assert "line 4, column client: This client is archived." in unescape(refused.text)
    assert count(run) == 0 and imported_events(run) == 0


def test_a_6_mb_upload_is_refused_with_the_limit(carla: Any, run: Any) -> None:
    huge = upload(carla, csv_bytes() + b"x" * 6_000_000)
    assert huge.status_code == 413
    assert "the limit is 5 MB" in huge.text
    # Just over the file limit but inside the request's: read in chunks, refused the same way.
    over = upload(carla, csv_bytes() + b"x" * 5_000_001)
    assert over.status_code == 413
    assert "the limit is 5 MB" in over.text
    assert count(run) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "This file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is a spreadsheet file, not CSV"),
        (b"date;client\r\n1;2\r\n", "These columns are missing: membre (member_email), type"),
        (HEADER.encode(), "This file has no rows to import."),
    ],
)
def test_a_file_that_cannot_be_imported_says_why(carla: Any, content: bytes, message: str) -> None:
    page = upload(carla, content)
    assert page.status_code == 400
    assert message in unescape(page.text)


def test_no_file_is_a_clear_400(carla: Any) -> None:
    page = carla.post(f"{IMPORT}/preview", {})
    assert page.status_code == 400
    assert "Choose a CSV file to import." in page.text


def test_the_sample_file_can_be_downloaded(carla: Any) -> None:
    sample = carla.get(f"{IMPORT}/sample")
    assert sample.status_code == 200
    assert sample.headers["content-type"].startswith("text/csv")
    assert sample.content.startswith(b"\xef\xbb\xbfdate;membre;client")


ROUTES: list[tuple[str, str, dict[str, str] | None]] = [
    ("GET", IMPORT, None),
    ("GET", f"{IMPORT}/sample", None),
    ("POST", f"{IMPORT}/preview", {}),
    ("POST", f"{IMPORT}/confirm", {}),
]
EXPECTED = {"anonymous": 302, "omar": 403, "wen": 403, "olga": 403, "sam": 403, "bea": 404}


@pytest.mark.parametrize("persona", [*EXPECTED, "carla"])
def test_only_the_cooperatives_coordinators_may_import(
    persona: str, visitor: Any, world: Any
) -> None:
    if persona != "anonymous":
        visitor.login(persona)
    for method, path, data in ROUTES:
        response = visitor.get(path) if method == "GET" else visitor.post(path, data)
        expected = EXPECTED.get(persona) or (200 if method == "GET" else 400)
        assert response.status_code == expected, (persona, method, path, response.status_code)


def test_a_cooperator_cannot_upload_a_file(make_visitor: Any, world: Any, run: Any) -> None:
    omar = make_visitor()
    omar.login("omar")
    assert upload(omar, csv_bytes(*GOOD)).status_code == 403
    bea = make_visitor()
    bea.login(EMAILS["bea"])
    assert upload(bea, csv_bytes(*GOOD)).status_code == 404
    assert count(run) == 0


def test_two_coordinators_importing_the_same_file_at_once_import_it_once(
    settings: Any, world: Any, clients: None, run: Any
) -> None:
    import asyncio
    import datetime as dt

    from governance.base import db
    from governance.ledger.imports import csv_reader, service

    csv_file = csv_reader.read_csv(csv_bytes(*GOOD))

    async def both() -> list[int]:
        engine = db.make_engine(settings.database_url)
        maker = db.make_sessionmaker(engine)

        async def one() -> int:
            async with maker() as session:
                result = await service.import_prestations(
                    session,
                    world.actor("carla"),
                    csv_file.rows,
                    language="fr",
                    today=dt.date(2026, 11, 27),
                    file_digest=csv_file.digest,
                    columns=csv_file.columns,
                )
                return result.imported

        try:
            return sorted(await asyncio.gather(one(), one()))
        finally:
            await engine.dispose()

    assert asyncio.run(both()) == [0, 3]
    assert count(run) == 3
    assert imported_events(run) == 1
