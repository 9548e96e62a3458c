"""Application attachments, the call's builder form and the answers, reviewer pools and automatic
assignment by pool, co-funder money on the ledger.

Every rule in one place, for the pages, the API and the tests. A refused operation raises
:class:`~core.plugin_api.Refusal` (Chinese first, errors by field) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (
    NotFound,
    Refusal,
    User,
    case_type,
    content_type_of,
    display_value,
    ledger,
    localized,
    safe_name,
    utcnow,
    validate_form,
)
from plugins.grants.models import Application, Assignment, Call, Funder
from plugins.grants.models_extra import GrantAnswers, GrantAppFile, GrantCallForm, GrantCoPayment, GrantPoolMember
from plugins.grants.service import OPEN_FOR_EDIT, require_applicant

if TYPE_CHECKING:
    from core.plugin_api import CaseTypeDef, RequestContext

__all__ = (
    "FILES_MAX",
    "FILE_MAX_BYTES",
    "POOLS",
    "add_files",
    "add_report_files",
    "answers_of",
    "application_form",
    "auto_assign_by_pool",
    "call_form",
    "check_file",
    "files_of",
    "pay_co_funder",
    "pool_members",
    "remove_file",
    "save_answers",
    "set_call_form",
    "set_pool",
)

FILE_MAX_BYTES = 10 * 1024 * 1024
FILES_MAX = 10
BODY_LIMIT = 5 * FILE_MAX_BYTES + 1024 * 1024  # one request carries up to five full-size files
DOCUMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx")
POOLS = ("expert", "finance", "community")
Store = Callable[[bytes], Awaitable[Any]]


def t(zh: str, en: str) -> str:
    return localized(zh, en)


def pool_label(pool: str) -> str:
    """A pool's name for people."""
    return {
        "expert": t("专家", "Expert"),
        "finance": t("财务", "Finance"),
        "community": t("社区代表", "Community representative"),
    }.get(pool, pool)


# --- attachments -----------------------------------------------------------------------------------------


def check_file(filename: str, data: bytes) -> tuple[str, str]:
    """(safe name, content type) of a PDF, photo, Word or Excel file of at most 10 MB, else a refusal."""
    name = safe_name(filename)
    content_type = content_type_of(name, data, DOCUMENT_TYPES)
    problem = ""
    if not data:
        problem = t(f"“{name}”是空文件。", f"“{name}” is empty.")
    elif len(data) > FILE_MAX_BYTES:
        problem = t(f"“{name}”太大：每个文件最多 10 MB。", f"“{name}” is too large: at most 10 MB each.")
    elif content_type is None:
        problem = t(
            f"“{name}”的类型不支持：请上传 PDF、JPEG/PNG 照片、Word（.docx）或 Excel（.xlsx）。",
            f"“{name}” is not accepted: upload a PDF, a JPEG or PNG photo, a Word (.docx) or Excel (.xlsx) file.",
        )
    if problem:
        raise Refusal(problem, problem, errors={"files": problem})
    assert content_type is not None
    return name, content_type


async def files_of(ctx: RequestContext, application_id: int) -> list[GrantAppFile]:
    """The application's documents, oldest first."""
    query = select(GrantAppFile).where(GrantAppFile.application_id == application_id).order_by(GrantAppFile.id)
    return list((await ctx.session.execute(query)).scalars())


def _editable(app: Application) -> None:
    if app.status not in OPEN_FOR_EDIT:
        raise Refusal(
            "申请已提交，附件不能再改动（补充材料时可以）。",
            "The application was submitted: its documents can change only while more information is requested.",
            status_code=409,
        )


