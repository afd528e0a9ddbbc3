"""Given events, when a command, then events (or a refusal naming field and rule)."""

from datetime import UTC, date, datetime

import pytest

from contracts.registry_v1 import InstitutionKind, InstitutionRegistered, QualificationGranted
from ohts_kit.errors import Conflict, InvalidCommand
from services.registry.domain import institution, qualification
from services.registry.domain.commands import GrantQualification, RegisterInstitution
from services.registry.domain.uscc import make_uscc

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def register_cmd(**changes: object) -> RegisterInstitution:
    data: dict[str, object] = {
        "uscc": make_uscc("330106", "470000001"),
        "name": "浙江省职业病防治研究院检测中心",
        "address": "杭州市西湖区文三路100号",
        "legal_representative": "王建国",
        "nature": "事业单位",
        "kind": "occupational-health-service",
        "region_code": "330106",
    }
    data.update(changes)
    return RegisterInstitution.model_validate(data)


def registered(kind: str = "occupational-health-service") -> institution.Institution:
    events = institution.register(institution.Institution("inst-1"), register_cmd(kind=kind), NOW)
    return institution.fold("inst-1", events)


def grant_cmd(**changes: object) -> GrantQualification:
    data: dict[str, object] = {
        "institution_id": "inst-1",
        "certificate_number": "(浙)卫职技字(2026)第0001号",
        "kind": "occupational-health",
        "scope_codes": ["OH-01", "OH-04"],
        "valid_from": "2026-03-01",
        "valid_until": "2031-02-28",
    }
    data.update(changes)
    return GrantQualification.model_validate(data)


def test_register_records_the_institution() -> None:
    [event] = institution.register(institution.Institution("inst-1"), register_cmd(), NOW)
    assert isinstance(event, InstitutionRegistered)
    assert event.kind is InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE
    assert event.region_code == "330106"
    assert event.registered_at == NOW


def test_register_twice_is_a_conflict() -> None:
    with pytest.raises(Conflict):
        institution.register(registered(), register_cmd(), NOW)


def test_bad_uscc_and_region_are_both_named() -> None:
    with pytest.raises(InvalidCommand) as refused:
        institution.register(
            institution.Institution("inst-1"),
            register_cmd(uscc="91110000600037341M", region_code="339999"),
            NOW,
        )
    fields = {(v.field, v.rule) for v in refused.value.violations}
    assert fields == {("uscc", "GB 32100-2015 check character"), ("region_code", "GB/T 2260")}


def test_grant_records_certificate_scope_and_validity() -> None:
    [event] = qualification.grant(
        qualification.Qualification("q-1"), registered(), grant_cmd(), NOW, "浙江省卫生健康委员会"
    )
    assert isinstance(event, QualificationGranted)
    assert event.scope_codes == ["OH-01", "OH-04"]
    assert (event.valid_from, event.valid_until) == (date(2026, 3, 1), date(2031, 2, 28))
    assert qualification.fold("q-1", [event]).status is qualification.Status.GRANTED


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"valid_until": "2026-03-01"}, "valid_until", "after valid_from"),
        ({"scope_codes": ["OH-99"]}, "scope_codes.0", "known scope code"),
        ({"scope_codes": ["RH-01"]}, "scope_codes.0", "scope of the qualification kind"),
        ({"scope_codes": ["OH-01", "OH-01"]}, "scope_codes", "unique"),
    ],
)
def test_grant_refuses_bad_input(changes: dict[str, object], field: str, rule: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        qualification.grant(
            qualification.Qualification("q-1"), registered(), grant_cmd(**changes), NOW, "x"
        )
    assert (field, rule) in {(v.field, v.rule) for v in refused.value.violations}


def test_filed_institutions_are_not_granted_qualifications() -> None:
    with pytest.raises(InvalidCommand) as refused:
        qualification.grant(
            qualification.Qualification("q-1"),
            registered("health-examination"),
            grant_cmd(),
            NOW,
            "x",
        )
    assert refused.value.violations[0].rule == "licensed kind"


def test_grant_twice_is_a_conflict() -> None:
    events = qualification.grant(
        qualification.Qualification("q-1"), registered(), grant_cmd(), NOW, "x"
    )
    with pytest.raises(Conflict):
        qualification.grant(qualification.fold("q-1", events), registered(), grant_cmd(), NOW, "x")
