"""What the packet and notice writers share: namespaces, our XSDs, building qualified XML, the schema check of what
is emitted, and the limit checks that refuse input with Russian per-field messages before anything is built.

Everything emitted is validated: against our 2.7.1 XSDs in schemas/medo/ (always), against the public IEDMS 2.6 XSD
for classic notices (when it is present, see `notices.iedms26_schema_path`). A violation is `PacketBuildError` — a
bug in the writer, never a packet to send. Limits (FORMAT.md §2, §11): registration numbers 1..31 characters,
organizations and other values 1..511, comments 1..2047, annotations and texts 1..4000; no empty or blank values;
no characters XML 1.0 cannot carry.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from lxml import etree

from edms.core.clock import to_local
from edms.core.errors import FieldErrors
from edms.core.xml import load_schema, schema_errors
from edms.paths import ROOT

NS_MESSAGE = 'urn:IEDMS:MESSAGE'
NS_CONTAINER = 'urn:IEDMS:CONTAINER'
NS_CLASSIC = 'http://www.infpres.com/IEDMS'
VERSION_271 = '2.7.1'
SCHEMA_DIR = ROOT / 'schemas' / 'medo'
MESSAGE_XSD = SCHEMA_DIR / 'message-2.7.1.xsd'
CONTAINER_XSD = SCHEMA_DIR / 'container-2.7.1.xsd'

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
MAX_NUMBER = 31
MAX_VALUE = 511
MAX_COMMENT = 2047
MAX_TEXT = 4000
MAX_FILE_NAME = 255

#: characters XML 1.0 cannot carry (C0 controls other than tab/LF/CR, surrogates, U+FFFE/U+FFFF)
_NOT_XML = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


class PacketBuildError(RuntimeError):
    """An emitted message, passport or notice violates its schema: a bug in the writer; nothing may be sent."""


class Xml:
    """Builds elements of one namespace with one prefix; attributes are qualified too (as every real file has)."""

    def __init__(self, namespace: str, prefix: str) -> None:
        self.namespace = namespace
        self.prefix = prefix

    def root(self, name: str, **attributes: str) -> etree._Element:
        element = etree.Element(self.tag(name), nsmap={self.prefix: self.namespace})
        self._set(element, attributes)
        return element

    def add(self, parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
        """A child `name` of `parent` with `text` and qualified `attributes` (None values left out)."""
        element = etree.SubElement(parent, self.tag(name))
        if text is not None:
            element.text = text
        self._set(element, attributes)
        return element

    def add_if(self, parent: etree._Element, name: str, text: str | None) -> None:
        """A child only when `text` is given (the rule: no empty elements)."""
        if text:
            self.add(parent, name, text)

    def tag(self, name: str) -> str:
        return f'{{{self.namespace}}}{name}'

    def _set(self, element: etree._Element, attributes: dict[str, str | None]) -> None:
        for name, value in attributes.items():
            if value is not None:
                element.set(self.tag(name), value)


def to_bytes(root: etree._Element) -> bytes:
    """UTF-8 with the declaration 2.7.1 requires, written exactly: `<?xml version="1.0" encoding="UTF-8"?>`."""
    return XML_DECLARATION + etree.tostring(root, encoding='UTF-8')


def ensure_valid(root: etree._Element, schema_path: Path | str, what: str) -> None:
    """PacketBuildError when `root` violates the XSD at `schema_path`."""
    errors = schema_errors(load_schema(str(schema_path)), root)
    if errors:
        raise PacketBuildError(f'{what} does not validate against {Path(schema_path).name}: {"; ".join(errors)}')


def moment(value: datetime) -> str:
    """xs:dateTime in the agency's time zone with its offset, whole seconds («2023-06-22T12:35:58+03:00», as real
    packets write it); naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError('МЭДО timestamps must be timezone-aware')
    return to_local(value).replace(microsecond=0).isoformat()


def require_aware(*values: datetime) -> None:
    """ValueError for a naive datetime (a programming error: every МЭДО timestamp carries its offset)."""
    for value in values:
        moment(value)


def collapse(value: str) -> str:
    """One-line form of a value: white space runs become one space, none at the ends (xs:token)."""
    return ' '.join(value.split())


def characters(count: int) -> str:
    """«символа»/«символов» after «не длиннее N»."""
    return 'символа' if count % 10 == 1 and count % 100 != 11 else 'символов'


class Checks:
    """Collects the per-field refusals of one input; `done()` raises ValidationFailed with all of them."""

    def __init__(self) -> None:
        self.errors = FieldErrors()

    def line(self, field: str, title: str, value: str | None, limit: int = MAX_VALUE, *, required: bool = True) -> None:
        """A one-line value (white space collapsed when written): required unless told, at most `limit` long."""
        self._check(field, title, None if value is None else collapse(value), limit, required)

    def text(self, field: str, title: str, value: str | None, limit: int = MAX_TEXT, *, required: bool = True) -> None:
        """A text value (line breaks kept, ends stripped when written)."""
        self._check(field, title, None if value is None else value.strip(), limit, required)

    def number(self, field: str, title: str, value: str | None) -> None:
        """A registration number: 1..31 characters (xs:token of the IEDMS documentNumber)."""
        self.line(field, title, value, MAX_NUMBER)

    def rule(self, field: str, ok: bool, message: str) -> None:
        if not ok:
            self.errors.add(field, message)

    def done(self) -> None:
        self.errors.raise_if_any()

    def _check(self, field: str, title: str, value: str | None, limit: int, required: bool) -> None:
        if not value:
            if required:
                self.errors.add(field, f'«{title}»: обязательное поле, не может быть пустым.')
            return
        if _NOT_XML.search(value):
            self.errors.add(field, f'«{title}»: содержит недопустимые управляющие символы.')
        elif len(value) > limit:
            self.errors.add(field, f'«{title}»: не длиннее {limit} {characters(limit)} (сейчас {len(value)}).')