async def add_files(
    ctx: RequestContext, app: Application, files: Sequence[tuple[str, bytes]], store: Store
) -> list[GrantAppFile]:
    """The applicant attaches documents to a draft (or to an application sent back for more information)."""
    assert ctx.user is not None
    await require_applicant(ctx, app)
    await ctx.session.refresh(app, with_for_update=True)  # two uploads at once count one after the other
    _editable(app)
    if not files:
        problem = t("请选择要上传的文件。", "Choose a file to upload.")
        raise Refusal(problem, problem, errors={"files": problem})
    checked = [(*check_file(name, data), data) for name, data in files]
    have = (
        await ctx.session.execute(
            select(func.count()).select_from(GrantAppFile).where(GrantAppFile.application_id == app.id)
        )
    ).scalar_one()
    if have + len(checked) > FILES_MAX:
        problem = t(
            f"每份申请最多 {FILES_MAX} 个附件，已有 {have} 个。",
            f"At most {FILES_MAX} documents per application; it has {have}.",
        )
        raise Refusal(problem, problem, errors={"files": problem})
    added = []
    for name, content_type, data in checked:
        kept = await store(data)
        row = GrantAppFile(
            application_id=app.id,
            key=kept.key,
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=kept.sha256,
            uploaded_by=ctx.user.id,
        )
        ctx.session.add(row)
        added.append(row)
    await ctx.session.flush()
    return added


async def file_or_404(ctx: RequestContext, app: Application, file_id: int) -> GrantAppFile:
    row = await ctx.session.get(GrantAppFile, file_id)
    if row is None or row.application_id != app.id:
        raise NotFound("未找到。", "Not found.")
    return row


async def remove_file(ctx: RequestContext, app: Application, file_id: int) -> str:
    """The applicant removes a document from an editable application; the storage key to delete."""
    await require_applicant(ctx, app)
    _editable(app)
    row = await file_or_404(ctx, app, file_id)
    key = row.key
    await ctx.session.delete(row)
    await ctx.session.flush()
    return key


def size_text(size: int) -> str:
    """1.2 MB / 340 KB."""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


# --- the application form made with the builder ------------------------------------------------------------


async def call_form(ctx: RequestContext, call_id: int) -> GrantCallForm | None:
    return (
        await ctx.session.execute(select(GrantCallForm).where(GrantCallForm.call_id == call_id))
    ).scalar_one_or_none()


async def _settings(ctx: RequestContext, call: Call) -> GrantCallForm:
    row = await call_form(ctx, call.id)
    if row is None:
        row = GrantCallForm(call_id=call.id, case_type_key="", pool_quota={})
        ctx.session.add(row)
    return row


async def set_call_form(ctx: RequestContext, call: Call, key: str, quota: Mapping[str, Any]) -> GrantCallForm:
    """Staff choose the builder case type whose form holds the call's questions ("" for none) and how many
    reviewers each pool gives every application."""
    ctx.require("grants", "manage")
    errors: dict[str, str] = {}
    key = (key or "").strip()
    if key:
        try:
            await case_type(ctx, key)
        except NotFound:
            errors["case_type"] = t("没有这个案件类型（或尚未发布）。", "No such published case type.")
    counts: dict[str, int] = {}
    for pool in POOLS:
        raw = quota.get(pool)
        if raw in (None, ""):
            continue
        try:
            n = int(str(raw).strip())
        except ValueError:
            n = -1
        if not 0 <= n <= 10:
            errors[f"quota_{pool}"] = t("每类评审人数填写 0–10。", "Enter 0–10 reviewers.")
        elif n:
            counts[pool] = n
    if errors:
        raise Refusal("设置未保存，请改正标出的内容。", "Not saved: see the marked fields.", errors=errors)
    row = await _settings(ctx, call)
    row.case_type_key = key
    row.pool_quota = counts
    await ctx.session.flush()
    return row


async def application_form(ctx: RequestContext, call: Call) -> CaseTypeDef | None:
    """The builder case type whose form the call's applicants answer (None when the call has none)."""
    row = await call_form(ctx, call.id)
    if row is None or not row.case_type_key:
        return None
    try:
        return (await case_type(ctx, row.case_type_key))[1]
    except NotFound:  # unpublished or its plugin disabled since: the call has no extra questions now
        return None


def asked_fields(definition: CaseTypeDef) -> tuple[str, ...]:
    """The fields an applicant answers: files go with the application's documents, computed and rating
    fields are not questions."""
    return tuple(f.key for f in definition.form.fields if f.type not in {"file", "computed", "rating"})


