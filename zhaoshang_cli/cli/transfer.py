"""import, import-page, export."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import messages
from ..errors import UsageError
from . import common

_SHOWN = 20  # look-alike leads named one by one


def _choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UsageError(messages.CHOICE_OPTION.format(option=option, allowed=", ".join(allowed)))
    return value


def _progress(total: int, unit: str) -> tuple[Callable[[int], None] | None, Callable[[], None]]:
    """A progress bar on stderr for big batches at a terminal; nothing when piped."""
    from ..io.terminal import is_terminal

    if not is_terminal(sys.stderr) or total < (8 << 20 if unit == "bytes" else 2000):
        return None, lambda: None
    from rich.progress import Progress

    from ..io.terminal import console

    bar = Progress(console=console(stderr=True), transient=True)
    task = bar.add_task("reading" if unit == "bytes" else "validating", total=total)
    bar.start()
    return (lambda n: bar.advance(task, n)), bar.stop


def _report(result: Any, extra_policy: str) -> None:
    template = messages.UNKNOWN_COLUMNS_IGNORED if extra_policy == "ignore" else messages.UNKNOWN_COLUMNS_KEPT
    if extra_policy != "error":
        for file, cols in result.unknown_columns.items():
            common.warn(template.format(file=file, columns=", ".join(cols)))
    for line in result.errors:
        common.error(line)
    for line in result.status_kept:
        common.warn(line)
    for line in result.status_moved_back:
        common.info(line)
    if result.totals:
        common.info(messages.IMPORT_TOTALS_LEFT_OUT.format(count=result.totals))
    _noted(result)
    if result.future and not result.errors:
        where, day = result.future[0]
        common.warn(messages.IMPORT_FUTURE_DATES.format(count=len(result.future), where=where, date=day))
    for line in result.look_alikes[:_SHOWN]:
        common.warn(line)
    if len(result.look_alikes) > _SHOWN:
        common.warn(messages.IMPORT_MORE_LOOK_ALIKES.format(count=len(result.look_alikes) - _SHOWN))
    verb = messages.IMPORT_VERB_DRY if result.dry_run else messages.IMPORT_VERB
    summary = messages.IMPORT_SUMMARY.format(verb=verb, added=result.added, updated=len(result.updated),
                                             unchanged=result.unchanged, invalid=result.invalid)
    if result.status_kept:
        summary += messages.IMPORT_SUMMARY_KEPT.format(count=len(result.status_kept))
    if result.status_moved_back:
        summary += messages.IMPORT_SUMMARY_MOVED_BACK.format(count=len(result.status_moved_back))
    if result.differ:
        summary += messages.IMPORT_SUMMARY_DIFFER.format(count=result.differ)
    common.info(summary)
    if result.differ:
        from ..service.imports import DIFFER_SHOWN

        more = len(result.differ_ids) == DIFFER_SHOWN and result.differ > DIFFER_SHOWN
        ids = ", ".join(result.differ_ids) + (", …" if more else "")
        common.info(messages.IMPORT_DIFFER.format(count=result.differ, ids=ids))


def _noted(result: Any) -> None:
    """What the import kept beside the fields, said once with the first rows that had it."""
    from ..domain.contacts import OTHER_PHONES
    from ..service.import_prepare import NOTE_MORE_PHONES, NOTE_NOT_KNOWN_YET

    said = {NOTE_NOT_KNOWN_YET: (messages.IMPORT_NOT_KNOWN_YET, "投资额"),
            NOTE_MORE_PHONES: (messages.IMPORT_MORE_PHONES, OTHER_PHONES)}
    for note, (template, label) in said.items():
        where, count = result.noted.get(note), result.note_counts.get(note, 0)
        if where:
            shown = ", ".join(where) + (", …" if count > len(where) else "")
            common.warn(template.format(count=count, label=label, where=shown))


def _mapping(result: Any, headers: Any) -> None:
    """How each file's columns are read (a dry run says it before the rows' check)."""
    from ..io.importers.columns import LEFT_OUT

    for file, names in result.columns.items():
        common.info(messages.IMPORT_MAPPING.format(file=file))
        for column in names:
            field, unit = headers.spec(column)
            if field == LEFT_OUT:
                shown = messages.IMPORT_MAPPING_LEFT_OUT
            elif field is None:
                shown = messages.IMPORT_MAPPING_EXTRA
            else:
                shown = field
            template = messages.IMPORT_MAPPING_UNIT if unit else messages.IMPORT_MAPPING_LINE
            common.info(template.format(column=column, field=shown, unit=unit))


def _finish(ctx: typer.Context, write: Callable[[], Any], options: Any, stop: Callable[[], None],
            after: Callable[[Any], None] | None = None) -> None:
    from ..service import imports

    try:
        result = write()
    except imports.ImportFailed as exc:
        stop()
        if options.dry_run:
            _mapping(exc.result, options.headers)
        _report(exc.result, options.extra)
        common.error(exc.message)
        raise typer.Exit(1) from None
    stop()
    if options.dry_run:
        _mapping(result, options.headers)
    _report(result, options.extra)
    if after is not None:
        after(result)


def import_records(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(
        metavar="FILE...", help="JSONL, JSON, CSV or XLSX files; '-' reads stdin.")],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="jsonl, json, csv or xlsx (default: from the extension or the content).")] = None,
    sheet: Annotated[str | None, typer.Option(
        help="XLSX: the sheet to read, by name or number from 1 (default: the sheet the workbook opens at, "
             "else the first whose header names known columns).")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", "-k", help="Kind of every row (default: a kind column, else the fields present).")] = None,
    encoding: Annotated[str | None, typer.Option(
        help="Force an encoding (default: UTF-8, UTF-8 BOM or GB18030, detected).")] = None,
    on_conflict: Annotated[str, typer.Option(help="When a record is already stored: skip, update or error.")] = "skip",
    skip_invalid: Annotated[bool, typer.Option(
        "--skip-invalid", help="Import the valid rows and report the rest.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report; write nothing.")] = False,
    extra: Annotated[str, typer.Option(help="Unknown columns: keep (under 'extra'), ignore or error.")] = "keep",
    allow_status_regression: Annotated[bool, typer.Option(
        "--allow-status-regression",
        help="With --on-conflict update: let a row move a record back, or out of a closed status "
             "(a lead: 已签约, 已流失); else it keeps its status and the row is reported.")] = False,
    mapped: Annotated[list[str] | None, typer.Option(
        "--map", metavar="HEADER=FIELD",
        help="Read the column HEADER as FIELD (repeatable; '-' leaves it out). "
             "`config set map.HEADER FIELD` keeps one for the store.")] = None,
    rejects: Annotated[Path | None, typer.Option(
        metavar="FILE", help="With --skip-invalid: write the refused rows to FILE, in the input's format and "
                             "encoding, with a 错误 column saying what is wrong; fix it and import it.")] = None,
    within: common.In = None,
) -> None:
    from itertools import chain

    from ..io.importers.columns import Headers
    from ..io.importers.inputs import open_input
    from ..service import imports
    from ..service.config import column_mappings
    from ..service.import_prepare import ImportOptions

    if rejects is not None:
        _check_rejects(rejects, files, skip_invalid)
    store = common.store(ctx)
    headers = Headers({**column_mappings(store), **_mappings(mapped or [])})
    options = ImportOptions(
        kind=common.kind_arg(kind) if kind else None,
        on_conflict=_choice("on-conflict", on_conflict, imports.CONFLICT_POLICIES),
        skip_invalid=skip_invalid, dry_run=dry_run, allow_status_regression=allow_status_regression,
        extra=_choice("extra", extra, imports.EXTRA_POLICIES), region_context=common.region_context(ctx, within),
        headers=headers, rejects=rejects is not None)
    inputs = [open_input(path, fmt, encoding, sheet, headers) for path in files]
    if sheet is not None:
        for found in inputs:
            if found.format != "xlsx":
                raise UsageError(messages.SHEET_NEEDS_XLSX.format(file=found.name, format=found.format))
    size = sum(i.size for i in inputs)
    advance, stop = _progress(size, "bytes")
    formats = {i.name: i.format for i in inputs}

    def write_rejects(result: Any) -> None:
        if rejects is not None:
            _write_rejects(rejects, result, formats, encoding, dry_run)

    with imports.no_gc():
        chunks = chain.from_iterable(i.chunks for i in inputs)
        _finish(ctx, lambda: imports.run(store, chunks, options, advance, size), options, stop, write_rejects)


def _mappings(given: list[str]) -> dict[str, str]:
    """--map HEADER=FIELD options: header → field."""
    from ..io.importers.columns import mapping_target

    found = {}
    for item in given:
        header, sep, target = item.replace("＝", "=").rpartition("=")
        if not sep or not header.strip() or not target.strip():
            raise UsageError(messages.MAP_INVALID.format(value=item))
        found[header.strip()] = mapping_target(target, "--map")
    return found


def _check_rejects(path: Path, files: list[str], skip_invalid: bool) -> None:
    """--rejects is refused before anything is read when it cannot do its job."""
    if not skip_invalid:
        raise UsageError(messages.REJECTS_NEEDS_SKIP)
    for name in files:
        if name != "-" and Path(name).exists() and path.exists() and path.resolve() == Path(name).resolve():
            raise UsageError(messages.REJECTS_IS_INPUT.format(path=path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(messages.REJECTS_NO_FOLDER.format(path=path))


def _write_rejects(path: Path, result: Any, formats: dict[str, str], encoding: str | None, dry_run: bool) -> None:
    from ..io.importers.rejects import write_rejects

    if dry_run:
        common.info(messages.REJECTS_DRY_RUN.format(path=path))
    elif not result.rejected:
        common.info(messages.REJECTS_NONE.format(path=path))
    else:
        # a workbook's rows are named FILE:SHEET: their format is the file's
        by_file = {row[0]: formats.get(row[0]) or formats.get(row[0].rsplit(":", 1)[0], "csv")
                   for row in result.rejected}
        write_rejects(path, result.rejected, result.columns, by_file, encoding)
        common.info(messages.REJECTS_WRITTEN.format(count=len(result.rejected), path=path))


def import_page(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(
        metavar="FILE...|DIR", help="Scraped page text files, or directories of them.")],
    encoding: Annotated[str | None, typer.Option(help="Force an encoding (default: detected).")] = None,
    on_conflict: Annotated[str, typer.Option(help="When a record is already stored: skip, update or error.")] = "skip",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Parse and report; write nothing.")] = False,
    within: common.In = None,
) -> None:
    from ..io.importers.inputs import Chunk
    from ..io.importers.page import page_files, page_rows
    from ..service import imports
    from ..service.import_prepare import ImportOptions

    context = common.region_context(ctx, within)
    options = ImportOptions(on_conflict=_choice("on-conflict", on_conflict, imports.CONFLICT_POLICIES),
                            dry_run=dry_run, region_context=context)
    rows: list[Any] = []
    pages = skipped = 0
    for path in page_files(paths):
        pages += 1
        found, problem = page_rows(path, encoding, context)
        if problem:
            skipped += 1
            common.warn(messages.PAGE_SKIPPED.format(file=path, reason=problem))
        rows.extend(found)
    common.info(messages.PAGE_SUMMARY.format(pages=pages, skipped=skipped))
    advance, stop = _progress(len(rows), "rows")
    _finish(ctx, lambda: imports.run(common.store(ctx), [Chunk(rows, len(rows))], options, advance), options, stop)


@common.with_filters
def export(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="The kind of record.")],
    filters: Any = None,
    sort: Annotated[str | None, typer.Option(help="Sort key (default: id).")] = None,
    limit: common.Limit = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, json, csv or xlsx.")] = "jsonl",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to FILE (default: stdout; xlsx: not a terminal).")] = None,
    excel: common.Excel = False,
    fields: common.Fields = None,
) -> None:
    from ..io import exporters
    from ..io.output import opened
    from ..service import records
    from ..service.filters import build_filters

    exporters.check_format(fmt, exporters.EXPORT_FORMATS)
    the_kind = common.kind_arg(kind)
    chosen = exporters.pick_fields(fields, [the_kind], fmt)
    store = common.store(ctx, must_exist=True)
    request = records.query([the_kind], build_filters(filters, context=common.region_context(ctx)), sort=sort or "id",
                            limit=limit, with_body=exporters.needs_body(chosen, [the_kind]) if chosen else True)
    written = [0]

    def counted() -> Any:
        for record in records.stream(store, request):
            written[0] += 1
            yield record

    binary = fmt in exporters.BINARY
    with common.paged(ctx, output is not None or binary), opened(output, store, private=the_kind.personal,
                                                                    binary=binary) as out:
        exporters.write(fmt, counted(), out, kinds=[the_kind], options=exporters.Options(excel=excel, fields=chosen))
    if output is not None:
        common.info(messages.EXPORT_WRITTEN.format(count=written[0], path=output))
    if the_kind.personal:
        common.info(messages.EXPORT_PERSONAL_DATA.format(path=output or "the output", kinds=the_kind.plural))


def register(app: typer.Typer) -> None:
    app.command("import", cls=common.Command, help=common.command_help("import"))(import_records)
    app.command("import-page", cls=common.Command, help=common.command_help("import-page"))(import_page)
    app.command("export", cls=common.Command, help=common.command_help("export"))(
        common.with_help(export, kind=common.kinds_text(messages.EXPORT_KIND_HELP)))
