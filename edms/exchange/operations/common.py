"""What the exchange operations share: the system acting for a recipient organization, the МЭДО identity of a
participant as the packet writers want it, the packet zip (deterministic, so that the same folder is the same blob),
the size limit of a packet and the stored bytes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from flask import current_app

from edms.core.blobs import blob_store
from edms.exchange.models import ExchangeParticipant
from edms.exchange.packets.writer import Participant

#: Largest packet the intake keeps (the zip of the packet folder), unless EXCHANGE_MAX_PACKET_SIZE says otherwise.
DEFAULT_MAX_PACKET_SIZE = 50 * 1024 * 1024
#: The fixed time of every entry of a stored zip (the zip format's epoch): equal folders give equal bytes.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ExchangeActor:
    """The exchange acting inside one recipient organization: no user behind it (the journal shows the system), a
    registrar's rights there and nowhere else. Used to make the incoming drafts through the registry's operations."""

    organization_id: int
    id: None = None
    department_id: None = None
    is_system_admin: bool = False
    can_access_restricted: bool = True

    def has_role(self, *roles: str) -> bool:
        return True


def max_packet_size() -> int:
    return int(current_app.config.get('EXCHANGE_MAX_PACKET_SIZE', DEFAULT_MAX_PACKET_SIZE))


def medo_identity(participant: ExchangeParticipant) -> Participant:
    """The participant as the writers of packets and notices name it."""
    return Participant(
        guid=UUID(participant.guid),
        name=participant.organization.name,
        medo_address=participant.medo_address,
        postal_address=participant.organization.address or None,
    )


def zip_files(files: Mapping[str, bytes]) -> bytes:
    """The files of a packet folder as one zip, entries sorted and dated alike (deterministic)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def stored_bytes(sha256: str) -> bytes:
    """The bytes of a blob, verified against its sha256."""
    with blob_store().open_verified(sha256) as file:
        return file.read()