async def answers_of(ctx: RequestContext, application_id: int) -> GrantAnswers | None:
    query = select(GrantAnswers).where(GrantAnswers.application_id == application_id)
    return (await ctx.session.execute(query)).scalar_one_or_none()


async def save_answers(
    ctx: RequestContext, app: Application, call: Call, raw: dict[str, Any], *, source: str = "form"
) -> GrantAnswers:
    """The applicant answers the call's own questions (validated by the core's forms engine)."""
    await require_applicant(ctx, app)
    _editable(app)
    definition = await application_form(ctx, call)
    if definition is None:
        raise Refusal("这个征集没有附加问题。", "This call asks no extra questions.", status_code=409)
    asked = set(asked_fields(definition))
    result = validate_form(definition.form, {k: v for k, v in raw.items() if k in asked}, source=source)
    errors = {k: v for k, v in result.errors.items() if k.split(".", 1)[0] in asked}
    if errors:
        raise Refusal(
            "回答未保存，请改正标出的内容。", "The answers were not saved: see the marked fields.", errors=errors
        )
    data = {k: v for k, v in result.data.items() if k in asked}
    row = await answers_of(ctx, app.id)
    if row is None:
        row = GrantAnswers(application_id=app.id, case_type_key=definition.key, answers=data)
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(row)
                await ctx.session.flush()
        except IntegrityError:  # saved a moment ago by another request: write over it
            row = await answers_of(ctx, app.id)
            assert row is not None
    row.answers = data
    row.case_type_key = definition.key
    await ctx.session.flush()
    return row


async def answer_problems(ctx: RequestContext, app: Application, call: Call) -> dict[str, str]:
    """Required questions still unanswered (submission needs them)."""
    definition = await application_form(ctx, call)
    if definition is None:
        return {}
    row = await answers_of(ctx, app.id)
    asked = set(asked_fields(definition))
    data = {k: v for k, v in (row.answers if row else {}).items() if k in asked}
    result = validate_form(definition.form, data, source="json")
    return {k: v for k, v in result.errors.items() if k.split(".", 1)[0] in asked}


@dataclass(frozen=True)
class Answer:
    key: str
    label: str
    text: str


async def shown_answers(ctx: RequestContext, app: Application, call: Call) -> list[Answer]:
    """The answers as text for reviewers and staff, in the form's order (unanswered questions left out)."""
    definition = await application_form(ctx, call)
    row = await answers_of(ctx, app.id)
    if definition is None or row is None:
        return []
    out = []
    for f in definition.form.fields:
        if f.key in row.answers:
            text = display_value(f, row.answers[f.key], ctx.locale)
            if text:
                out.append(Answer(f.key, f.label(ctx.locale), text))
    return out


# --- reviewer pools --------------------------------------------------------------------------------------


async def pool_members(ctx: RequestContext) -> list[tuple[GrantPoolMember, User]]:
    query = (
        select(GrantPoolMember, User)
        .join(User, User.id == GrantPoolMember.user_id)
        .order_by(GrantPoolMember.pool, User.username)
    )
    return [(m, u) for m, u in (await ctx.session.execute(query)).tuples()]


