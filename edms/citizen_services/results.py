"""The result document of a service, rendered from the application's values as an A4 PDF in Russian (PT Sans
embedded, laid out on the signatures module's shared page cursor, text extractable), ready for the official's PAdES
signature with the visible mark, which `sign_pdf` puts at the bottom of the last page (the layout keeps that zone
free).

«Свидетельство о регистрации по месту пребывания» (temporary registration) carries its requisites: number, full
name, date of birth, identity document, address of stay, period from–to, the registration authority, the official
and the date of issue. The other services get an honest generic notice: what was applied for, by whom, the decision,
the application's values grouped as the service defines them. `grouped_values` is the same grouping for the pages.

«Уведомление об аннулировании…» (`annulment_notice`) is the signed notice of an annulled term-limited result, laid out
and rendered the same way.

No database and no Flask: the caller passes the application, its service and who issues the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.models import Application
from edms.citizen_services.rules.fields import flatten, value_at
from edms.citizen_services.rules.readers import Choice
from edms.core.clock import to_local
from edms.signatures.pdf_pages import GREY, Color, PdfPages

#: The bottom of the last page kept free for the signature mark (28 pt margin + the mark's ~75 pt + a gap).
STAMP_ZONE = 140.0
ISO_DATE = re.compile(r'\d{4}-\d{2}-\d{2}')
OTHER_GROUP = 'Сведения заявления'


@dataclass(frozen=True)
class Issuer:
    """Who issues the result: the agency's full name, the official's name, the date of issue."""

    authority: str
    official: str
    issued_on: date


@dataclass(frozen=True)
class ValueGroup:
    title: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ResultDocument:
    """What the PDF says: a heading, the number, lead paragraphs, label–value rows in groups, closing rows."""

    heading: str
    title: tuple[str, ...]
    number: str
    paragraphs: tuple[str, ...]
    groups: tuple[ValueGroup, ...]
    closing: tuple[tuple[str, str], ...]


def ru(value: date) -> str:
    return value.strftime('%d.%m.%Y')


def value_text(read: Any, value: Any) -> str:
    """A normalized value as a person reads it: a choice by its label, yes/no, a date ДД.ММ.ГГГГ."""
    if isinstance(read, Choice):
        return read.options.get(str(value), str(value))
    if isinstance(value, bool):
        return 'да' if value else 'нет'
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return ru(date.fromisoformat(value))
    return str(value)


def grouped_values(service: ServiceDefinition, values: Mapping[str, Any]) -> list[ValueGroup]:
    """The filled fields in the service's order, each under its closest group («Паспорт…», «Адрес пребывания»)."""
    flat, titles = flatten(values), dict(service.groups)
    groups: dict[str, list[tuple[str, str]]] = {}
    for spec in service.fields:
        value = flat.get(spec.path)
        if value is None or value == '':
            continue
        parts = spec.path.split('.')[:-1]
        key = next(
            ('.'.join(parts[:size]) for size in range(len(parts), 0, -1) if '.'.join(parts[:size]) in titles), ''
        )
        groups.setdefault(key, []).append((spec.label, value_text(spec.read, value)))
    return [ValueGroup(titles.get(key, OTHER_GROUP), tuple(rows)) for key, rows in groups.items()]


def result_document(service: ServiceDefinition, application: Application, issuer: Issuer) -> ResultDocument:
    """The result of `service` for the application, in the layout its definition names."""
    return LAYOUTS[service.result.layout](service, application, issuer)


def _day(values: Mapping[str, Any], path: str) -> str:
    value = value_at(values, path)
    return ru(date.fromisoformat(value)) if value else '—'


def person_name(values: Mapping[str, Any], prefix: str) -> str:
    parts = (value_at(values, f'{prefix}.{name}') for name in ('last_name', 'first_name', 'middle_name'))
    return ' '.join(part for part in parts if part)


def address_text(values: Mapping[str, Any], prefix: str) -> str:
    """«101000, г. Москва, Москва, ул. Мясницкая, д. 10, корп. 2, кв. 5»."""
    parts = [value_at(values, f'{prefix}.{name}') for name in ('postal_code', 'region', 'locality', 'street')]
    for name, word in (('house', 'д.'), ('building', 'корп.'), ('apartment', 'кв.')):
        value = value_at(values, f'{prefix}.{name}')
        parts.append(f'{word} {value}' if value else None)
    return ', '.join(part for part in parts if part)


