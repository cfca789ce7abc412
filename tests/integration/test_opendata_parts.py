"""Open data put together from each grant's part: the files are the very files made whole from the same data, a
change recorded for an award makes only that award's part again, nothing failing the schema is ever kept, and the
nightly regeneration mends what no change recorded."""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.models import AwardStatus, OpenDataChange, OpenDataFile, OpenDataGrant, Return, ReturnStatus, ServiceArea
from portal.monitoring.returns import accept_return
from portal.opendata import files, lcpf_grants, performance, threesixty
from tests.factories_assessment import create_officer
from tests.factories_monitoring import award_returns, create_award
from tests.opendata_support import london_awards


def stored() -> dict[str, OpenDataFile]:
    db.session.expire_all()
    return {file.name: file for file in db.session.scalars(sa.select(OpenDataFile))}


def made_whole(generated_at: datetime) -> dict[str, str]:
    """The files as they are made from every published grant at once."""
    grants = threesixty.published_grants() + lcpf_grants.lcpf_grants()
    return {
        files.THREESIXTY_JSON: threesixty.package_json(grants, generated_at),
        files.THREESIXTY_CSV: threesixty.grants_csv(grants),
        files.PERFORMANCE_CSV: performance.rows_csv(performance.performance_rows()),
    }


def assert_files_are_made_whole() -> None:
    kept = stored()
    whole = made_whole(kept[files.THREESIXTY_JSON].generated_at)
    assert {name: file.body for name, file in kept.items()} == whole


def grant_titles() -> list[str]:
    return [grant["title"] for grant in json.loads(stored()[files.THREESIXTY_JSON].body)["grants"]]


def accepted(return_: Return) -> None:
    return_.status = ReturnStatus.SUBMITTED
    return_.spend_pence, return_.people_helped = 1_234_56, 12
    return_.submitted_at = return_.first_submitted_at = datetime(2025, 7, 20, 9, tzinfo=UTC)
    db.session.commit()
    accept_return(db.session.get(Return, return_.id), create_officer())


def recorded_change(award, **values) -> None:
    """Change an award, recording the change as ``published.changed(awards=[award.id])`` does (without queuing the
    job, which would make the files at once where jobs run inline)."""
    for name, value in values.items():
        setattr(award, name, value)
    db.session.add(OpenDataChange(award_id=award.id))
    db.session.commit()


def test_files_put_together_from_the_parts_are_byte_for_byte_the_files_made_whole():
    london = london_awards(with_schedule=True)
    # A line separator is a line break to str.splitlines, never to JSON: the parts must not split on it.
    london.witness_care.description = "Café support for witnesses,\u2028in court and after — “in person”."
    db.session.commit()
    accepted(award_returns(london.streets)[0])
    files.regenerate()
    assert_files_are_made_whole()
    assert stored()[files.PERFORMANCE_CSV].records == 1

    recorded_change(london.mothers, title="Peer support for bereaved families")
    files.refresh()
    assert_files_are_made_whole()

    # A grant with more boroughs than any before widens every row of the CSV.
    create_award(title="Across three boroughs", boroughs=("Hackney", "Camden", "Islington"), with_schedule=False)
    files.refresh()
    assert_files_are_made_whole()
    assert "Beneficiary Location:2:Name" in stored()[files.THREESIXTY_CSV].body


def test_a_change_recorded_for_an_award_makes_only_its_part_again_and_the_nightly_run_mends_the_rest():
    london = london_awards()
    files.regenerate()
    london.streets.title = "Renamed without saying so"  # no change recorded: only the full run sees it
    recorded_change(london.witness_care, title="Witness care across south London")

    assert files.refresh() == [files.THREESIXTY_JSON, files.THREESIXTY_CSV]
    assert "Witness care across south London" in grant_titles()
    assert "Renamed without saying so" not in grant_titles()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OpenDataChange)) == 0

    assert files.regenerate() == [files.THREESIXTY_JSON, files.THREESIXTY_CSV]
    assert "Renamed without saying so" in grant_titles()
    assert_files_are_made_whole()
    assert files.regenerate() == [] and files.refresh() == []


