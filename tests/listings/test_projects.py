"""Developers' projects, the price-list import, unit status and the unit table."""
import io
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from housing_swap.db.base import utcnow
from housing_swap.db.models import (
    Acquisition,
    AuditEvent,
    OrganizationKind,
    ProgramRuleVersion,
    Role,
    SwapApplication,
    Unit,
    UnitStatus,
)
from housing_swap.extensions import db
from housing_swap.services import projects as service
from housing_swap.services.errors import Conflict, NotFound, ValidationFailed
from housing_swap.services.imports import ImportRejected
from housing_swap.services.rules import current_rules
from housing_swap.services.spreadsheets import Upload

PROJECT = {"name": "建业·天境", "district_code": "郑东新区", "address": "郑东新区龙湖外环路1号",
           "lat": "34.79", "lon": "113.74", "presale_permit_no": "郑房预售字[2024]第0099号",
           "delivery_date": "2026-06-30", "in_swap_program": "是", "swap_offer": "总价优惠2%"}
HEADERS = ["楼层", "房号", "建筑面积", "室", "厅", "卫", "总价（元）"]


def price_list(rows, file_format="xlsx") -> Upload:
    frame = pd.DataFrame(rows, columns=HEADERS)
    if file_format == "csv":
        return Upload("prices.csv", frame.to_csv(index=False).encode("utf-8"))
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return Upload("prices.xlsx", buffer.getvalue())


def building_rows(floors=3, rooms=2, price=2_000_000):
    return [[floor, f"{floor}{room:02d}", "118.50", 3, 2, 2, price + floor * 10_000]
            for floor in range(1, floors + 1) for room in range(1, rooms + 1)]


@pytest.fixture
def developer(make):
    return make.staff(Role.DEVELOPER_STAFF)


def test_project_and_price_list_make_a_unit_table(app, developer):
    project = service.create_project(PROJECT, developer)
    assert project.district_code == "410190"
    assert project.in_swap_program
    result = service.import_price_list(project.id, "1号楼", price_list(building_rows()), developer)
    assert (result.created, result.updated) == (6, 0)
    grid = service.unit_grids(project)[0]
    assert grid.rooms == ["01", "02"]
    assert [floor for floor, _ in grid.floors] == [3, 2, 1]
    assert grid.floors[0][1][1].room == "302"


def test_reimport_updates_prices_and_refuses_sold_units(app, developer):
    project = service.create_project(PROJECT, developer)
    service.import_price_list(project.id, "1号楼", price_list(building_rows()), developer)
    sold = db.session.scalar(select(Unit).where(Unit.room == "101"))
    service.change_unit_status(sold.id, UnitStatus.SOLD, developer)
    with pytest.raises(ImportRejected) as rejected:
        service.import_price_list(project.id, "1号楼", price_list(building_rows(price=2_100_000)), developer)
    assert [(e.row, e.message) for e in rejected.value.row_errors] == [(2, "该房屋已售出，不能再调整价格")]
    db.session.rollback()
    rows = building_rows(price=2_100_000)
    rows[0][6] = sold.list_price
    result = service.import_price_list(project.id, "1号楼", price_list(rows, "csv"), developer)
    assert result.updated == 6
    assert db.session.get(Unit, sold.id).status == UnitStatus.SOLD


def test_bad_price_list_rows_write_nothing(app, developer):
    project = service.create_project(PROJECT, developer)
    rows = building_rows()
    rows[1][2] = "abc"
    rows[3][1] = rows[2][1]
    with pytest.raises(ImportRejected) as rejected:
        service.import_price_list(project.id, "1号楼", price_list(rows), developer)
    assert {(e.row, e.column) for e in rejected.value.row_errors} == {(3, "建筑面积"), (5, "房号")}
    db.session.rollback()
    assert db.session.scalar(select(func.count(Unit.id))) == 0


def test_unit_status_rules(app, developer):
    project = service.create_project(PROJECT, developer)
    service.import_price_list(project.id, "1号楼", price_list(building_rows(1, 1)), developer)
    unit = db.session.scalar(select(Unit))
    service.change_unit_status(unit.id, UnitStatus.RESERVED, developer)
    service.change_unit_status(unit.id, UnitStatus.SOLD, developer)
    with pytest.raises(Conflict, match="不能从“已售”变为“可售”"):
        service.change_unit_status(unit.id, UnitStatus.AVAILABLE, developer)


def test_other_developers_cannot_touch_a_project(app, developer, make):
    project = service.create_project(PROJECT, developer)
    rival = make.staff(Role.DEVELOPER_STAFF, organization=make.organization(OrganizationKind.DEVELOPER))
    with pytest.raises(NotFound):
        service.update_project(project.id, {"name": "改名"}, rival)
    with pytest.raises(NotFound):
        service.import_price_list(project.id, "1号楼", price_list(building_rows()), rival)
    db.session.rollback()
    assert service.project_for_viewing(project.id).name == PROJECT["name"]