def _identity_document(values: Mapping[str, Any]) -> str:
    if value_at(values, 'applicant.passport.number'):
        return (
            f'паспорт гражданина Российской Федерации, серия {value_at(values, "applicant.passport.series")} '
            f'№ {value_at(values, "applicant.passport.number")}, выдан {_day(values, "applicant.passport.issue_date")} '
            f'{value_at(values, "applicant.passport.issuer") or ""}'
        ).strip()
    document = 'applicant.foreign_document'
    series = value_at(values, f'{document}.series')
    return (
        f'{value_at(values, f"{document}.name")}{f", серия {series}" if series else ""} '
        f'№ {value_at(values, f"{document}.number")}, выдан {_day(values, f"{document}.issue_date")} '
        f'{value_at(values, f"{document}.issuer") or ""}'
    ).strip()


def _temporary_registration(service: ServiceDefinition, application: Application, issuer: Issuer) -> ResultDocument:
    """Свидетельство о регистрации по месту пребывания with the requisites of the official form."""
    values = application.values
    requisites = (
        ('Выдано', person_name(values, 'applicant')),
        ('Дата рождения', _day(values, 'applicant.birth_date')),
        ('Документ, удостоверяющий личность', _identity_document(values)),
        ('Адрес места пребывания', address_text(values, 'stay.address')),
        ('Срок регистрации', f'с {_day(values, "stay.start_date")} по {_day(values, "stay.end_date")}'),
    )
    lead = (
        f'{person_name(values, "applicant")} зарегистрирован(а) по месту пребывания по адресу: '
        f'{address_text(values, "stay.address")} на срок с {_day(values, "stay.start_date")} '
        f'по {_day(values, "stay.end_date")}.'
    )
    return ResultDocument(
        heading=issuer.authority,
        title=('СВИДЕТЕЛЬСТВО', 'о регистрации по месту пребывания'),
        number=f'№ {application.number}',
        paragraphs=(lead,),
        groups=(ValueGroup('', requisites),),
        closing=_closing(application, issuer, 'Орган регистрационного учёта'),
    )


def _generic(service: ServiceDefinition, application: Application, issuer: Issuer) -> ResultDocument:
    """The notice of a service without its own layout: the decision and the values the application gave."""
    lead = (
        f'По заявлению № {application.number} от {ru(to_local(application.submitted_at).date())} '
        f'(заявитель — {application.applicant_name}) услуга «{service.title}» предоставлена.'
    )
    return ResultDocument(
        heading=issuer.authority,
        title=(service.result.title.upper(),),
        number=f'№ {application.number}',
        paragraphs=(lead,),
        groups=tuple(grouped_values(service, application.values)),
        closing=_closing(application, issuer, 'Орган, предоставивший услугу'),
    )


def _closing(application: Application, issuer: Issuer, authority_label: str) -> tuple[tuple[str, str], ...]:
    return (
        (authority_label, issuer.authority),
        ('Основание', f'заявление № {application.number} от {ru(to_local(application.submitted_at).date())}'),
        ('Дата выдачи', ru(issuer.issued_on)),
        ('Должностное лицо', issuer.official),
    )


LAYOUTS: dict[str, Callable[[ServiceDefinition, Application, Issuer], ResultDocument]] = {
    'stay_certificate': _temporary_registration,
    'notice': _generic,
}
#: What the notice of an annulled result annuls, by the result's layout; another layout names its result's title.
ANNULLED = {'stay_certificate': 'регистрации по месту пребывания'}


@dataclass(frozen=True)
class Annulment:
    """What the official decided: the first day the result no longer holds, the reason's label, the comment."""

    annulled_on: date
    reason: str
    comment: str | None


def annulment_title(service: ServiceDefinition) -> str:
    """«Уведомление об аннулировании регистрации по месту пребывания» (the file's title on the card)."""
    return f'Уведомление об аннулировании {ANNULLED.get(service.result.layout, f"документа «{service.result.title}»")}'