def test_an_accepted_return_changes_the_performance_file_alone():
    award = create_award(title="Safer streets after school")
    with time_machine.travel("2025-08-01 10:00:00+01:00", tick=False):
        files.regenerate()
    grants_made = stored()[files.THREESIXTY_JSON].generated_at

    with time_machine.travel("2025-08-02 10:00:00+01:00", tick=False):
        accepted(award_returns(award)[0])  # records the change for the award
        files.refresh()  # as the job queued does (at once, where jobs run inline)

    kept = stored()
    assert kept[files.THREESIXTY_JSON].generated_at == grants_made
    assert kept[files.PERFORMANCE_CSV].generated_at == datetime(2025, 8, 2, 9, tzinfo=UTC)
    assert kept[files.PERFORMANCE_CSV].records == 1


def test_awards_approved_or_taken_back_without_a_recorded_change_still_join_or_leave_the_files():
    london = london_awards()
    files.regenerate()
    create_award(title="Approved by a route that records nothing", with_schedule=False)
    london.mothers.status = AwardStatus.AWAITING_SECOND_APPROVAL
    db.session.commit()

    files.refresh()
    titles = grant_titles()
    assert "Approved by a route that records nothing" in titles
    assert "Peer support for bereaved mothers" not in titles
    assert db.session.scalar(sa.select(OpenDataGrant).where(OpenDataGrant.award_id == london.mothers.id)) is None
    assert_files_are_made_whole()


def test_a_changed_grant_that_fails_the_schema_is_never_kept_and_its_change_waits(monkeypatch):
    london = london_awards()
    files.regenerate()
    good = stored()[files.THREESIXTY_JSON].body
    made = threesixty.grant
    monkeypatch.setattr(
        threesixty, "grant", lambda award, evaluations=(): {**made(award, evaluations), "amountAwarded": "lots"}
    )
    recorded_change(london.council_award, title="Lewisham youth violence panel, renamed")

    with pytest.raises(files.InvalidOpenData, match="amountAwarded"):
        files.refresh()

    assert stored()[files.THREESIXTY_JSON].body == good
    assert "renamed" not in db.session.scalar(
        sa.select(OpenDataGrant.grant_json).where(OpenDataGrant.award_id == london.council_award.id)
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OpenDataChange)) == 1
    monkeypatch.setattr(threesixty, "grant", made)
    files.refresh()
    assert "Lewisham youth violence panel, renamed" in grant_titles()


def test_two_grants_with_one_id_are_never_stored_even_when_only_one_was_made_again():
    first = create_award(title="First", with_schedule=False)
    first.reference = "LCPF-2026/0001"
    db.session.commit()
    files.regenerate()
    good = stored()[files.THREESIXTY_JSON].body
    second = create_award(title="Second", with_schedule=False)
    second.reference = "LCPF-2026_0001"  # the same 360Giving id: "/" is written "_"
    db.session.commit()

    with pytest.raises(files.InvalidOpenData, match="used by another grant"):
        files.refresh()
    assert stored()[files.THREESIXTY_JSON].body == good


def test_an_organisation_renaming_itself_has_its_published_grants_made_again(run_jobs):
    from portal.organisations.services import OrganisationDetails, update_profile

    london = london_awards()
    files.regenerate()
    organisation = london.witness_care.organisation
    details = OrganisationDetails(
        name="South London Witness Care",
        organisation_type=organisation.organisation_type,
        address_line_1=organisation.address_line_1,
        address_line_2=organisation.address_line_2,
        town=organisation.town,
        postcode=organisation.postcode,
        charity_number=organisation.charity_number,
        company_number=organisation.company_number,
        works_pan_london=organisation.works_pan_london,
        borough_ids=tuple(la.id for la in organisation.boroughs_served),
    )

    update_profile(organisation, details, create_officer())
    run_jobs()

    names = {
        grant["recipientOrganization"][0]["name"]
        for grant in json.loads(stored()[files.THREESIXTY_JSON].body)["grants"]
    }
    assert "South London Witness Care" in names
    assert_files_are_made_whole()


def test_a_fund_renamed_by_an_officer_has_its_published_grants_made_again(run_jobs):
    from portal.rounds.services import FundDetails, update_fund

    london = london_awards()
    files.regenerate()
    fund = london.witness_care.fund
    details = FundDetails(
        "Victims' Fund 2026", fund.code, fund.purpose, tuple(fund.service_areas) or (ServiceArea.VICTIM_SUPPORT,)
    )

    update_fund(fund, details, actor=create_officer())
    run_jobs()

    assert "Victims' Fund 2026" in stored()[files.THREESIXTY_JSON].body
    assert_files_are_made_whole()
