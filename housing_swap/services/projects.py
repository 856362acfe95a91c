"""Developers' new-build projects, buildings and units (one home, one price)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import delete, func, select, update

from ..db.base import insert_unless_present, utcnow
from ..db.models import (
    Acquisition,
    ApplicationMatch,
    Building,
    ChainLink,
    GoalLedgerEntry,
    LedgerClaim,
    MarketSwap,
    Project,
    Reservation,
    Role,
    Unit,
    UnitStatus,
    User,
)
from ..domain.fields import parse_fields
from ..domain.project_fields import PROJECT_FIELDS, UNIT_FIELDS, unit_status_problem
from ..domain.text import control_character_problem
from ..extensions import db
from ..search.sql_backend import words_condition_like
from ..search.text_terms import pinyin_keys
from . import reservations
from .audit import record_event
from .errors import Conflict, Forbidden, NotFound, ValidationFailed, flush_or_conflict
from .imports import RowError, raise_row_errors
from .rules import latest_rules
from .search_outbox import enqueue
from .spreadsheets import Upload, read_table, write_table
from .unit_of_work import use_case

PERMIT_TAKEN = "该预售许可证号已被其他项目使用"
UNIT_TAKEN = "该楼栋已有相同楼层和房号的房屋"
UNIT_LABELS = {field.name: field.label for field in UNIT_FIELDS}


def _parsed(fields, raw: dict, partial: bool = False) -> dict:
    values, errors = parse_fields(fields, raw, partial)
    if errors:
        raise ValidationFailed("信息有误，请按提示修改", errors)
    return values


def _require_developer(user: User) -> None:
    if user.role != Role.DEVELOPER_STAFF:
        raise Forbidden("只有开发企业可以发布新房房源")


def project_for_changing(project_id: int, user: User) -> Project:
    project = db.session.get(Project, project_id)
    if project is None or user.role != Role.DEVELOPER_STAFF or project.developer_org_id != user.organization_id:
        raise NotFound("项目不存在，或不属于您的企业")
    return project


def project_for_viewing(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound("项目不存在")
    return project


def projects_of(user: User) -> list[Project]:
    _require_developer(user)
    return list(db.session.scalars(select(Project).where(Project.developer_org_id == user.organization_id)
                                   .order_by(Project.id.desc())))


@use_case
def create_project(raw: dict, user: User) -> Project:
    _require_developer(user)
    values = _parsed(PROJECT_FIELDS, raw)
    values["swap_offer"] = values["swap_offer"] or ""
    project = Project(developer_org_id=user.organization_id, **values,
                      search_pinyin=pinyin_keys(values["name"], values["district_code"]))
    db.session.add(project)
    flush_or_conflict(lambda _: PERMIT_TAKEN)
    record_event("project.create", "project", project.id, actor=user, after={"name": project.name})
    return project


@use_case
def update_project(project_id: int, raw: dict, user: User) -> Project:
    project = project_for_changing(project_id, user)
    values = _parsed(PROJECT_FIELDS, raw, partial=True)
    if "swap_offer" in values:
        values["swap_offer"] = values["swap_offer"] or ""
    before = {name: str(getattr(project, name)) for name in values}
    for name, value in values.items():
        setattr(project, name, value)
    project.search_pinyin = pinyin_keys(project.name, project.district_code)
    flush_or_conflict(lambda _: PERMIT_TAKEN)
    record_event("project.update", "project", project.id, actor=user, before=before,
                 after={name: str(value) for name, value in values.items()})
    _reindex_units_of(project)
    return project


BUILDING_NAME_PROBLEM = "请填写楼栋名称（不超过40个字符）"


def _building_name(raw: str | None, field_name: str) -> str:
    """A building's name, one check for the price list, a new unit and a rename: present, at most
    40 characters, and no control characters (as every other text field)."""
    name = (raw or "").strip()
    if problem := control_character_problem(name, False):
        message = f"楼栋名称{problem}"
    elif not name or len(name) > 40:
        message = BUILDING_NAME_PROBLEM
    else:
        return name
    raise ValidationFailed(message, {field_name: [message]})


def building_for_changing(building_id: int, user: User) -> Building:
    building = db.session.get(Building, building_id)
    if building is None:
        raise NotFound("楼栋不存在")
    project_for_changing(building.project_id, user)
    return building


@use_case
def rename_building(building_id: int, name: str, user: User) -> Building:
    building = building_for_changing(building_id, user)
    name = _building_name(name, "name")
    before = building.name
    building.name = name
    flush_or_conflict(lambda _: "本项目已有同名楼栋")
    record_event("building.rename", "building", building.id, actor=user, before={"name": before},
                 after={"name": name})
    _reindex_units_of(building.project)  # the building's name is in each unit's label
    return building


@use_case
def delete_building(building_id: int, user: User) -> Project:
    """Take back a building published by mistake, with its units, while none of them is sold,
    held or named by any swap, chain or count."""
    building = building_for_changing(building_id, user)
    db.session.refresh(building, with_for_update=True)
    units = list(building.units)
    if any(unit.status == UnitStatus.SOLD for unit in units):
        raise Conflict("该楼栋已有已售房屋，不能删除")
    unit_ids = [unit.id for unit in units]
    if unit_ids and (any(unit.status == UnitStatus.RESERVED for unit in units) or _referenced(unit_ids)):
        raise Conflict("该楼栋有已预定的房屋，或房屋已出现在交易、锁房或换房链记录中，不能删除")
    project, name = building.project, building.name
    db.session.execute(delete(ApplicationMatch).where(ApplicationMatch.unit_id.in_(unit_ids)))  # recomputed nightly
    for unit in units:
        enqueue("unit", unit.id, unit.version + 1)   # the index drops a unit it can no longer read
        db.session.delete(unit)
    db.session.delete(building)
    db.session.flush()
    record_event("building.delete", "building", building_id, actor=user, before={"name": name, "units": len(units)})
    return project


def _referenced(unit_ids: list[int]) -> bool:
    columns = (Acquisition.new_unit_id, MarketSwap.new_unit_id, Reservation.unit_id, ChainLink.new_unit_id,
               GoalLedgerEntry.new_unit_id, LedgerClaim.new_unit_id)
    return any(db.session.scalar(select(column).where(column.in_(unit_ids)).limit(1)) is not None
               for column in columns)


def _fit_floors(building: Building) -> None:
    """A building's floor count is that of its highest unit."""
    db.session.flush()
    building.total_floors = max((unit.floor for unit in building.units), default=building.total_floors)