async def set_pool(ctx: RequestContext, user_id: int, pool: str, categories: Sequence[str], *, member: bool) -> None:
    """Put a reviewer in a pool (for some categories, or all) or take them out."""
    from plugins.grants.reviews import reviewers  # noqa: PLC0415

    ctx.require("grants", "manage")
    errors: dict[str, str] = {}
    if pool not in POOLS:
        errors["pool"] = t("请选择评审库：专家、财务或社区代表。", "Choose the pool: expert, finance or community.")
    if user_id not in {u.id for u in await reviewers(ctx)}:
        errors["user_id"] = t(
            "请选择一位评审专家（有评审角色的用户）。", "Choose a reviewer (a user with the reviewer role)."
        )
    cats = sorted({c.strip() for c in categories if c and c.strip()})
    if any(len(c) > 100 for c in cats) or len(cats) > 30:
        errors["categories"] = t("类别最多 30 个，每个最多 100 字。", "At most 30 categories of 100 characters.")
    if errors:
        raise Refusal(
            "评审库未修改，请改正标出的内容。", "The pool was not changed: see the marked fields.", errors=errors
        )
    row = (
        await ctx.session.execute(
            select(GrantPoolMember).where(GrantPoolMember.user_id == user_id, GrantPoolMember.pool == pool)
        )
    ).scalar_one_or_none()
    if not member:
        if row is not None:
            await ctx.session.delete(row)
    elif row is None:
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(GrantPoolMember(user_id=user_id, pool=pool, categories=cats))
                await ctx.session.flush()
        except IntegrityError:  # added a moment ago by another request
            pass
    else:
        row.categories = cats
    await ctx.session.flush()


async def auto_assign_by_pool(ctx: RequestContext, call: Call) -> int:
    """Give every screened application the call's quota of reviewers from each pool: members whose
    categories include the application's (or who take every category), without a conflict, the least
    loaded first — their load counted across the district's calls still under review — (ties by id).
    Returns the number of assignments made."""
    from plugins.grants.reviews import assign, detect_conflict, lock_open_calls, open_call_loads  # noqa: PLC0415

    ctx.require("grants", "manage")
    await lock_open_calls(ctx, call.id)
    settings = await call_form(ctx, call.id)
    quota = dict(settings.pool_quota) if settings else {}
    if not quota:
        raise Refusal(
            "这个征集没有设置各评审库的人数。", "The call sets no number of reviewers per pool.", status_code=409
        )
    members = await pool_members(ctx)
    apps = list(
        (
            await ctx.session.execute(
                select(Application)
                .where(Application.call_id == call.id, Application.status == "screened")
                .order_by(Application.id)
            )
        ).scalars()
    )
    existing = (
        await ctx.session.execute(
            select(Assignment.application_id, Assignment.reviewer_id).where(
                Assignment.application_id.in_([a.id for a in apps])
            )
        )
    ).all()
    load = await open_call_loads(ctx, call.id)
    taken: dict[int, set[int]] = {}
    for app_id, reviewer_id in existing:
        taken.setdefault(app_id, set()).add(reviewer_id)
    categories = {c.id: c.name for c in call.categories}
    made = 0
    for app in apps:
        category = categories.get(app.category_id or 0, "")
        mine = taken.setdefault(app.id, set())
        for pool in POOLS:
            want = int(quota.get(pool, 0))
            if not want:
                continue
            have = sum(1 for m, _ in members if m.pool == pool and m.user_id in mine)
            candidates = [
                m.user_id
                for m, _ in members
                if m.pool == pool and m.user_id not in mine and (not m.categories or category in m.categories)
            ]
            for user_id in sorted(candidates, key=lambda u: (load.get(u, 0), u)):
                if have >= want:
                    break
                if await detect_conflict(ctx, app, user_id):
                    continue
                await assign(ctx, app, user_id)
                mine.add(user_id)
                load[user_id] = load.get(user_id, 0) + 1
                have += 1
                made += 1
    return made


# --- co-funder money on the ledger ---------------------------------------------------------------------


def co_funder_ref(funder_id: int) -> str:
    return f"grants:co-funder:{funder_id}"


async def co_payments(ctx: RequestContext, application_id: int) -> dict[int, GrantCoPayment]:
    query = (
        select(GrantCoPayment)
        .join(Funder, Funder.id == GrantCoPayment.funder_id)
        .where(Funder.application_id == application_id)
    )
    return {p.funder_id: p for p in (await ctx.session.execute(query)).scalars()}


