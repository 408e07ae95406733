"""Pure cryptography for qualified electronic signatures: keys, PKCS#12, certificates, backends, CMS, verification.

No database, no Flask, no audit here: only the standard library, asn1crypto, cryptography, gostcrypto and
`edms.core`. Importing the package teaches asn1crypto about GOST keys (`asn1_patch`).
"""

from edms.signatures.crypto.asn1_patch import patch_asn1crypto

patch_asn1crypto()