def _reindex_units_of(project: Project) -> None:
    """Project facts (name, district, location, offer) are part of each unit's search document, and
    the index keeps a document unless it is sent a newer version: each unit's version moves on."""
    db.session.execute(
        update(Unit).where(Unit.building_id.in_(select(Building.id).where(Building.project_id == project.id)))
        .values(version=Unit.version + 1).execution_options(synchronize_session="fetch"))
    for unit in _units_of(project):
        enqueue("unit", unit.id, unit.version)


def _units_of(project: Project) -> list[Unit]:
    return list(db.session.scalars(select(Unit).join(Building).where(Building.project_id == project.id)))


# ----- units --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PriceListResult:
    created: int
    updated: int


@use_case
def import_price_list(project_id: int, building_name: str, upload: Upload, user: User) -> PriceListResult:
    """Load a building's price list (楼层, 房号, 面积, 户型, 总价): all rows or none."""
    project = project_for_changing(project_id, user)
    building_name = _building_name(building_name, "building")
    frame = read_table(upload)
    missing = [label for label in UNIT_LABELS.values() if label not in frame.columns]
    if missing:
        raise_row_errors([RowError(1, label, "缺少该列") for label in missing])
    rows, errors = _parse_price_rows(frame)
    building = _building(project, building_name, rows)
    existing = {(unit.floor, unit.room): unit for unit in building.units} if building.id else {}
    errors += _sold_units_repriced(rows, existing)
    raise_row_errors(errors)
    created = updated = 0
    for _, values in rows:
        unit = existing.get((values["floor"], values["room"]))
        if unit is None:
            unit = Unit(building=building, status=UnitStatus.AVAILABLE, **values)
            db.session.add(unit)
            created += 1
        else:
            for name, value in values.items():
                setattr(unit, name, value)
            updated += 1
    db.session.flush()
    _fit_floors(building)
    for unit in building.units:
        enqueue("unit", unit.id, unit.version)
    record_event("unit.price_list_import", "building", building.id, actor=user,
                 after={"file": upload.filename, "created": created, "updated": updated})
    return PriceListResult(created, updated)