def annulment_notice(
    service: ServiceDefinition, application: Application, issuer: Issuer, annulment: Annulment
) -> ResultDocument:
    """«Уведомление об аннулировании…» of the application's result: which result (number and date of issue), whose,
    for which address and period, from which day, why (the reason of the service's list and the comment), by whom."""
    values, stay = application.values, service.result.layout == 'stay_certificate'
    word, rest = annulment_title(service).split(' ', 1)
    issued = ru(to_local(application.decided_at).date()) if application.decided_at else '—'
    result = f'{service.result.title} № {application.number} от {issued}'
    name = person_name(values, 'applicant') if stay else application.applicant_name
    rows = [('Документ', result), ('Заявитель', name)]
    if stay:
        rows.append(('Адрес места пребывания', address_text(values, 'stay.address')))
    if application.valid_from and application.valid_until:
        rows.append(('Срок действия', f'с {ru(application.valid_from)} по {ru(application.valid_until)}'))
    rows += [
        ('Аннулировано с', ru(annulment.annulled_on)),
        ('Причина аннулирования', annulment.reason),
        ('Комментарий', annulment.comment or '—'),
    ]
    why = annulment.reason[:1].lower() + annulment.reason[1:]
    lead = f'{result} (заявитель — {name}) аннулировано с {ru(annulment.annulled_on)} по причине: {why}.'
    closing = (
        ('Орган, аннулировавший документ', issuer.authority),
        ('Дата уведомления', ru(issuer.issued_on)),
        ('Должностное лицо', issuer.official),
    )
    return ResultDocument(
        heading=issuer.authority,
        title=(word.upper(), rest),
        number=f'по заявлению № {application.number}',
        paragraphs=(lead,),
        groups=(ValueGroup('', tuple(rows)),),
        closing=closing,
    )


def render_result_pdf(document: ResultDocument) -> bytes:
    """The document as PDF bytes: one A4 page, more when the values need them; the mark's zone left free."""
    sheet = _Sheet(' '.join(document.title))
    sheet.centered(document.heading, size=10, color=GREY)
    sheet.gap(28)
    for line in document.title:
        sheet.centered(line, size=16 if line.isupper() else 13, bold=line.isupper())
    sheet.centered(document.number, size=12, bold=True)
    sheet.gap(18)
    for paragraph in document.paragraphs:
        sheet.paragraph(paragraph)
    for group in document.groups:
        if group.title:
            sheet.paragraph(group.title, bold=True)
        sheet.rows(group.rows)
    sheet.gap(10)
    sheet.rows(document.closing)
    return sheet.finish()


class _Sheet(PdfPages):
    """The shared page cursor with wider margins and the document's blocks: centred lines, paragraphs, value rows."""

    left, right, top, bottom = 64.0, 531.28, 790.0, 56.0
    label_width = 170.0

    def gap(self, height: float) -> None:
        self.y -= height

    def centered(self, text: str, *, size: float, bold: bool = False, color: Color | None = None) -> None:
        for line in self.lines(text, size=size, width=self.right - self.left, bold=bold):
            self.room(size * 1.4)
            self.y -= size * 1.4
            x = self.left + (self.right - self.left - self.fonts[bold].width(line, size)) / 2
            self.show(line, x=x, y=self.y, size=size, bold=bold, color=color)

    def paragraph(self, text: str, *, size: float = 11, bold: bool = False) -> None:
        for line in self.lines(text, size=size, width=self.right - self.left, bold=bold):
            self.room(size * 1.45)
            self.y -= size * 1.45
            self.show(line, x=self.left, y=self.y, size=size, bold=bold)
        self.y -= 8

    def rows(self, rows: tuple[tuple[str, str], ...], size: float = 10.5) -> None:
        """Label: value rows, each wrapped in its column, an empty value shown as a dash."""
        leading = size * 1.4
        for label, value in rows:
            labels = self.lines(f'{label}:', size=size, width=self.label_width - 10, bold=True)
            values = self.lines(value or '—', size=size, width=self.right - self.left - self.label_width)
            self.room(leading * max(len(labels), len(values)))
            top = self.y
            for lines, x, bold in ((labels, self.left, True), (values, self.left + self.label_width, False)):
                self.y = top
                for line in lines:
                    self.y -= leading
                    self.show(line, x=x, y=self.y, size=size, bold=bold, color=GREY if bold else None)
            self.y = top - leading * max(len(labels), len(values)) - 4
        self.y -= 8

    def finish(self, footer: str | None = None) -> bytes:
        """The PDF bytes, the bottom of the last page free for the signature mark (no footer: the mark goes there)."""
        if self.y < STAMP_ZONE:  # the mark goes on the last page's bottom: never over the text
            self.new_page()
            self.paragraph('Электронная подпись должностного лица — на этой странице.', size=10)
        return super().finish(footer)
