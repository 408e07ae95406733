"""JSON shapes of the signature endpoints: users' certificates with the qualified profile, signatures of attachments,
signatures of registration data, verification records with their reports (every check with its Russian title and
detail), the trust store and CRLs.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from edms.api.serializers import iso, user_ref
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.crypto.report import Check, SignerReport, VerificationReport
from edms.signatures.models import (
    AttachmentSignature,
    CertificateRevocationList,
    RegistrationSignature,
    TrustedCertificate,
    UserCertificate,
    VerificationRecord,
)


def profile_json(info: CertificateInfo) -> dict[str, Any]:
    """The certificate as it reads: owner, identifiers of the 795 profile, sign tools, class policies, usage."""
    tool = info.issuer_sign_tool
    return {
        'owner': info.owner,
        'title': info.subject.get('T'),
        'organization': info.organization,
        'subject': info.subject.text,
        'issuer': info.issuer.text,
        'serial': info.serial.upper(),
        'not_before': iso(info.not_before),
        'not_after': iso(info.not_after),
        'key_algorithm': info.key_algorithm,
        'ogrn': info.ogrn,
        'ogrnip': info.ogrnip,
        'inn': info.inn,
        'inn_le': info.inn_le,
        'snils': info.snils,
        'subject_sign_tool': info.subject_sign_tool,
        'issuer_sign_tool': None
        if tool is None
        else {
            'sign_tool': tool.sign_tool,
            'ca_tool': tool.ca_tool,
            'sign_tool_cert': tool.sign_tool_cert,
            'ca_tool_cert': tool.ca_tool_cert,
        },
        'tool_classes': list(info.tool_classes),
        'key_usage': sorted(info.key_usage),
        'extended_key_usage': list(info.extended_key_usage),
        'is_ca': info.is_ca,
        'crl_urls': list(info.crl_urls),
        'fingerprint': info.fingerprint,
    }


def certificate_json(certificate: UserCertificate) -> dict[str, Any]:
    return {
        'id': certificate.id,
        'url': url_for('api.get_certificate', certificate_id=certificate.id),
        'user_id': certificate.user_id,
        'owner': certificate.owner,
        'serial': certificate.serial,
        'issuer': certificate.issuer,
        'not_before': iso(certificate.not_before),
        'not_after': iso(certificate.not_after),
        'fingerprint': certificate.fingerprint,
        'has_key': certificate.has_key,
        'is_active': certificate.is_active,
        'bound_at': iso(certificate.bound_at),
        'disabled_at': iso(certificate.disabled_at),
        'profile': profile_json(certificate.info),
    }


def signature_json(signature: AttachmentSignature) -> dict[str, Any]:
    ids = {'card_id': signature.card_id, 'attachment_id': signature.attachment_id, 'signature_id': signature.id}
    return {
        'id': signature.id,
        'url': url_for('api.get_signature', **ids),
        'card_id': signature.card_id,
        'attachment_id': signature.attachment_id,
        'file_sha256': signature.file_sha256,
        'signer': signature.signer_summary,
        'signer_serial': signature.signer_serial,
        'signer_fingerprint': signature.signer_fingerprint,
        'signing_time': iso(signature.signing_time),
        'method': signature.method,
        'method_label': signature.method_label,
        'user_certificate_id': signature.user_certificate_id,
        'signature_size': signature.signature_size,
        'file_name': signature.signature_filename,
        'download_url': url_for('api.signature_file', **ids),
        'verify_url': url_for('api.verify_signature', **ids),
        'created_at': iso(signature.created_at),
        'last_verdict': signature.last_verdict,
        'last_verdict_title': signature.verdict_title,
        'last_verified_at': iso(signature.last_verified_at),
    }


def check_json(check: Check) -> dict[str, Any]:
    return {
        'code': check.code,
        'title': check.title,
        'status': check.status,
        'status_title': check.status_title,
        'detail': check.detail,
    }


def signer_json(signer: SignerReport) -> dict[str, Any]:
    return {
        'signer': signer.signer,
        'verdict': signer.verdict,
        'signing_time': iso(signer.signing_time),
        'certificate': profile_json(signer.certificate) if signer.certificate is not None else None,
        'checks': [check_json(check) for check in signer.checks],
    }


def report_json(report: VerificationReport) -> dict[str, Any]:
    return {
        'verdict': report.verdict,
        'verdict_title': report.verdict_title,
        'checked_at': iso(report.checked_at),
        'trust_fingerprint': report.trust_fingerprint,
        'checks': [check_json(check) for check in report.checks],
        'problems': list(report.problems),
        'signers': [signer_json(signer) for signer in report.signers],
    }


def verification_json(record: VerificationRecord) -> dict[str, Any]:
    return {
        'id': record.id,
        'url': url_for('api.get_verification', verification_id=record.id),
        'pdf_url': url_for('api.get_verification', verification_id=record.id, format='pdf'),
        'signature_id': record.attachment_signature_id,
        'attachment_id': record.attachment_id,
        'file_name': record.file_name,
        'file_sha256': record.file_sha256,
        'signature_name': record.signature_name,
        'signature_sha256': record.signature_sha256,
        'verdict': record.verdict,
        'verdict_title': record.verdict_title,
        'checked_at': iso(record.checked_at),
        'checked_by_id': record.checked_by_id,
        'trust_fingerprint': record.trust_fingerprint,
        'report': report_json(record.verification_report),
    }


def registration_signature_json(
    row: RegistrationSignature, unchanged: bool, report: VerificationReport | None
) -> dict[str, Any]:
    """A signature of a card's registration data as checked now against the current data."""
    return {
        'id': row.id,
        'url': url_for('api.get_registration_signature', card_id=row.card_id, registration_signature_id=row.id),
        'card_id': row.card_id,
        'method': row.method,
        'method_label': row.method_label,
        'signer': user_ref(row.signer),
        'signed_at': iso(row.signed_at),
        'digest': row.digest,
        'content_unchanged': unchanged,
        'report': report_json(report) if report is not None else None,
    }


def trusted_json(trusted: TrustedCertificate) -> dict[str, Any]:
    return {
        'id': trusted.id,
        'url': url_for('api.get_trusted_certificate', trusted_id=trusted.id),
        'name': trusted.name,
        'subject': trusted.subject,
        'issuer': trusted.issuer,
        'serial': trusted.serial,
        'fingerprint': trusted.fingerprint,
        'not_before': iso(trusted.not_before),
        'not_after': iso(trusted.not_after),
        'is_root': trusted.is_root,
        'is_accredited': trusted.is_accredited,
        'is_active': trusted.is_active,
        'note': trusted.note,
        'created_at': iso(trusted.created_at),
        'updated_at': iso(trusted.updated_at),
    }


def crl_json(crl: CertificateRevocationList) -> dict[str, Any]:
    return {
        'id': crl.id,
        'issuer_name': crl.issuer_name,
        'issuer_fingerprint': crl.issuer_fingerprint,
        'sha256': crl.sha256,
        'this_update': iso(crl.this_update),
        'next_update': iso(crl.next_update),
        'revoked_count': crl.revoked_count,
        'source': crl.source,
        'fetched_at': iso(crl.fetched_at),
    }
