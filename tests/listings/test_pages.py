"""The listing and project pages, driven through the test client as users would."""
import io

import pandas as pd
import pytest
from PIL import Image
from sqlalchemy import func, select

from housing_swap.db.models import (
    Listing,
    ListingStatus,
    OrganizationKind,
    Project,
    Role,
    Unit,
)
from housing_swap.domain.listing_fields import LISTING_FIELDS
from housing_swap.extensions import db
from housing_swap.services import projects as project_service
from housing_swap.services.listings import StatusChange, change_status, create_listing
from tests.factories import valid_id_number
from tests.listings.helpers import listing_fields, register_title


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def owner(make, login):
    user = make.household(phone="13900008888", id_number=valid_id_number(21))
    login("13900008888")
    return user


def test_household_lists_submits_and_gets_a_public_verified_page(app, client, owner):
    fields = listing_fields()
    fields.pop("agency_reference")
    register_title(app, fields["certificate_number"], owner.id_number)
    response = client.post("/my/listings/new", data=fields)
    assert response.status_code == 302
    listing = db.session.scalar(select(Listing))
    assert "草稿" in page(client.get(f"/listings/{listing.id}"))
    client.post(f"/my/listings/{listing.id}/status", data={"target": "submitted"})
    detail = page(client.get(f"/listings/{listing.id}"))
    assert "已核验" in detail
    assert listing.verification_code in detail

    anonymous = app.test_client()
    public = page(anonymous.get(f"/listings/{listing.id}"))
    assert "138****1234" in public
    assert "13800001234" not in public
    assert fields["certificate_number"] not in public
    verify = page(anonymous.get(f"/verify/{listing.verification_code}"))
    assert "真实有效" in verify
    qr = anonymous.get(f"/listings/{listing.id}/qr.svg")
    assert qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data


def test_form_errors_appear_beside_fields_and_nothing_is_saved(client, owner):
    fields = listing_fields(area_m2="很大", contact_phone="123")
    response = client.post("/my/listings/new", data=fields)
    text = page(response)
    assert "建筑面积应为数字" in text
    assert "请输入11位中国大陆手机号码" in text
    assert db.session.scalar(select(func.count(Listing.id))) == 0


def test_drafts_are_private(app, client, owner):
    client.post("/my/listings/new", data=listing_fields())
    listing = db.session.scalar(select(Listing))
    assert app.test_client().get(f"/listings/{listing.id}").status_code == 404
    assert app.test_client().get("/verify/NOSUCHCODE").status_code == 404


def test_photo_upload_through_the_page(client, owner):
    client.post("/my/listings/new", data=listing_fields())
    listing = db.session.scalar(select(Listing))
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 200)).save(buffer, format="JPEG")
    client.post(f"/my/listings/{listing.id}/photos",
                data={"photos": (io.BytesIO(buffer.getvalue()), "客厅.jpg")}, content_type="multipart/form-data")
    photo = db.session.get(Listing, listing.id).photos[0]
    served = client.get(f"/photos/{photo.id}/thumb")
    assert served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.get_data().startswith(b"\xff\xd8")
    served.close()
    refused = client.post(f"/my/listings/{listing.id}/photos",
                          data={"photos": (io.BytesIO(b"%PDF-1.4 not an image"), "x.jpg")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "不是有效的图片" in page(refused)


def test_another_agency_cannot_see_or_change_a_listing(app, make, login, client):
    agent_a = make.staff(Role.AGENCY_STAFF, username="agent-a")
    make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY), username="agent-b")
    listing = create_listing(listing_fields(), agent_a)
    version = listing.version
    login("agent-b")
    assert client.get(f"/my/listings/{listing.id}/edit").status_code == 404
    assert client.post(f"/my/listings/{listing.id}/edit", data=listing_fields(asking_price="1")).status_code == 404
    assert client.post(f"/my/listings/{listing.id}/status", data={"target": "submitted"}).status_code == 404
    assert client.get(f"/listings/{listing.id}").status_code == 404
    db.session.expire_all()
    fresh = db.session.get(Listing, listing.id)
    assert (fresh.version, fresh.status, fresh.asking_price) == (version, ListingStatus.DRAFT, 1350000)


