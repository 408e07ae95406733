"""The catalogue: the three services of the seeds, their data, consistency with their XSDs, and a fourth service
registered here that the generic code (check, XML, deadlines) serves without a change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from edms.citizen_services.catalogue.deadlines import DeadlinePlan, Stage
from edms.citizen_services.catalogue.definition import (
    CLARIFICATION_REQUIRED,
    DONE,
    IN_PROGRESS,
    REFUSED,
    WORKFLOW_STATUSES,
    Channel,
    CompetentAgency,
    RefusalReason,
    ResultTemplate,
    ServiceDefinition,
    ServiceStatus,
)
from edms.citizen_services.catalogue.registry import all_services, catalogue, get_service
from edms.citizen_services.errors import UnknownService
from edms.citizen_services.results import LAYOUTS
from edms.citizen_services.rules import readers
from edms.citizen_services.rules.attachments import AttachmentSpec
from edms.citizen_services.rules.fields import FieldSpec
from edms.citizen_services.validation import check_application
from edms.citizen_services.xml_forms import parse_application_xml
from edms.citizen_services.xsd_messages import schema_outline
from edms.core.calendar import BusinessCalendar, shipped_data
from edms.directory.models import OrganizationKind
from tests.citizen_services.samples import TODAY, pdf

CODES = ['legal_entity_cabinet', 'temporary_registration', 'taxpayer_cabinet']


def test_three_services_of_the_seeds_are_registered() -> None:
    assert [service.code for service in all_services()] == CODES
    assert {service.agency.key for service in all_services()} == {'portal_operator', 'migration', 'tax'}


def test_unknown_service_is_a_404() -> None:
    with pytest.raises(UnknownService) as caught:
        get_service('passport_replacement')
    assert caught.value.status == 404


@pytest.mark.parametrize('code', CODES)
def test_every_service_names_the_workflow_statuses_and_has_reasons_and_a_result(code: str) -> None:
    service = get_service(code)
    labels = {status.code: status.label for status in service.statuses}
    assert set(labels) == set(WORKFLOW_STATUSES)
    assert (labels[IN_PROGRESS], labels[CLARIFICATION_REQUIRED]) == ('В обработке', 'Требуется уточнение')
    assert [status.code for status in service.statuses if status.final] == [DONE, REFUSED]
    assert len(service.refusal_reasons) >= 4
    assert service.result.layout in LAYOUTS, 'the result is rendered in a layout that exists'


@pytest.mark.parametrize('code', CODES)
def test_xsd_elements_are_the_fields_and_their_groups(code: str) -> None:
    service = get_service(code)
    outline = schema_outline(service.schema_path)
    groups = {path for path in outline if any(other.startswith(f'{path}.') for other in outline)}
    assert set(outline) - groups == {spec.path for spec in service.fields}
    assert groups <= set(service.labels)


def test_temporary_registration_data_of_the_seed() -> None:
    service = get_service('temporary_registration')
    assert service.result.title == 'Свидетельство о регистрации по месту пребывания'
    assert (service.agency.key, service.agency.organization_kind) == ('migration', OrganizationKind.agency)
    assert (service.deadlines.max_total, service.deadlines.clarification_days) == (5, 2)
    assert [(stage.min_days, stage.max_days) for stage in service.deadlines.stages] == [(1, 3), (1, 1)]
    assert [service.status(code).label for code in (DONE, CLARIFICATION_REQUIRED)] == [
        'Одобрено',
        'Требуется уточнение',
    ]


def test_legal_entity_registry_comparison_is_an_interagency_request_to_the_tax_service() -> None:
    [need] = get_service('legal_entity_cabinet').interagency
    assert need.agency == 'tax'
    assert {'organization.ogrn', 'organization.inn', 'organization.kpp', 'head.last_name'} <= set(need.compared_fields)


def test_inconsistent_definition_is_refused_when_created() -> None:
    with pytest.raises(ValueError, match='statuses lack'):
        pet_licence(statuses=(ServiceStatus(IN_PROGRESS, 'В обработке'),))


def test_taken_code_is_refused() -> None:
    with pytest.raises(ValueError, match='already registered'):
        catalogue.register(get_service('taxpayer_cabinet'))


# --- a fourth service -----------------------------------------------------------------------------------------

PET_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:edms:citizen-services:pet_licence"
           elementFormDefault="qualified">
  <xs:element name="application">
    <xs:complexType><xs:all>
      <xs:element name="pet_name"><xs:simpleType><xs:restriction base="xs:string">
        <xs:maxLength value="40"/></xs:restriction></xs:simpleType></xs:element>
      <xs:element name="birth_date" type="xs:date"/>
    </xs:all></xs:complexType>
  </xs:element>
</xs:schema>
"""


