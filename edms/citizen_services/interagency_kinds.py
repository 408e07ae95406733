"""The kinds of data an agency requests from another one (210-ФЗ art. 7): a key, the words of the request, whom it is
about (read from the application) and whether the responding agency answers from a register without an official.

A service's `InteragencyNeed` names its kind (`kind='egrul'`); a kind not listed here is 'other', answered by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from edms.citizen_services.catalogue.definition import InteragencyNeed
from edms.citizen_services.rules.fields import flatten as flatten_fields

#: 5 working days from the day the request reached the responding agency (210-ФЗ art. 7.2 part 3).
ANSWER_DAYS = 5
ANSWER_BASIS = 'срок ответа на межведомственный запрос (ч. 3 ст. 7.2 Федерального закона № 210-ФЗ)'
DEFAULT_LEGAL_BASIS = 'ст. 7, 7.2 Федерального закона от 27.07.2010 № 210-ФЗ'


@dataclass(frozen=True)
class DataKind:
    key: str
    title: str
    #: Parameters of the subject by the application's field path ('ogrn' ← 'organization.ogrn'); empty: the
    #: applicant's name, СНИЛС and ИНН.
    subject_paths: tuple[tuple[str, str], ...] = ()
    #: Answered from the responding agency's register without an official.
    automatic: bool = False


DATA_KINDS: dict[str, DataKind] = {
    kind.key: kind
    for kind in (
        DataKind(
            'egrul',
            'Сведения о юридическом лице из ЕГРЮЛ',
            (('ogrn', 'organization.ogrn'), ('inn', 'organization.inn'), ('name', 'organization.name')),
            automatic=True,
        ),
        DataKind('egrn', 'Выписка из ЕГРН об объекте недвижимости'),
        DataKind('passport', 'Сведения о действительности паспорта гражданина Российской Федерации'),
        DataKind('other', 'Иные сведения, находящиеся в распоряжении ведомства'),
    )
}
SUBJECT_LABELS = {'ogrn': 'ОГРН', 'inn': 'ИНН', 'name': 'Наименование / ФИО', 'snils': 'СНИЛС'}


def kind_of_need(need: InteragencyNeed) -> DataKind:
    return DATA_KINDS.get(need.kind, DATA_KINDS['other'])


def flatten(values: Mapping[str, Any], prefix: str = '') -> dict[str, str]:
    """Nested values as {dotted path: text}, empty ones left out."""
    return {path: str(value) for path, value in flatten_fields(values, prefix).items() if value not in (None, '')}
