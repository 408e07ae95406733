"""`Problem`: one thing wrong with an application — the field path, a Russian message naming the field, a code."""

from __future__ import annotations

from dataclasses import dataclass

#: Codes of problems, for API clients and tests (the message is for people).
REQUIRED = 'required'
FORMAT = 'format'
CHECK_DIGIT = 'check_digit'
TOO_LONG = 'too_long'
NOT_ALLOWED = 'not_allowed'
UNKNOWN = 'unknown'
DATE_ORDER = 'date_order'
PERIOD = 'period'
FILE_TYPE = 'file_type'
FILE_SIZE = 'file_size'
SIGNATURE = 'signature'
MISMATCH = 'mismatch'
SCHEMA = 'schema'
UNSAFE_XML = 'unsafe_xml'


@dataclass(frozen=True)
class Problem:
    """`field` is a dotted path ('applicant.passport.series', 'attachments.owner_consent', 'signatures.application');
    `message` names the field in «» and says the rule («Серия паспорта»: 4 цифры.)."""

    field: str
    message: str
    code: str = FORMAT

    def to_dict(self) -> dict[str, str]:
        return {'field': self.field, 'message': self.message, 'code': self.code}


def attachment_path(kind: str) -> str:
    return f'attachments.{kind}'


def signature_path(role: str) -> str:
    return f'signatures.{role}'