def agency_file(rows) -> bytes:
    frame = pd.DataFrame([[row[f.name] for f in LISTING_FIELDS] for row in rows],
                         columns=[f.label for f in LISTING_FIELDS])
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def test_agency_import_with_errors_report_then_fix(app, make, login, client):
    make.staff(Role.AGENCY_STAFF, username="agent-a")
    login("agent-a")
    rows = [listing_fields() for _ in range(5)]
    rows[2]["orientation"] = "朝天"
    upload = {"file": (io.BytesIO(agency_file(rows)), "房源.xlsx"), "mode": "all_or_nothing"}
    response = client.post("/agency/import", data=upload, content_type="multipart/form-data")
    assert response.status_code == 303  # to the import's job page
    job_page = client.get(response.headers["Location"])
    assert job_page.status_code == 200
    text = page(job_page)
    assert "未导入任何数据" in text
    assert "朝向应为以下之一" in text
    token = text.split("/agency/import/report/")[1].split(".xlsx")[0]
    download = client.get(f"/agency/import/report/{token}.xlsx")
    report = pd.read_excel(io.BytesIO(download.data), dtype=str)
    download.close()
    assert report.to_dict("records") == [{"行号": "4", "列": "朝向", "问题": "朝向应为以下之一：南北、南、北、东、西、东南、西南、东北、西北、东西"}]
    assert db.session.scalar(select(func.count(Listing.id))) == 0

    rows[2]["orientation"] = "南"
    fixed = {"file": (io.BytesIO(agency_file(rows)), "房源.xlsx"), "mode": "all_or_nothing"}
    assert "新增 5 条" in page(client.post("/agency/import", data=fixed, content_type="multipart/form-data",
                                         follow_redirects=True))
    exported = client.get("/agency/export.xlsx")
    assert exported.mimetype.startswith("application/vnd.openxmlformats")
    assert len(pd.read_excel(io.BytesIO(exported.data))) == 5
    ids = [str(i) for i in db.session.scalars(select(Listing.id))]
    client.post("/my/listings/bulk-status", data={"listing_ids": ids, "target": "submitted"})
    assert set(db.session.scalars(select(Listing.status))) == {ListingStatus.SUBMITTED}


def test_other_organizations_cannot_fetch_an_import_report(app, make, login, client):
    make.staff(Role.AGENCY_STAFF, username="agent-a")
    login("agent-a")
    rows = [listing_fields(orientation="朝天")]
    response = client.post("/agency/import", data={"file": (io.BytesIO(agency_file(rows)), "x.xlsx"),
                                                   "mode": "valid_rows"}, content_type="multipart/form-data",
                           follow_redirects=True)
    job_page = response.request.path
    token = page(response).split("/agency/import/report/")[1].split(".xlsx")[0]
    client.post("/auth/logout")
    make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY), username="agent-b")
    login("agent-b")
    assert client.get(f"/agency/import/report/{token}.xlsx").status_code == 404
    assert client.get(job_page).status_code == 404