def _parse_price_rows(frame) -> tuple[list[tuple[int, dict]], list[RowError]]:
    rows, errors, seen = [], [], {}
    for row_number, record in enumerate(frame.to_dict("records"), start=2):
        raw = {name: record[label] for name, label in UNIT_LABELS.items()}
        values, problems = parse_fields(UNIT_FIELDS, raw)
        for name, messages in problems.items():
            errors.extend(RowError(row_number, UNIT_LABELS[name], m) for m in messages)
        if problems:
            continue
        key = (values["floor"], values["room"])
        if key in seen:
            errors.append(RowError(row_number, UNIT_LABELS["room"], f"与第{seen[key]}行是同一套房"))
            continue
        seen[key] = row_number
        rows.append((row_number, values))
    return rows, errors


def _building(project: Project, name: str, rows: list[tuple[int, dict]]) -> Building:
    """The project's building of that name, created if new (by the first of two requests adding
    units to it at once; the other then reads it, see ``insert_unless_present``)."""
    found = select(Building).where(Building.project_id == project.id, Building.name == name)
    top_floor = max((values["floor"] for _, values in rows), default=1)
    building = db.session.scalar(found)
    if building is None:
        insert_unless_present(db.session, Building, ("project_id", "name"),
                              {"project_id": project.id, "name": name, "total_floors": top_floor})
        building = db.session.scalars(found).one()
    building.total_floors = max(building.total_floors, top_floor)
    return building


def price_list_template(file_format: str) -> bytes:
    """The price list's columns with two example rows (a file that imports as it is)."""
    example = [{"floor": 1, "room": "101", "area_m2": "118.50", "bedrooms": 3, "living_rooms": 2, "bathrooms": 2,
                "list_price": 1_980_000},
               {"floor": 1, "room": "102", "area_m2": "89.00", "bedrooms": 2, "living_rooms": 1, "bathrooms": 1,
                "list_price": 1_450_000}]
    frame = pd.DataFrame([[row[name] for name in UNIT_LABELS] for row in example], columns=list(UNIT_LABELS.values()))
    return write_table(frame, file_format, sheet_name="一房一价")


def _sold_units_repriced(rows: list[tuple[int, dict]], existing: dict) -> list[RowError]:
    errors = []
    for row_number, values in rows:
        unit = existing.get((values["floor"], values["room"]))
        if unit is not None and unit.status == UnitStatus.SOLD and unit.list_price != values["list_price"]:
            errors.append(RowError(row_number, UNIT_LABELS["list_price"], "该房屋已售出，不能再调整价格"))
    return errors


def unit_for_changing(unit_id: int, user: User) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("房屋不存在")
    project_for_changing(unit.building.project_id, user)
    return unit


@use_case
def change_unit_status(unit_id: int, target: UnitStatus, user: User) -> Unit:
    unit = unit_for_changing(unit_id, user)
    if problem := unit_status_problem(unit.status.value, target.value):
        raise Conflict(problem)
    reservations.refuse_if_held(unit.id, "该房屋在锁房保留期内，状态随三方协议变化，不能直接修改")
    before = unit.status
    if target == UnitStatus.SOLD and before != UnitStatus.SOLD:
        unit.sold_at, unit.status_before_sale = utcnow(), before.value
    unit.status = target
    db.session.flush()
    record_event("unit.status", "unit", unit.id, actor=user,
                 before={"status": before.value}, after={"status": target.value})
    enqueue("unit", unit.id, unit.version)
    return unit


