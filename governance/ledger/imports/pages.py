"""Importing prestations from a CSV file: upload, preview every row, confirm (coordinators).

The preview's confirm form carries the rows to import (those without an error), signed under
the app's secret key and bound to the cooperative, the coordinator and a two-hour window
(`confirmation.py`): the confirm step imports exactly what was previewed, and nothing else.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.response import Redirect, Template

from governance.auth.current import choose_language
from governance.base import clock, i18n
from governance.base.errors import Conflict, Invalid, NotFound
from governance.base.http import Db, page, redirect
from governance.base.settings import PACKAGE_DIR
from governance.base.uploads import ENVELOPE_BYTES, read_limited
from governance.ledger.imports import csv_reader, rows, service
from governance.ledger.imports.confirmation import MAX_PAYLOAD_CHARS, Signed, sign, verify
from governance.ledger.work import late_work
from governance.ledger.work.prestation_input import kinds_of
from governance.members.access import Permission
from governance.members.context import Coop, CoopContext, requires

SAMPLE = PACKAGE_DIR / "samples" / "prestations.csv"
UPLOAD_BODY_LIMIT = csv_reader.MAX_FILE_BYTES + ENVELOPE_BYTES


def _limit_message() -> str:
    return i18n._(
        "This file is too large: the limit is %(megabytes)d MB and %(rows)d rows. "
        "Split it into smaller files."
    ) % {"megabytes": csv_reader.MAX_FILE_BYTES // 1_000_000, "rows": csv_reader.MAX_ROWS}


def _too_large(request: Request[Any, Any, Any], exc: RequestEntityTooLarge) -> Response[Any]:
    # Refused while the body arrives (before the CSRF check has read it), so with no
    # cooperative resolved yet: the same answer for every address, nothing learned.
    i18n.set_language(choose_language(request))
    message = _limit_message()
    return page(request, "errors/error.html", status_code=413, status=413, message=message)


def _upload_page(
    request: Request, coop: CoopContext, status_code: int = 200, **context: Any
) -> Template:
    return page(
        request,
        "ledger/imports/import.html",
        status_code=status_code,
        kinds=kinds_of(coop.cooperative.settings),
        columns=csv_reader.COLUMNS,
        required=csv_reader.REQUIRED,
        max_megabytes=csv_reader.MAX_FILE_BYTES // 1_000_000,
        max_rows=csv_reader.MAX_ROWS,
        **context,
    )


class ImportController(Controller):
    """Coordinators only: every handler needs `record_for_anyone`."""

    path = "/work/import"
    guards = [requires(Permission.RECORD_FOR_ANYONE)]

    @get("/")
    async def upload_form(self, request: Request, coop: Coop) -> Template:
        """The form to upload a CSV file, and the columns it may have."""
        return _upload_page(request, coop)

    @get("/sample")
    async def sample(self, coop: Coop) -> Response[bytes]:
        """The sample file, governance/samples/prestations.csv."""
        if not SAMPLE.is_file():  # a package installed without its data files
            raise NotFound(i18n._("This page does not exist."))
        return Response(
            SAMPLE.read_bytes(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="prestations.csv"'},
        )

    @post(
        "/preview",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        exception_handlers={RequestEntityTooLarge: _too_large},
    )
    async def preview(self, request: Request, db: Db, coop: Coop) -> Template:
        """Read the uploaded file and show every row, with its errors by line and column."""
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _upload_page(request, coop, 400, error=i18n._("Choose a CSV file to import."))
        try:
            csv_file = csv_reader.read_csv(await read_limited(upload, csv_reader.MAX_FILE_BYTES))
        except Invalid as error:
            return _upload_page(request, coop, 400, error=error.message)
        finally:
            await upload.close()
        language = i18n.current_language()
        results = await service.preview_import(
            db, coop.actor, csv_file, language=language, today=clock.today()
        )
        # Rows imported before are carried too, so that repeated rows keep their keys (docs).
        keep = [csv_reader.CsvRow(r.line, r.cells) for r in results if not r.errors]
        payload = signature = ""
        if any(r.status == "ok" for r in results):
            signed = Signed(
                csv_file.digest, upload.filename[:200], language, dict(csv_file.columns), keep
            )
            payload, signature = sign(
                request.app.state.settings.secret_key,
                coop.actor.cooperative_id,
                coop.actor.person_id,
                signed,
            )
            if len(payload) > MAX_PAYLOAD_CHARS:
                return _upload_page(request, coop, 413, error=_limit_message())
        calendar = await late_work.calendar_of(db, coop.actor)
        names = await rows.names_of(
            db, coop.actor, (r.clean.member_id for r in results if r.clean is not None)
        )
        return page(
            request,
            "ledger/imports/import_preview.html",
            csv_file=csv_file,
            filename=upload.filename,
            results=results,
            shown=rows.shown_rows(results, names),
            late=late_work.late_notes(
                calendar, ((r.line, r.clean.date) for r in results if r.clean is not None)
            ),
            counts={
                status: sum(r.status == status for r in results)
                for status in ("ok", "error", "done")
            },
            payload=payload,
            signature=signature,
        )

    @post("/confirm", request_max_body_size=MAX_PAYLOAD_CHARS + 64 * 1024)
    async def confirm(self, request: Request, db: Db, coop: Coop) -> Template | Redirect:
        """Import every previewed row at once; a file imported before imports nothing."""
        form = await request.form()
        secret = request.app.state.settings.secret_key
        try:
            signed = verify(
                secret,
                coop.actor.cooperative_id,
                coop.actor.person_id,
                str(form.get("payload") or ""),
                str(form.get("signature") or ""),
            )
            result = await service.import_prestations(
                db,
                coop.actor,
                signed.rows,
                language=signed.language,
                today=clock.today(),
                file_digest=signed.digest,
                columns=signed.columns,
                filename=signed.filename,
            )
        except service.RowsInvalid as error:
            return _upload_page(request, coop, 400, error=error.message, row_errors=error.errors)
        except (Invalid, Conflict) as error:
            return _upload_page(request, coop, 400, error=error.message)
        if not result.imported:
            notice = i18n._("Nothing was imported: this file was already imported.")
            return _upload_page(request, coop, notice=notice)
        # Flash key registered in governance/base/http.py: "prestations_imported".
        return redirect(request, f"/c/{coop.cooperative.slug}/work/queue", "prestations_imported")
