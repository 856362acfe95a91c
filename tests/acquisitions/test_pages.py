"""The acquisition, market-swap and ledger pages as their users work them."""
import io

from sqlalchemy import select

from housing_swap.db.models import (
    AcquisitionStatus,
    LedgerReversalRequest,
    MarketSwap,
    MarketSwapStatus,
    OrganizationKind,
    Role,
)
from housing_swap.extensions import db
from housing_swap.services import acquisitions, ledger
from tests.acquisitions.helpers import PDF, TODAY, Cast, contract_file, drive_to, swap_fields
from tests.acquisitions.test_acquisition_steps import net_count
from tests.factories import valid_id_number
from tests.matching.helpers import application_fields


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_an_officer_takes_in_from_the_queue_and_works_the_steps(client, make, login):
    cast = Cast(make)
    login(cast.officer.username)
    queue = client.get("/city-group/queue?status=waiting")
    assert queue.status_code == 200
    assert f"申请{cast.application.id}" in text_of(queue)
    assert f"申请{cast.application.id}" not in text_of(client.get("/city-group/queue?district=410122"))
    taken = client.post(f"/city-group/queue/{cast.application.id}/take-in")
    assert taken.status_code == 302
    acquisition_id = int(taken.headers["Location"].rsplit("/", 1)[-1])
    page = text_of(client.get(f"/acquisitions/{acquisition_id}"))
    assert "下一步：安排查勘" in page
    assert "评估机构" in page
    missing = client.post(f"/acquisitions/{acquisition_id}/steps/inspection_scheduled", data={"inspection_on": ""})
    assert missing.status_code == 422
    assert "查勘日期为必填项" in text_of(missing)
    done = client.post(f"/acquisitions/{acquisition_id}/steps/inspection_scheduled", data={
        "inspection_on": TODAY.isoformat(), "appraiser_org_id": str(cast.appraiser.organization_id)})
    assert done.status_code == 302
    assert db.session.get(type(cast.application), cast.application.id).status.value == "in_progress"
    early = client.post(f"/acquisitions/{acquisition_id}/steps/offer_made", data={"offer_price": "900000"},
                        follow_redirects=True)
    assert "当前状态为“已安排查勘”，不能办理“已报价”" in text_of(early)
    assert acquisitions.acquisition_for_viewing(acquisition_id, cast.officer).status == \
        AcquisitionStatus.INSPECTION_SCHEDULED


def test_the_appraiser_uploads_the_report_and_the_household_answers_the_offer(client, make, login):
    cast = Cast(make)
    acquisition = drive_to(cast, "inspection_scheduled")
    login(cast.appraiser.username)
    assert f"收购{acquisition.id}" in text_of(client.get("/acquisitions"))
    no_file = client.post(f"/acquisitions/{acquisition.id}/steps/appraised", data={
        "appraised_value": "1000000", "appraised_on": TODAY.isoformat()})
    assert no_file.status_code == 422
    assert "请上传评估报告" in text_of(no_file)
    uploaded = client.post(f"/acquisitions/{acquisition.id}/steps/appraised", data={
        "appraised_value": "1000000", "appraised_on": TODAY.isoformat(),
        "report": (io.BytesIO(PDF.content), "report.pdf")}, content_type="multipart/form-data")
    assert uploaded.status_code == 302
    client.post("/auth/logout")
    acquisitions.make_offer(acquisition.id, {"offer_price": "950000"}, cast.officer)
    login(cast.household.phone)
    application_page = text_of(client.get(f"/applications/{cast.application.id}"))
    assert "城发集团已报价 95万元" in application_page
    detail = text_of(client.get(f"/acquisitions/{acquisition.id}"))
    assert "接受报价" in detail
    assert "评估报告" in detail
    accepted = client.post(f"/acquisitions/{acquisition.id}/accept", follow_redirects=True)
    assert "您已接受报价" in text_of(accepted)
    assert client.get("/city-group/queue").status_code == 403
    stranger = make.household()
    client.post("/auth/logout")
    login(stranger.phone)
    assert client.get(f"/acquisitions/{acquisition.id}").status_code == 404


def test_market_swap_pages_from_recording_to_the_ledger(client, make, login):
    agency = make.staff(Role.AGENCY_STAFF, organization=make.organization(OrganizationKind.AGENCY))
    household = make.household(id_number=valid_id_number(970))
    bureau = make.staff(Role.BUREAU_ADMIN)
    login(agency.username)
    form = {**swap_fields(application_fields()["certificate_number"], 70), "household_phone": household.phone}
    bad = client.post("/market-swaps/new", data={**form, "old_sale_price": "九十万"})
    assert bad.status_code == 422
    assert "旧房成交价（元）" in text_of(bad)
    recorded = client.post("/market-swaps/new", data=form)
    assert recorded.status_code == 302
    swap_id = int(recorded.headers["Location"].rsplit("/", 1)[-1])
    assert "王*" in text_of(client.get(f"/market-swaps/{swap_id}"))
    client.post("/auth/logout")
    login(bureau.username)
    assert f"交易{swap_id}" in text_of(client.get("/market-swaps"))
    upload = contract_file([("ESF-70", "900000", form["old_sale_on"])])
    checked = client.post("/bureau/contract-check", data={"file": (io.BytesIO(upload.content), upload.filename)},
                          content_type="multipart/form-data")
    assert "未找到备案 1 条" in text_of(checked)
    assert "新房购房合同WQ-70在备案文件中不存在" in text_of(checked)
    verified = client.post(f"/market-swaps/{swap_id}/verify", follow_redirects=True)
    assert "已核验并计入目标" in text_of(verified)
    assert net_count() == 1
    ledger_page = text_of(client.get("/bureau/ledger?channel=market"))
    assert f"交易{swap_id}" in ledger_page
    assert "计数 +1" in ledger_page
    assert "开始日期应为日期" in text_of(client.get("/bureau/ledger?from=someday"))
    entry_id = ledger.live_entry_for(market_swap_id=swap_id).id
    refused = client.post(f"/bureau/ledger/{entry_id}/reversal-requests", data={"reason": ""},
                          follow_redirects=True)
    assert "不少于10个字" in text_of(refused)
    assert net_count() == 1
    asked = client.post(f"/bureau/ledger/{entry_id}/reversal-requests", follow_redirects=True,
                        content_type="multipart/form-data",
                        data={"reason": "合同网签已撤销，买方已退房", "document": (io.BytesIO(PDF.content), "依据.pdf")})
    assert "须由另一位住房保障局工作人员复核" in text_of(asked)
    assert "等待另一位工作人员复核" in text_of(asked)
    request_id = db.session.scalar(select(LedgerReversalRequest.id))
    own = client.post(f"/bureau/ledger/reversal-requests/{request_id}/approve", follow_redirects=True)
    assert "申请人不能复核自己的撤销申请" in text_of(own)
    assert net_count() == 1
    assert "撤销申请待复核" in text_of(client.get("/bureau/ledger?channel=market"))
    client.post("/auth/logout")
    login(make.staff(Role.BUREAU_ADMIN).username)
    approved = client.post(f"/bureau/ledger/reversal-requests/{request_id}/approve", follow_redirects=True)
    assert "撤销记录已写入台账" in text_of(approved)
    assert net_count() == 0
    assert db.session.get(MarketSwap, swap_id).status == MarketSwapStatus.REVERSED
    ledger_page = text_of(client.get("/bureau/ledger?channel=market"))
    assert "已撤销" in ledger_page
    assert "申请撤销" not in ledger_page
    assert "经住房保障局双人复核撤销" in text_of(client.get(f"/market-swaps/{swap_id}"))