@use_case
def change_unit_statuses(unit_ids: list[int], target: UnitStatus, user: User) -> list[Unit]:
    """Several units of the developer's to one status, all or none: every refusal is named by room."""
    if not unit_ids:
        raise ValidationFailed("请至少选择一套房屋", {"unit_id": ["请至少选择一套房屋"]})
    units = [unit_for_changing(unit_id, user) for unit_id in dict.fromkeys(unit_ids)]
    problems = [f"{unit.building.name}{unit.room}：{problem}" for unit in units
                if (problem := _status_change_problem(unit, target))]
    if problems:
        raise Conflict("以下房屋不能改为“" + target.label + "”，本次未做任何修改：" + "；".join(problems))
    return [change_unit_status(unit.id, target, user) for unit in units if unit.status != target]


def _status_change_problem(unit: Unit, target: UnitStatus) -> str | None:
    if unit.status == target:
        return None
    if problem := unit_status_problem(unit.status.value, target.value):
        return problem
    return "在锁房保留期内" if reservations.holding_for(unit.id) is not None else None


def sale_undo_hours() -> int:
    return latest_rules()[1].unit_sale_undo_hours


def sale_undo_deadline(unit: Unit, hours: int | None = None) -> datetime | None:
    """Until when the developer may still undo this unit's "sold" mark (None: it cannot be undone)."""
    hours = sale_undo_hours() if hours is None else hours
    if not hours or unit.status != UnitStatus.SOLD or unit.sold_at is None or unit.status_before_sale is None:
        return None
    return unit.sold_at + timedelta(hours=hours)


def sale_undo_deadlines(grids: list[UnitGrid]) -> dict[int, datetime]:
    """For the developer's grid: each unit whose "sold" may still be undone, and until when."""
    hours, now = sale_undo_hours(), utcnow()
    found = {}
    for grid in grids:
        for _, row in grid.floors:
            for unit in filter(None, row):
                deadline = sale_undo_deadline(unit, hours)
                if deadline is not None and deadline > now:
                    found[unit.id] = deadline
    return found


@use_case
def undo_unit_sale(unit_id: int, user: User) -> Unit:
    """Take back a mistaken "sold" within the grace period, unless a recorded swap already names the unit."""
    unit = unit_for_changing(unit_id, user)
    db.session.refresh(unit, with_for_update=True)   # two clicks on two machines: one undo
    deadline, before_sale = sale_undo_deadline(unit), unit.status_before_sale
    if deadline is None or before_sale is None:
        raise Conflict("该房屋不是可撤销的已售状态")
    if utcnow() > deadline:
        raise Conflict(f"已超过撤销时限（标记已售后{sale_undo_hours()}小时内可撤销），如需更正请联系住房保障局")
    if _recorded_purchase_of(unit.id):
        raise Conflict("该房屋已登记在以旧换新交易中，不能撤销已售")
    restored = UnitStatus(before_sale)
    unit.status, unit.sold_at, unit.status_before_sale = restored, None, None
    db.session.flush()
    record_event("unit.sale_undone", "unit", unit.id, actor=user,
                 before={"status": UnitStatus.SOLD.value}, after={"status": restored.value})
    enqueue("unit", unit.id, unit.version)
    return unit


def _recorded_purchase_of(unit_id: int) -> bool:
    """A city-group acquisition or a market swap names this unit as the household's new home."""
    return bool(db.session.scalar(select(Acquisition.id).where(Acquisition.new_unit_id == unit_id).limit(1))
                or db.session.scalar(select(MarketSwap.id).where(MarketSwap.new_unit_id == unit_id).limit(1)))


@use_case
def update_unit(unit_id: int, raw: dict, user: User) -> Unit:
    unit = unit_for_changing(unit_id, user)
    if unit.status == UnitStatus.SOLD:
        raise Conflict("已售房屋不能再修改")
    reservations.refuse_if_held(unit.id, "该房屋在锁房保留期内，三方协议约定的房屋不能修改")
    values = _parsed(UNIT_FIELDS, raw, partial=True)
    before = {name: str(getattr(unit, name)) for name in values}
    for name, value in values.items():
        setattr(unit, name, value)
    flush_or_conflict(lambda _: UNIT_TAKEN)
    _fit_floors(unit.building)
    record_event("unit.update", "unit", unit.id, actor=user, before=before,
                 after={name: str(value) for name, value in values.items()})
    enqueue("unit", unit.id, unit.version)
    return unit


