"""Running the `openssl` command line as an independent checker, with the GOST engine config when needed.

`requires_engine` skips a test with a clear message when libengine-gost-openssl is not installed; `requires_openssl`
when there is no `openssl` command at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from edms.signatures.crypto.backends import gost_engine, openssl_lib

ENGINE_MISSING = (
    'OpenSSL GOST engine is not installed (Debian package libengine-gost-openssl, scripts/install-test-deps.sh): '
    'the engine-dependent check is skipped; the gost-python backend is tested without it'
)
requires_openssl = pytest.mark.skipif(shutil.which('openssl') is None, reason='no openssl command')
requires_engine = pytest.mark.skipif(
    shutil.which('openssl') is None or not Path(openssl_lib.ENGINE_PATH).is_file() or not gost_engine.available(),
    reason=ENGINE_MISSING,
)


def openssl(
    *args: str | Path, conf: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run `openssl ARGS` (with OPENSSL_CONF=conf when given) and return the completed process; never raises on rc."""
    env = {**os.environ}
    env.pop('OPENSSL_CONF', None)
    if conf is not None:
        env['OPENSSL_CONF'] = str(conf)
    return subprocess.run(
        ['openssl', *map(str, args)], input=stdin, capture_output=True, env=env, timeout=60, check=False
    )


def write_pem(path: Path, kind: str, der: bytes) -> Path:
    """Write DER as a PEM block of `kind` ('CERTIFICATE', 'PUBLIC KEY', …) and return the path."""
    import base64

    body = base64.encodebytes(der).decode('ascii').replace('\n', '')
    lines = '\n'.join(body[i : i + 64] for i in range(0, len(body), 64))
    path.write_text(f'-----BEGIN {kind}-----\n{lines}\n-----END {kind}-----\n')
    return path
