"""The reservation pages as the three parties use them: the household reserves a matched unit,
developer and agency accept on the agreement page, the household ends it; bad input is answered
beside the field and writes nothing."""
import re
from datetime import timedelta

from housing_swap.db.models import ReservationStatus, Role, UnitStatus
from housing_swap.domain.reservations import Move
from housing_swap.extensions import db
from housing_swap.services import reservations
from housing_swap.services.exports import export_tables
from housing_swap.services.progress import parse_progress_filters
from tests.acquisitions.helpers import TODAY
from tests.test_api import bearer, issue

from .helpers import active_reservation, parties


def test_a_household_reserves_a_matched_unit_and_the_other_parties_accept(make, client, login):
    cast = parties(make)
    login(cast.household.phone)
    detail = client.get(f"/applications/{cast.application.id}").get_data(as_text=True)
    assert f"/reservations/new?application_id={cast.application.id}&amp;unit_id={cast.unit.id}" in detail
    assert "城发集团保底收购价（参考）" in detail
    form = client.get(f"/reservations/new?application_id={cast.application.id}&unit_id={cast.unit.id}")
    page = form.get_data(as_text=True)
    assert "保留<strong>60天</strong>" in page
    assert cast.agency.name in page
    created = client.post("/reservations/new", data={**cast.proposal(), "deposit": "2万"}, follow_redirects=True)
    page = created.get_data(as_text=True)
    assert "锁房保留协议已提出" in page
    assert "20,000元" in page
    reservation = reservations.holding_of(cast.application.id)
    assert reservation.deposit == 20_000
    client.post("/auth/logout")
    for party in (cast.developer, cast.agent):
        login(party.username)
        answer = client.post(f"/reservations/{reservation.id}/accept", follow_redirects=True).get_data(as_text=True)
        assert "已确认锁房保留协议" in answer
        client.post("/auth/logout")
    db.session.refresh(reservation)
    assert reservation.status == ReservationStatus.ACTIVE
    login(cast.agent.username)
    listed = client.get("/reservations?status=active").get_data(as_text=True)
    assert f"/reservations/{reservation.id}" in listed
    client.post("/auth/logout")
    login(cast.household.phone)
    page = client.get(f"/reservations/{reservation.id}").get_data(as_text=True)
    assert "提前结束并退还定金" in page
    assert "转由城发集团收购旧房" in page
    ended = client.post(f"/reservations/{reservation.id}/end", data={"note": "不换了"}, follow_redirects=True)
    assert "保留已提前结束" in ended.get_data(as_text=True)
    db.session.refresh(cast.unit)
    assert cast.unit.status == UnitStatus.AVAILABLE


def test_bad_input_is_answered_beside_the_field(make, client, login):
    cast = parties(make)
    login(cast.household.phone)
    refused = client.post("/reservations/new", data={**cast.proposal(), "deposit": "９９９９９９９",
                                                     "accept_terms": ""})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "定金不能高于50,000元" in page         # the rule's bound, told with the other problems
    assert "同意三方协议条款为必填项" in page
    assert reservations.holding_of(cast.application.id) is None
    assert client.get(f"/reservations/new?application_id={cast.application.id}&unit_id=abc").status_code == 404


def test_a_refusal_on_the_agreement_page_is_a_message_not_an_error_page(make, client, login):
    cast = parties(make)
    reservation = reservations.propose(cast.proposal(), cast.household)
    db.session.commit()
    login(cast.household.phone)
    answer = client.post(f"/reservations/{reservation.id}/end", follow_redirects=True)
    assert answer.status_code == 200
    assert "不能提前结束并退还定金" in answer.get_data(as_text=True)
    assert client.get("/reservations/999999").status_code == 404


def reservations_by_district_and_channel(make):
    """An active hold in 金水区 and one in 中原区 turned to the city group."""
    active_reservation(parties(make))
    turned = parties(make, district="410102")
    reservations.act(active_reservation(turned).id, Move.CITY_GROUP, turned.household)
    db.session.commit()


def table_rows(section: str, caption: str) -> dict[str, dict[str, int]]:
    """A dashboard table as {row heading: {column heading: count}}."""
    table = section[section.index(f"<caption>{caption}</caption>"):]
    table = table[:table.index("</table>")]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', table)[1:]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)
    return {name: dict(zip(headers, (int(n) for n in re.findall(r"<td>(\d+)</td>", cells)), strict=True))
            for name, cells in rows}


def test_the_dashboard_counts_reservations_by_state_channel_and_district(make, client, login):
    reservations_by_district_and_channel(make)
    login(make.staff(Role.BUREAU_ADMIN).username)
    page = client.get("/bureau/dashboard").get_data(as_text=True)
    section = page[page.index('id="reservations-title"'):page.index('id="timeliness-title"')]
    by_state = table_rows(section, "按状态")
    assert (by_state["合计"]["保留中"], by_state["合计"]["转城发集团收购"]) == (1, 1)
    assert by_state["市场交易"]["保留中"] == 1
    assert sum(by_state["市场交易"].values()) == 1
    assert by_state["城发集团收购"]["转城发集团收购"] == 1
    assert sum(by_state["城发集团收购"].values()) == 1
    by_district = table_rows(section, "按旧房所在区县")
    assert {name: sum(row.values()) for name, row in by_district.items()} == {"中原区": 1, "金水区": 1}
    filtered = client.get("/bureau/dashboard?district=中原区").get_data(as_text=True)
    section = filtered[filtered.index('id="reservations-title"'):filtered.index('id="timeliness-title"')]
    assert table_rows(section, "按状态")["合计"] == {**dict.fromkeys(table_rows(section, "按状态")["合计"], 0),
                                                   "转城发集团收购": 1}


def test_the_api_and_the_workbook_count_as_the_dashboard(make, client):
    reservations_by_district_and_channel(make)
    bureau = make.staff(Role.BUREAU_ADMIN)
    token = bearer(issue(client, bureau.username).get_json()["token"])
    body = client.get(f"/api/v1/reservation-counts?program_year={TODAY.year}", headers=token).get_json()
    assert body["counts"]["active"] == {"label": "保留中", "count": 1}
    assert sum(item["count"] for item in body["counts"].values()) == 2
    assert [(d["name"], d["counts"]["city_group"]["count"]) for d in body["by_district"]] == [("中原区", 1),
                                                                                           ("金水区", 0)]
    assert body["by_channel"]["market"]["active"]["count"] == 1
    market = client.get(f"/api/v1/reservation-counts?program_year={TODAY.year}&channel=market&district=410105",
                        headers=token).get_json()
    assert sum(item["count"] for item in market["counts"].values()) == 1
    later = client.get(f"/api/v1/reservation-counts?program_year={TODAY.year}&from={TODAY + timedelta(days=1)}",
                       headers=token).get_json()
    assert sum(item["count"] for item in later["counts"].values()) == 0
    sheet = export_tables(parse_progress_filters({"program_year": str(TODAY.year)}), bureau, 14).frames["reservations"]
    assert sheet.set_index("分组").loc["合计", "转城发集团收购"] == body["counts"]["city_group"]["count"]
    assert sheet.set_index("分组").loc["中原区"].sum() == 1
    for bad in ("program_year=1999", "", f"program_year={TODAY.year}&district=火星区",
                f"program_year={TODAY.year}&channel=both"):
        assert client.get(f"/api/v1/reservation-counts?{bad}", headers=token).status_code == 422
