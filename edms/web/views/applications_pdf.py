"""The application exported as a PDF for the applicant: A4, Russian, PT Sans embedded — the number, service and
status, the dates with their explanations, the clarification or refusal, the requisites by section, the documents
and the status history. Laid out with the shared page cursor (`edms.signatures.pdf_pages`), so the text stays
extractable (pdftotext, screen readers)."""

from __future__ import annotations

from collections.abc import Mapping

from edms.citizen_services.catalogue.definition import CHANNEL_LABELS, ServiceDefinition
from edms.citizen_services.models import Application, ApplicationEvent
from edms.core.clock import to_local
from edms.signatures.pdf_pages import PdfPages
from edms.web.views.applications_forms import ServiceForm


def application_pdf(application: Application, form: ServiceForm, shown: Mapping[str, str]) -> bytes:
    service = form.service
    pages = PdfPages(f'Заявление № {application.number}')
    pages.text(f'Заявление № {application.number}', bold=True, size=16, leading=22)
    pages.text(service.title, size=11)
    pages.pairs(_summary(application, service))
    if application.status == 'clarification_required' and application.clarification_text:
        pages.section('Требуется уточнение')
        pages.text(application.clarification_text)
    if application.refusal_reasons:
        pages.section('Причины отказа')
        for code in application.refusal_reasons:
            pages.text(f'— {service.refusal_reason(code).text}', indent=8)
        if application.refusal_comment:
            pages.text(application.refusal_comment)
    for section in form.sections:
        rows = [(widget.label, shown[widget.name]) for widget in section.widgets if shown.get(widget.name)]
        if rows:
            pages.section(section.title)
            pages.pairs(rows)
    pages.section('Документы')
    for row in application.current_files or ():
        pages.text(f'— {service.labels.get(f"attachments.{row.kind}", row.kind)}: {row.filename}', indent=8)
    if not application.current_files:
        pages.text('Документы не приложены.')
    pages.section('История')
    for event in application.events:
        comment = f' — {event.comment}' if event.comment else ''
        pages.text(f'{_moment(event)}: {service.status(event.to_status).label}{comment}')
    return pages.finish(f'МСЭД · заявление № {application.number}')


def _summary(application: Application, service: ServiceDefinition) -> list[tuple[str, str]]:
    return [
        ('Статус', service.status(application.status).label),
        ('Заявитель', application.applicant_name),
        ('Подано', f'{to_local(application.submitted_at):%d.%m.%Y %H:%M}'),
        ('Способ подачи', CHANNEL_LABELS[application.channel]),
        ('Ведомство', application.organization.name),
        ('Ожидаемый срок', f'{application.expected_date:%d.%m.%Y}. {application.expected_explanation}'),
        ('Срок предоставления услуги', f'{application.deadline:%d.%m.%Y}. {application.deadline_explanation}'),
    ]


def _moment(event: ApplicationEvent) -> str:
    return f'{to_local(event.at):%d.%m.%Y %H:%M}'