def pet_licence(schema_file: Path | None = None, **changes: object) -> ServiceDefinition:
    values: dict[str, object] = {
        'code': 'pet_licence',
        'title': 'Регистрация домашнего животного',
        'document_kind': 'Заявление о регистрации домашнего животного',
        'agency': CompetentAgency('veterinary', 'Ветеринарная служба', OrganizationKind.agency),
        'fields': (
            FieldSpec('pet_name', 'Кличка', readers.person_name),
            FieldSpec('birth_date', 'Дата рождения животного', readers.ru_date),
        ),
        'attachments': (AttachmentSpec('photo', 'Фотография животного'),),
        'deadlines': DeadlinePlan(stages=(Stage('review', 'Рассмотрение', 1, 2),), max_total=3),
        'statuses': (
            ServiceStatus(IN_PROGRESS, 'В обработке'),
            ServiceStatus(CLARIFICATION_REQUIRED, 'Требуется уточнение'),
            ServiceStatus(DONE, 'Зарегистрировано', final=True),
            ServiceStatus(REFUSED, 'Отказано', final=True),
        ),
        'refusal_reasons': (RefusalReason('not_a_pet', 'Животное не относится к домашним'),),
        'result': ResultTemplate('Свидетельство о регистрации животного'),
        'channels': frozenset({Channel.portal, Channel.xml_upload}),
        'schema_file': schema_file,
    }
    values.update(changes)
    return ServiceDefinition(**values)  # type: ignore[arg-type]


@pytest.fixture
def fourth_service(tmp_path: Path) -> Iterator[ServiceDefinition]:
    schema = tmp_path / 'pet_licence.xsd'
    schema.write_text(PET_XSD, encoding='utf-8')
    service = catalogue.register(pet_licence(schema))
    yield service
    catalogue.unregister(service.code)


def test_fourth_service_is_served_by_its_code_without_workflow_change(fourth_service: ServiceDefinition) -> None:
    assert get_service('pet_licence') is fourth_service
    bad = check_application('pet_licence', {'pet_name': 'Шарик1'}, today=TODAY)
    assert [problem.field for problem in bad.problems] == ['pet_name', 'birth_date', 'attachments.photo']

    xml = (
        '<application xmlns="urn:edms:citizen-services:pet_licence">'
        '<pet_name>Шарик</pet_name><birth_date>2025-05-01</birth_date></application>'
    ).encode()
    data = parse_application_xml('pet_licence', xml)
    checked = check_application('pet_licence', data, [pdf('photo')], today=TODAY)
    assert checked.ok
    assert checked.values == {'pet_name': 'Шарик', 'birth_date': date(2025, 5, 1)}

    calendar = BusinessCalendar(shipped_data())
    assert fourth_service.deadlines.deadline(calendar, date(2026, 3, 16)).date == date(2026, 3, 19)
    assert fourth_service.status(DONE).label == 'Зарегистрировано'


def test_reasons_of_stay_are_those_of_the_seed_and_offered_to_forms() -> None:
    [reason] = [spec for spec in get_service('temporary_registration').fields if spec.path == 'stay.reason']
    assert isinstance(reason.read, readers.Choice)
    assert reason.read.options == {'study': 'учёба', 'work': 'работа', 'treatment': 'лечение', 'other': 'другое'}
