"""Applications uploaded as XML (the «КЭП-signed XML upload» channel): parsed only with the hardened parser of
`edms.core.xml`, validated against the service's XSD in schemas/services/<code>.xsd, turned into the same data
dict a form gives. The XSD checks the shape; `validation.check_application` then checks the meaning.

    data = parse_application_xml(service, xml_bytes)      # ApplicationInvalid naming each element otherwise
    checked = check_application(service, data, files, today=today, signatures=facts, channel='xml_upload')

Element names are the field paths' parts: <application><applicant><passport><series>4510</series>… is the field
'applicant.passport.series'. Dates are written as XML writes them (ГГГГ-ММ-ДД).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from edms.citizen_services.catalogue.definition import ServiceDefinition
from edms.citizen_services.catalogue.registry import get_service
from edms.citizen_services.errors import ApplicationInvalid
from edms.citizen_services.rules.problems import UNSAFE_XML, Problem
from edms.citizen_services.xsd_messages import ROOT_ELEMENT, xsd_problems
from edms.core.xml import UnsafeXml, load_schema, parse_xml, schema_errors

#: An application is a few kilobytes; anything near this is not one.
MAX_APPLICATION_XML = 1024 * 1024
WHAT = 'XML-файл заявления'


def parse_application_xml(service: ServiceDefinition | str, xml_bytes: bytes) -> dict[str, Any]:
    """The application's data (nested, text values) from its XML; `ApplicationInvalid` when the XML is unsafe, not
    well formed or breaks the service's XSD (each problem in Russian, naming the element and, if known, the field)."""
    definition = service if isinstance(service, ServiceDefinition) else get_service(service)
    try:
        root = parse_xml(xml_bytes, what=WHAT, max_size=MAX_APPLICATION_XML)
    except UnsafeXml as error:
        raise ApplicationInvalid([Problem('xml', error.message, UNSAFE_XML)]) from None
    schema = load_schema(str(definition.schema_path))
    if schema_errors(schema, root):
        # schema_errors' lines are libxml2's English; its log entries carry the codes and paths translated here.
        raise ApplicationInvalid(xsd_problems(definition, root, list(schema.error_log)))
    if etree.QName(root).localname != ROOT_ELEMENT:  # a schema of a test service may declare another root
        raise ApplicationInvalid([Problem('xml', f'{WHAT}: корневой элемент должен быть «{ROOT_ELEMENT}».')])
    return element_data(root)


def element_data(element: etree._Element) -> dict[str, Any]:
    """Child elements by local name: a nested dict for an element with children, its stripped text otherwise."""
    data: dict[str, Any] = {}
    for child in element.iterchildren(tag=etree.Element):
        name = etree.QName(child).localname
        data[name] = element_data(child) if len(child) else (child.text or '').strip()
    return data