def test_project_field_errors_and_duplicate_permit(app, developer):
    with pytest.raises(ValidationFailed) as refused:
        service.create_project({**PROJECT, "lat": "113.74", "delivery_date": "明年"}, developer)
    assert set(refused.value.details) == {"lat", "delivery_date"}
    service.create_project(PROJECT, developer)
    with pytest.raises(Conflict, match="预售许可证号"):
        service.create_project(PROJECT, developer)


def test_a_refused_unit_status_change_is_a_message_on_the_project_page(app, developer, client, login):
    project = service.create_project(PROJECT, developer)
    service.import_price_list(project.id, "1号楼", price_list(building_rows(1, 1)), developer)
    unit = db.session.scalar(select(Unit))
    service.change_unit_status(unit.id, UnitStatus.SOLD, developer)  # sold meanwhile, elsewhere
    login(developer.username)
    for status in ("available", "bogus"):
        answer = client.post(f"/developer/units/{unit.id}/status", data={"status": status})
        assert answer.status_code == 302
        assert answer.headers["Location"].endswith(f"/developer/projects/{project.id}")
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert "flash-error" in page
    assert "不能从“已售”变为“可售”" in client.post(f"/developer/units/{unit.id}/status", data={"status": "available"},
                                                  follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_price_list_template_downloads_and_imports_as_it_is(app, developer, client, login, file_format):
    login(developer.username)
    project = service.create_project(PROJECT, developer)
    manage = client.get(f"/developer/projects/{project.id}").get_data(as_text=True)
    assert f"/developer/price-list-template.{file_format}" in manage
    template = client.get(f"/developer/price-list-template.{file_format}")
    assert template.status_code == 200
    result = service.import_price_list(project.id, "1号楼", Upload(f"template.{file_format}", template.data), developer)
    assert (result.created, result.updated) == (2, 0)
    assert client.get("/developer/price-list-template.pdf").status_code == 404


def test_a_developer_renames_a_building_and_its_units_follow(app, developer, client, login):
    project = service.create_project(PROJECT, developer)
    for name in ("1号楼", "2号楼"):
        service.import_price_list(project.id, name, price_list(building_rows(1, 1)), developer)
    first = db.session.scalar(select(Unit).join(Unit.building).where(Unit.building.has(name="1号楼")))
    version = first.version
    login(developer.username)
    building_id = first.building_id
    renamed = client.post(f"/developer/buildings/{building_id}/name", data={"name": " 1号楼（东） "},
                          follow_redirects=True).get_data(as_text=True)
    assert "楼栋已改名为“1号楼（东）”" in renamed
    db.session.expire_all()
    assert db.session.get(Unit, first.id).building.name == "1号楼（东）"
    assert db.session.get(Unit, first.id).version == version + 1  # its search document is sent again
    taken = client.post(f"/developer/buildings/{building_id}/name", data={"name": "2号楼"},
                        follow_redirects=True).get_data(as_text=True)
    assert "本项目已有同名楼栋" in taken
    empty = client.post(f"/developer/buildings/{building_id}/name", data={"name": "  "},
                        follow_redirects=True).get_data(as_text=True)
    assert "请填写楼栋名称" in empty
    assert db.session.get(Unit, first.id).building.name == "1号楼（东）"


def test_a_building_name_with_a_control_character_is_refused_everywhere(app, developer):
    project = service.create_project(PROJECT, developer)
    with pytest.raises(ValidationFailed, match="楼栋名称"):
        service.import_price_list(project.id, "1号\x07楼", price_list(building_rows(1, 1)), developer)
    service.import_price_list(project.id, "1号楼", price_list(building_rows(1, 1)), developer)
    building_id = db.session.scalar(select(Unit)).building_id
    with pytest.raises(ValidationFailed, match="楼栋名称"):
        service.rename_building(building_id, "东\x1b楼", developer)
    assert db.session.scalar(select(Unit)).building.name == "1号楼"


def sold_unit(developer, status_before=UnitStatus.AVAILABLE):
    project = service.create_project(PROJECT, developer)
    service.import_price_list(project.id, "1号楼", price_list(building_rows(1, 2)), developer)
    unit = db.session.scalar(select(Unit).order_by(Unit.id))
    if status_before != UnitStatus.AVAILABLE:
        service.change_unit_status(unit.id, status_before, developer)
    service.change_unit_status(unit.id, UnitStatus.SOLD, developer)
    return project, unit


def test_a_mistaken_sold_is_undone_within_the_grace_period_back_to_where_it_was(app, developer):
    _, unit = sold_unit(developer, UnitStatus.RESERVED)
    deadline = service.sale_undo_deadline(unit)
    assert deadline == unit.sold_at + timedelta(hours=24)           # the rule's default
    restored = service.undo_unit_sale(unit.id, developer)
    assert restored.status == UnitStatus.RESERVED
    assert (restored.sold_at, restored.status_before_sale) == (None, None)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "unit.sale_undone"))
    with pytest.raises(Conflict, match="不是可撤销的已售状态"):
        service.undo_unit_sale(unit.id, developer)


