"""Attachment rules: the slots a service has (passport page, lease, owner's consent…), which are required (always or
under a condition), the allowed content types detected from the bytes, and the size limit of each file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from edms.citizen_services.rules.facts import AttachmentFile
from edms.citizen_services.rules.problems import FILE_SIZE, FILE_TYPE, REQUIRED, UNKNOWN, Problem, attachment_path
from edms.citizen_services.rules.readers import quoted
from edms.citizen_services.rules.situation import Requirement, Situation, applies, when_text
from edms.core.filetypes import JPEG, PDF, PNG, XML

#: The seeds' rule for applicants' files: PDF, JPG or PNG, at most 5 MB each.
DEFAULT_TYPES: frozenset[str] = frozenset({PDF, JPEG, PNG})
MAX_ATTACHMENT_SIZE = 5 * 1024 * 1024
TYPE_NAMES = {PDF: 'PDF', JPEG: 'JPG', PNG: 'PNG', XML: 'XML'}


@dataclass(frozen=True)
class AttachmentSpec:
    """One slot of files: `kind` is its code, `label` its Russian name; several files may fill one slot."""

    kind: str
    label: str
    required: Requirement = True


def check_attachments(
    specs: Iterable[AttachmentSpec],
    files: Iterable[AttachmentFile],
    situation: Situation,
    *,
    allowed_types: frozenset[str] = DEFAULT_TYPES,
    max_size: int = MAX_ATTACHMENT_SIZE,
) -> list[Problem]:
    """Every problem of the files: an unknown slot, a wrong type, an empty or too large file, a missing slot."""
    slots = {spec.kind: spec for spec in specs}
    files = list(files)
    problems: list[Problem] = []
    for file in files:
        spec = slots.get(file.kind)
        if spec is None:
            message = f'Файл «{file.filename}»: неизвестный вид вложения «{file.kind}».'
            problems.append(Problem(attachment_path(file.kind), message, UNKNOWN))
            continue
        problems.extend(file_problems(spec, file, allowed_types, max_size))
    given = {file.kind for file in files}
    for spec in slots.values():
        if spec.kind not in given and applies(spec.required, situation):
            message = f'{quoted(spec.label)}: приложите файл{when_text(spec.required)}.'
            problems.append(Problem(attachment_path(spec.kind), message, REQUIRED))
    return problems


def file_problems(spec: AttachmentSpec, file: AttachmentFile, allowed: frozenset[str], max_size: int) -> list[Problem]:
    """The problems of one file in its slot: empty, of a type not allowed, larger than `max_size`."""
    path, name = attachment_path(spec.kind), f'{quoted(spec.label)} (файл «{file.filename}»)'
    if file.size == 0:
        return [Problem(path, f'{name}: файл пустой.', FILE_SIZE)]
    problems = []
    if file.content_type not in allowed:
        formats = ', '.join(sorted(TYPE_NAMES.get(ctype, ctype) for ctype in allowed))
        problems.append(Problem(path, f'{name}: недопустимый тип файла, допустимы {formats}.', FILE_TYPE))
    if file.size > max_size:
        limit = f'{max_size / (1024 * 1024):g}'
        problems.append(Problem(path, f'{name}: размер больше {limit} МБ.', FILE_SIZE))
    return problems
