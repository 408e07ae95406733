"""The files of a packet folder or of a container zip, found by the names the message gives them.

Names are matched exactly first, then ignoring case and Unicode normalization (МЭДО clients run on Windows). A classic
file's `localName` may lack its extension («Документ» for «Документ.pdf»), so `find` also tries the name with the
file's type as extension and, when exactly one file has that stem, that file. `require` collects every name that is
not found and refuses them together as files_mismatch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from edms.exchange.packets.envelope import file_key
from edms.exchange.packets.errors import PacketRejected


class FileSet:
    """Read-only files by name, with tolerant lookup and a record of the names the message used."""

    def __init__(self, files: Mapping[str, bytes], *, where: str) -> None:
        self.files = dict(files)
        self.where = where
        self._by_key = {file_key(name): name for name in self.files}
        self.used: set[str] = set()
        self.missing: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def names(self) -> list[str]:
        return list(self.files)

    def find(self, name: str, *, file_type: str | None = None) -> str | None:
        """The real name of the file the message calls `name`, or None."""
        if name in self.files:
            return name
        real = self._by_key.get(file_key(name))
        if real is None and '.' not in name:
            real = self._by_key.get(file_key(f'{name}.{file_type or "pdf"}')) or self._by_stem(name)
        return real

    def _by_stem(self, stem: str) -> str | None:
        matches = [real for key, real in self._by_key.items() if key.rsplit('.', 1)[0] == file_key(stem)]
        return matches[0] if len(matches) == 1 else None

    def get(self, name: str, *, file_type: str | None = None) -> tuple[str, bytes] | None:
        real = self.find(name, file_type=file_type)
        if real is None:
            return None
        self.used.add(real)
        return real, self.files[real]

    def require(self, name: str, *, file_type: str | None = None) -> tuple[str, bytes]:
        """The file (real name, bytes); a missing one is noted and (name, b'') returned until `raise_missing`."""
        found = self.get(name, file_type=file_type)
        if found is None:
            if name not in self.missing:
                self.missing.append(name)
            return name, b''
        return found

    def raise_missing(self) -> None:
        if self.missing:
            raise PacketRejected(
                'files_mismatch',
                f'{self.where}: нет файлов, указанных в сообщении: {", ".join(self.missing)}.',
                names=self.missing,
            )

    def unused(self, *, besides: set[str] | None = None) -> list[str]:
        skip = self.used | (besides or set())
        return [name for name in self.files if name not in skip]
