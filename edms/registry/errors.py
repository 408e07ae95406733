"""Errors of the registry, each with a code and a Russian message for the clerk."""

from __future__ import annotations

from edms.core.errors import Conflict, DomainError, NotFound, ValidationFailed


class CardNotFound(NotFound):
    code = 'card_not_found'
    message = 'Регистрационная карточка не найдена.'


class AttachmentNotFound(NotFound):
    code = 'attachment_not_found'
    message = 'Вложение не найдено.'


class CardStateConflict(Conflict):
    code = 'card_state_conflict'


class JournalMissing(DomainError):
    """No journal is set up for the organization, kind and year; an administrator must create one."""

    code = 'journal_missing'
    status = 409
    message = 'Не настроен журнал регистрации для этого вида документов и года. Обратитесь к администратору.'


class NumberTooLong(Conflict):
    code = 'number_too_long'
    message = 'Регистрационный номер превышает 31 символ (ограничение МЭДО); измените шаблон журнала.'


class PossibleDuplicate(DomainError):
    """The same incoming document (correspondent, sender's number and date) is already registered."""

    code = 'possible_duplicate'
    status = 409

    def __init__(self, existing: list[tuple[int, str | None]]) -> None:
        numbers = ', '.join(number or f'черновик #{card_id}' for card_id, number in existing)
        super().__init__(
            f'Документ с этим корреспондентом, исходящим номером и датой уже зарегистрирован: {numbers}. '
            'Подтвердите повторную регистрацию, если это другой документ.'
        )
        self.existing = existing


class FileRefused(ValidationFailed):
    code = 'file_refused'


class NumberTaken(Conflict):
    """The journal's next number already belongs to a card of the same year (imported from another system)."""

    code = 'number_taken'

    def __init__(self, number: str) -> None:
        super().__init__(
            f'Номер {number} уже присвоен карточке этого года (загруженной из другой системы). '
            'Администратор должен перевести счётчик журнала дальше импортированных номеров.'
        )


class AppealNotApplicable(Conflict):
    code = 'appeal_not_applicable'
    message = 'Продление срока по ст. 12 ч. 2 59-ФЗ возможно только для зарегистрированного обращения гражданина.'


class AppealAlreadyExtended(Conflict):
    code = 'appeal_already_extended'
    message = 'Срок рассмотрения обращения уже продлевался: ст. 12 ч. 2 59-ФЗ допускает продление только один раз.'


class AppealDeadlinePassed(Conflict):
    code = 'appeal_deadline_passed'
    message = 'Срок ответа на обращение истёк: продлить его можно только до истечения.'
