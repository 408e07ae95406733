"""Operations of the signatures module: binding certificates, the trust store and CRLs, signing and verifying.

Each takes the acting user, checks access (another organization's object is "not found"), flushes only and writes
the audit journal in the caller's transaction; entry points wrap each call in `atomic()`. Signing a card's
registration data is imported from `operations.registrations` itself: it builds on `records.py`, which imports
`operations.signing`, so this package cannot re-export it.
"""

from edms.signatures.operations.certificates import (
    add_client_certificate,
    check_binding,
    disable_certificate,
    import_certificate,
)
from edms.signatures.operations.pades_signing import sign_pdf_attachment
from edms.signatures.operations.signing import sign_attachment, sign_content
from edms.signatures.operations.truststore import (
    TrustImport,
    activate_trusted,
    deactivate_trusted,
    import_trusted,
    set_accredited,
    store_crl,
    upload_crl,
)
from edms.signatures.operations.verification import (
    ClientSignatureResult,
    add_client_signature,
    verify_attachment_signature,
    verify_pdf_upload,
    verify_upload,
)

__all__ = [
    'ClientSignatureResult',
    'TrustImport',
    'activate_trusted',
    'add_client_certificate',
    'add_client_signature',
    'check_binding',
    'deactivate_trusted',
    'disable_certificate',
    'import_certificate',
    'import_trusted',
    'set_accredited',
    'sign_attachment',
    'sign_content',
    'sign_pdf_attachment',
    'store_crl',
    'upload_crl',
    'verify_attachment_signature',
    'verify_pdf_upload',
    'verify_upload',
]