def test_no_undo_after_the_grace_period_or_once_a_swap_names_the_unit(app, developer, make):
    _, unit = sold_unit(developer)
    unit.sold_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    with pytest.raises(Conflict, match="已超过撤销时限（标记已售后24小时内可撤销）"):
        service.undo_unit_sale(unit.id, developer)
    db.session.rollback()
    unit.sold_at = utcnow()
    db.session.commit()
    rival = make.staff(Role.DEVELOPER_STAFF, organization=make.organization(OrganizationKind.DEVELOPER))
    with pytest.raises(NotFound):
        service.undo_unit_sale(unit.id, rival)
    db.session.rollback()
    version = db.session.scalar(select(ProgramRuleVersion))
    household = make.household()
    application = SwapApplication(household_user_id=household.id, old_district_code="410105",
                                  old_community_name="x", old_area_m2=90, old_build_year=2010,
                                  old_certificate_number="豫(2016)郑州市不动产权第0000001号", old_property_key="k")
    db.session.add(application)
    db.session.flush()
    db.session.add(Acquisition(application_id=application.id, rule_version_id=version.id, new_unit_id=unit.id))
    db.session.commit()
    with pytest.raises(Conflict, match="已登记在以旧换新交易中"):
        service.undo_unit_sale(unit.id, developer)


def test_the_grace_period_is_a_rule(app, developer):
    _, unit = sold_unit(developer)
    version, _ = current_rules()         # the version in force today (a test may edit it in place)
    version.document = {**version.document, "unit_sale_undo_hours": 0}
    db.session.commit()
    assert service.sale_undo_deadline(unit) is None
    with pytest.raises(Conflict):
        service.undo_unit_sale(unit.id, developer)


def test_the_project_page_offers_the_undo_and_the_api_does_it(app, developer, client, login):
    project, unit = sold_unit(developer)
    login(developer.username)
    page = client.get(f"/developer/projects/{project.id}").get_data(as_text=True)
    assert f"/developer/units/{unit.id}/undo-sale" in page
    assert "前可撤销" in page
    answer = client.post(f"/developer/units/{unit.id}/undo-sale", follow_redirects=True).get_data(as_text=True)
    assert "已撤销已售，恢复为“可售”" in answer
    assert db.session.get(Unit, unit.id).status == UnitStatus.AVAILABLE
    again = client.post(f"/developer/units/{unit.id}/undo-sale", follow_redirects=True)
    assert again.status_code == 200
    assert "不是可撤销的已售状态" in again.get_data(as_text=True)


_permits = iter(range(7000, 8000))


def project_with_units(developer, rooms=("101", "102", "201")):
    project = service.create_project({**PROJECT, "presale_permit_no": f"郑房预售字[2024]第{next(_permits)}号"},
                                     developer)
    units = [service.create_unit(project.id, "9号楼", {"floor": room[0], "room": room, "area_m2": "110.00",
                                                      "bedrooms": "3", "living_rooms": "2", "bathrooms": "2",
                                                      "list_price": "1500000"}, developer) for room in rooms]
    db.session.commit()
    return project, units


def test_a_buildings_floor_count_follows_its_units(app, developer):
    project, units = project_with_units(developer)
    building = units[0].building
    assert building.total_floors == 2
    service.update_unit(units[2].id, {"floor": "7", "room": "701"}, developer)
    assert building.total_floors == 7
    service.update_unit(units[2].id, {"floor": "3"}, developer)
    assert building.total_floors == 3


def test_bulk_status_changes_all_or_none(app, developer):
    project, units = project_with_units(developer)
    changed = service.change_unit_statuses([u.id for u in units[:2]], UnitStatus.RESERVED, developer)
    assert [u.status for u in changed] == [UnitStatus.RESERVED, UnitStatus.RESERVED]
    service.change_unit_status(units[2].id, UnitStatus.SOLD, developer)
    with pytest.raises(Conflict, match="本次未做任何修改") as refused:
        service.change_unit_statuses([u.id for u in units], UnitStatus.AVAILABLE, developer)
    assert "201" in refused.value.message
    db.session.refresh(units[0])
    assert units[0].status == UnitStatus.RESERVED            # nothing changed
    with pytest.raises(ValidationFailed):
        service.change_unit_statuses([], UnitStatus.AVAILABLE, developer)


def test_a_building_is_deleted_only_while_no_unit_is_sold(app, developer, client, login):
    project, units = project_with_units(developer)
    service.change_unit_status(units[0].id, UnitStatus.SOLD, developer)
    db.session.commit()
    with pytest.raises(Conflict, match="已有已售房屋"):
        service.delete_building(units[0].building_id, developer)
    other, spare = project_with_units(developer, rooms=("301",))
    building_id, spare_id = spare[0].building_id, spare[0].id
    login(developer.username)
    answer = client.post(f"/developer/buildings/{building_id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "已删除楼栋" in answer
    assert db.session.get(Unit, spare_id) is None
    page = client.post(f"/developer/buildings/{units[0].building_id}/statuses",
                       data={"status": "sold", "unit_id": [str(units[1].id)]}, follow_redirects=True)
    assert "请勾选“确认这些房屋已签约售出”" in page.get_data(as_text=True)