async def pay_co_funder(ctx: RequestContext, app: Application, funder_id: int) -> GrantCoPayment:
    """Record a co-funder's committed money paid into the project: one balanced transfer on the core ledger
    from the co-funder's account (``grants:co-funder:{id}``) to the project's; once per co-funder (409 again)."""
    from plugins.grants.projects import project_account  # noqa: PLC0415

    assert ctx.user is not None and ctx.district is not None
    ctx.require("grants", "manage")
    funder = await ctx.session.get(Funder, funder_id)
    if funder is None or funder.application_id != app.id or funder.kind == "district":
        raise NotFound("未找到。", "Not found.")
    if app.signed_at is None:
        raise Refusal("协议签订后才能到账。", "The agreement must be signed first.", status_code=409)
    if app.closed_at is not None:
        raise Refusal("项目已结项，不能再入账。", "The project is closed.", status_code=409)
    if funder.committed_fen <= 0:
        raise Refusal("这位配套方没有认捐金额。", "This co-funder committed nothing.", status_code=409)
    done = (
        await ctx.session.execute(select(GrantCoPayment).where(GrantCoPayment.funder_id == funder.id))
    ).scalar_one_or_none()
    if done is not None:
        raise Refusal(f"“{funder.name}”的认捐款已经入账。", f"“{funder.name}” has paid already.", status_code=409)
    project = await project_account(ctx, app)
    source = await ledger.open_account(
        ctx.session,
        district_id=ctx.district.id,
        owner_kind="system",
        owner_ref=co_funder_ref(funder.id),
        unit="fen",
        name=f"配套方：{funder.name}"[:100],
        min_balance=None,
    )
    # The idempotency key makes a second request (also one at the same moment) find the same transfer.
    moved = await ledger.move(
        ctx.session,
        district_id=ctx.district.id,
        from_account=source.id,
        to_account=project.id,
        amount=funder.committed_fen,
        reason=f"配套资金到账：{funder.name}（{app.title}）"[:200],
        category="grants.co_funding",
        link=f"/d/{ctx.district.code}/grants/applications/{app.id}",
        idempotency_key=co_funder_ref(funder.id),
        created_by_id=ctx.user.id,
    )
    payment = GrantCoPayment(
        funder_id=funder.id,
        amount_fen=funder.committed_fen,
        transfer_id=moved.id,
        paid_at=utcnow(),
        paid_by=ctx.user.id,
    )
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(payment)
            await ctx.session.flush()
    except IntegrityError:
        raise Refusal(
            f"“{funder.name}”的认捐款已经入账。", f"“{funder.name}” has paid already.", status_code=409
        ) from None
    return payment


# --- files of a progress report through the API ----------------------------------------------------------


async def add_report_files(ctx: RequestContext, report: Any, files: Sequence[tuple[str, bytes]], store: Store) -> Any:
    """The organization adds photos or PDFs to its submitted report (not once accepted), within the report's
    limit of files (5 MB each, checked by extension and magic bytes)."""
    from plugins.grants.evaluation import FILES_MAX as REPORT_FILES_MAX  # noqa: PLC0415
    from plugins.grants.evaluation import check_file as check_report_file  # noqa: PLC0415

    await ctx.session.refresh(report, with_for_update=True)  # two uploads at once count one after the other
    if report.status != "submitted":
        raise Refusal(
            "只有已提交、待验收的报告可以补充附件。",
            "Files can be added only to a submitted report waiting for staff.",
            status_code=409,
        )
    if not files:
        problem = t("请选择要上传的文件。", "Choose a file to upload.")
        raise Refusal(problem, problem, errors={"files": problem})
    checked = [(*check_report_file(name, data), data) for name, data in files]
    have = len(report.files)
    if have + len(checked) > REPORT_FILES_MAX:
        problem = t(
            f"每份报告最多 {REPORT_FILES_MAX} 个附件，已有 {have} 个。",
            f"At most {REPORT_FILES_MAX} files per report; it has {have}.",
        )
        raise Refusal(problem, problem, errors={"files": problem})
    stored = list(report.files)
    for name, content_type, data in checked:
        kept = await store(data)
        stored.append({"key": kept.key, "name": name, "type": content_type, "sha256": kept.sha256})
    report.files = stored
    await ctx.session.flush()
    return report