def public_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.status != UnitStatus.AVAILABLE:
        raise NotFound("房屋不存在或已不可售")
    return unit


@dataclass(frozen=True)
class UnitGrid:
    """A building's 楼盘表: floors from top to bottom, rooms left to right."""

    building: Building
    rooms: list[str]
    floors: list[tuple[int, list[Unit | None]]]


def unit_grids(project: Project) -> list[UnitGrid]:
    grids = []
    for building in project.buildings:
        by_position = {(unit.floor, _room_suffix(unit)): unit for unit in building.units}
        rooms = sorted({suffix for _, suffix in by_position}, key=lambda s: (len(s), s))
        floors = sorted({floor for floor, _ in by_position}, reverse=True)
        grids.append(UnitGrid(building, rooms,
                              [(floor, [by_position.get((floor, room)) for room in rooms]) for floor in floors]))
    return grids


def _room_suffix(unit: Unit) -> str:
    """'1202' on floor 12 is room '02': columns line up across floors."""
    prefix = str(unit.floor)
    return unit.room[len(prefix):] if unit.room.startswith(prefix) and len(unit.room) > len(prefix) else unit.room


@use_case
def create_unit(project_id: int, building_name: str, raw: dict, user: User) -> Unit:
    """Add one unit to a building (created if new); price lists do the same in bulk."""
    project = project_for_changing(project_id, user)
    building_name = _building_name(building_name, "building")
    values = _parsed(UNIT_FIELDS, raw)
    building = _building(project, building_name, [(0, values)])
    unit = Unit(building=building, status=UnitStatus.AVAILABLE, **values)
    db.session.add(unit)
    flush_or_conflict(lambda _: UNIT_TAKEN)
    _fit_floors(building)
    record_event("unit.create", "unit", unit.id, actor=user, after={"room": unit.room, "list_price": unit.list_price})
    enqueue("unit", unit.id, unit.version)
    return unit


def programme_projects() -> list[Project]:
    """Projects in the swap programme, by name: the first step of the officers' unit picker."""
    return list(db.session.scalars(select(Project).where(Project.in_swap_program.is_(True)).order_by(Project.name)))


def units_on_offer(project_id: int) -> list[tuple[str, list[Unit]]]:
    """A project's units not yet sold (available, or reserved for the household buying), building by
    building and floor by floor: the second step of the picker."""
    units = db.session.scalars(select(Unit).join(Building).where(
        Building.project_id == project_id, Unit.status != UnitStatus.SOLD)
        .order_by(Building.name, Unit.floor, Unit.room)).all()
    grouped: dict[str, list[Unit]] = {}
    for unit in units:
        grouped.setdefault(unit.building.name, []).append(unit)
    return list(grouped.items())


@dataclass(frozen=True)
class ProjectSummary:
    project: Project
    available_units: int
    lowest_price: int | None


def project_directory(q: str = "", district: str | None = None, program_only: bool = False,
                      page: int = 1, per_page: int = 20) -> tuple[list[ProjectSummary], int]:
    """Projects with their unsold stock, for the public directory (newest first)."""
    available = (select(Building.project_id, func.count(Unit.id).label("units"),
                        func.min(Unit.list_price).label("lowest"))
                 .join(Unit, Unit.building_id == Building.id).where(Unit.status == UnitStatus.AVAILABLE)
                 .group_by(Building.project_id).subquery())
    query = select(Project, available.c.units, available.c.lowest).outerjoin(
        available, available.c.project_id == Project.id)
    if q.strip():
        query = query.where(words_condition_like(q, (Project.name, Project.address), Project.search_pinyin,
                                                 Project.district_code))
    if district:
        query = query.where(Project.district_code == district)
    if program_only:
        query = query.where(Project.in_swap_program.is_(True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(Project.id.desc()).offset((max(page, 1) - 1) * per_page).limit(per_page))
    return [ProjectSummary(project, units or 0, lowest) for project, units, lowest in rows], total
