"""Registration number templates: parsing, rendering and the МЭДО 31-character limit.

Placeholders: `{seq}` (the journal's sequence number, optionally zero-padded as `{seq:05d}`), `{yy}` and `{yyyy}`
(the registration year), `{dept}` (the code of the registering department), `{mm}` (month). Any other brace is an
error, so that a template can never run arbitrary formatting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MAX_NUMBER_LENGTH = 31
_PLACEHOLDER = re.compile(r'\{(seq|yy|yyyy|mm|dept)(?::(0[1-9]d|[1-9]d))?\}')
#: Longest sequence number considered when a template is checked (a journal of ten million documents a year).
_LONGEST_SEQ = 9_999_999


@dataclass(frozen=True)
class NumberParts:
    """Values substituted into a template."""

    seq: int
    reg_date: date
    dept: str = ''


def template_problem(template: str, longest_dept: str = '') -> str | None:
    """A Russian message when the template is malformed or can produce a number over 31 characters."""
    if not template:
        return '«Шаблон номера»: обязательное поле.'
    if '{seq' not in template:
        return '«Шаблон номера»: должен содержать {seq} — порядковый номер.'
    rest = _PLACEHOLDER.sub('', template)
    if '{' in rest or '}' in rest:
        return '«Шаблон номера»: допустимы только {seq}, {seq:05d}, {yy}, {yyyy}, {mm}, {dept}.'
    if '{dept}' in template and not longest_dept:
        longest_dept = 'X' * 4
    longest = render(template, NumberParts(_LONGEST_SEQ, date(2099, 12, 31), longest_dept))
    if len(longest) > MAX_NUMBER_LENGTH:
        return f'«Шаблон номера»: номер может достигать {len(longest)} символов, МЭДО допускает не более 31.'
    return None


def render(template: str, parts: NumberParts) -> str:
    """The registration number for the given parts."""

    def substitute(match: re.Match[str]) -> str:
        name, spec = match.group(1), match.group(2)
        if name == 'seq':
            return format(parts.seq, spec) if spec else str(parts.seq)
        if name == 'yy':
            return f'{parts.reg_date.year % 100:02d}'
        if name == 'yyyy':
            return str(parts.reg_date.year)
        if name == 'mm':
            return f'{parts.reg_date.month:02d}'
        return parts.dept

    return _PLACEHOLDER.sub(substitute, template)