def test_developer_publishes_a_project_and_its_unit_table(app, make, login, client):
    make.staff(Role.DEVELOPER_STAFF, username="dev-1")
    login("dev-1")
    response = client.post("/developer/projects/new", data={
        "name": "正商·湖畔", "district_code": "410105", "address": "金水区北三环1号", "lat": "34.80",
        "lon": "113.68", "presale_permit_no": "郑房预售字[2024]第0300号", "delivery_date": "2026-12-31",
        "in_swap_program": "是", "swap_offer": ""})
    assert response.status_code == 302
    project = db.session.scalar(select(Project))
    frame = pd.DataFrame([[f, f"{f}0{r}", "120.00", 3, 2, 2, 2_400_000] for f in (1, 2) for r in (1, 2)],
                         columns=["楼层", "房号", "建筑面积", "室", "厅", "卫", "总价（元）"])
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    client.post(f"/developer/projects/{project.id}/price-list", content_type="multipart/form-data",
                data={"building": "1号楼", "file": (io.BytesIO(buffer.getvalue()), "价目表.xlsx")})
    assert db.session.scalar(select(func.count(Unit.id))) == 4
    public = page(app.test_client().get(f"/projects/{project.id}"))
    assert "一房一价表" in public
    assert "240万元" in public
    assert "202" in public
    unit = db.session.scalar(select(Unit).where(Unit.room == "101"))
    asked = page(client.post(f"/developer/units/{unit.id}/status", data={"status": "sold"}))
    assert "确认标记已售" in asked                      # a confirmation first, nothing changed yet
    assert db.session.get(Unit, unit.id).status.value == "available"
    client.post(f"/developer/units/{unit.id}/status", data={"status": "sold", "confirmed": "yes"})
    assert db.session.get(Unit, unit.id).status.value == "sold"
    bad = client.post(f"/developer/units/{unit.id}/status", data={"status": "available"}, follow_redirects=True)
    assert bad.status_code == 200  # a message on the project's page, not an error page
    assert "不能从“已售”变为“可售”" in bad.get_data(as_text=True)
    assert "不能从" in page(bad)


def test_my_listings_filter_and_pages(app, make, login, client):
    agent = make.staff(Role.AGENCY_STAFF, username="agent-a")
    created = [create_listing(listing_fields(), agent) for _ in range(55)]
    login("agent-a")
    first = page(client.get("/my/listings"))
    assert "共 55 条" in first
    assert "第 1 / 2 页" in first
    second = page(client.get("/my/listings?page=2"))
    assert second.count('name="listing_ids"') == 5
    change_status(created[0].id, StatusChange(ListingStatus.SUBMITTED), agent)
    submitted = page(client.get("/my/listings?status=submitted"))
    assert "共 1 条" in submitted


def test_agency_assigns_a_listing_to_its_own_agent_only(app, make, login, client):
    agent = make.staff(Role.AGENCY_STAFF, username="agent-a")
    colleague = make.staff(Role.AGENCY_STAFF, organization=agent.organization, username="agent-a2")
    outsider = make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY))
    listing = create_listing(listing_fields(), agent)
    login("agent-a")
    assert "agent-a2" in page(client.get(f"/listings/{listing.id}"))
    client.post(f"/my/listings/{listing.id}/agent", data={"agent_id": str(colleague.id)})
    assert db.session.get(Listing, listing.id).agent_user_id == colleague.id
    refused = client.post(f"/my/listings/{listing.id}/agent", data={"agent_id": str(outsider.id)})
    assert refused.status_code == 422
    assert "本机构员工" in page(refused)
    assert db.session.get(Listing, listing.id).agent_user_id == colleague.id


def test_project_directory_filters_and_counts_stock(app, make, client):
    developer = make.staff(Role.DEVELOPER_STAFF)
    fields = {"name": "永威·南樾", "district_code": "410103", "address": "二七区航海路9号", "lat": "34.72",
              "lon": "113.64", "presale_permit_no": "郑房预售字[2024]第0777号", "delivery_date": "2026-09-30",
              "in_swap_program": "否"}
    project = project_service.create_project(fields, developer)
    project_service.create_unit(project.id, "1号楼", {"floor": "3", "room": "301", "area_m2": "110.00", "bedrooms": "3",
                                                      "living_rooms": "2", "bathrooms": "2", "list_price": "1500000"},
                                developer)
    listing = page(client.get("/projects", query_string={"q": "南樾"}))
    assert "永威·南樾" in listing
    assert "可售 1 套" in listing
    assert "150万元 起" in listing
    assert "永威·南樾" not in page(client.get("/projects", query_string={"program": "true"}))
    assert "永威·南樾" in page(client.get("/projects", query_string={"q": "ywny"}))
    assert "没有符合条件的楼盘" in page(client.get("/projects", query_string={"district": "410105"}))
