"""The tar format itself: encoding one member's header, and reading a tar stream.

Both directions work on raw header fields, exactly as they are in the
archive, because tarsum hashes the raw fields (`name` with its trailing
slash, `typeflag` as a byte, …) the way Go's `archive/tar` reports them —
Python's `tarfile` normalises names (it strips a directory's trailing
slash), so it cannot be used for that.

Writing: POSIX ustar headers (magic `ustar\\0`, version `00`); anything a
ustar header cannot hold (a name or link target over 100 bytes or not
ASCII, a size of 8 GiB or more, large ids, xattrs) goes into a PAX extended
header (`x`) in front of the member. PAX rather than GNU `././@LongLink`
because it is the POSIX format, the one Go's writer (Docker, containerd,
buildkit) emits and every Go reader (Docker, skopeo, umoci, podman) reads
natively, and because xattrs (`SCHILY.xattr.*`) need PAX anyway — one
mechanism for everything.

Reading: ustar, PAX (`x` records apply to the next member, `g` is
returned as a member as Go does), GNU long names/links (`L`/`K`) and old
v7 headers; GNU sparse files are refused. Names are `str` decoded as UTF-8
with `surrogateescape`, so any byte string survives a round trip.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from typing import BinaryIO, Final, Iterator

from nixlite.docker.errors import ImageFormatError

BLOCK: Final = 512
END_OF_ARCHIVE: Final = b"\0" * (2 * BLOCK)

# Type flags (one byte in the header).
REGULAR: Final = "0"
HARDLINK: Final = "1"
SYMLINK: Final = "2"
CHAR_DEVICE: Final = "3"
BLOCK_DEVICE: Final = "4"
DIRECTORY: Final = "5"
FIFO: Final = "6"
PAX_HEADER: Final = "x"
PAX_GLOBAL: Final = "g"
GNU_LONGNAME: Final = "L"
GNU_LONGLINK: Final = "K"
# Types whose members never carry data, whatever their size field says (Go's isHeaderOnlyType).
HEADER_ONLY_TYPES: Final = frozenset({HARDLINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO})

_MAX_OCTAL_8: Final = 0o7777777  # 7 digits + NUL
_MAX_OCTAL_12: Final = 0o77777777777  # 11 digits + NUL
_XATTR_PREFIX: Final = "SCHILY.xattr."
# A PAX or GNU long-name record bigger than this is refused (memory bound on hostile input).
_MAX_META_SIZE: Final = 1 << 20


def fs_bytes(text: str) -> bytes:
    """A file name as the bytes it stands for (inverse of `fs_str`)."""
    return text.encode("utf-8", "surrogateescape")


def fs_str(raw: bytes) -> str:
    """Bytes from an archive or the file system as a `str` that round-trips."""
    return raw.decode("utf-8", "surrogateescape")


@dataclass
class Member:
    """One member's header as stored (after PAX/GNU extensions are applied)."""

    name: str
    typeflag: str = REGULAR
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    size: int = 0
    mtime: int = 0
    linkname: str = ""
    uname: str = ""
    gname: str = ""
    devmajor: int = 0
    devminor: int = 0
    xattrs: dict[str, bytes] = field(default_factory=dict)

    @property
    def data_size(self) -> int:
        """How many data bytes follow the header."""
        return 0 if self.typeflag in HEADER_ONLY_TYPES else self.size


# ---------------------------------------------------------------- writing

def _octal(value: int, width: int) -> bytes:
    return b"%0*o\0" % (width - 1, value)


def _pax_record(key: str, value: bytes) -> bytes:
    """`"%d %s=%s\\n"` where the leading length counts the whole record, itself included."""
    body = b" " + fs_bytes(key) + b"=" + value + b"\n"
    length = len(body) + 1
    while len(str(length)) + len(body) != length:
        length = len(str(length)) + len(body)
    return str(length).encode() + body


def _fits_ustar_text(raw: bytes, limit: int) -> bool:
    return len(raw) <= limit and raw.isascii()


def _ustar_fallback(raw: bytes) -> bytes:
    """What the ustar field holds when the PAX record has the real text: an ASCII stand-in."""
    return bytes(b if b < 128 else 0x3F for b in raw[:100])


def _pax_records(m: Member, name: bytes, linkname: bytes) -> bytes:
    records = []
    if not _fits_ustar_text(name, 100):
        records.append(_pax_record("path", name))
    if not _fits_ustar_text(linkname, 100):
        records.append(_pax_record("linkpath", linkname))
    if m.size > _MAX_OCTAL_12:
        records.append(_pax_record("size", str(m.size).encode()))
    for key, value in (("uid", m.uid), ("gid", m.gid)):
        if value > _MAX_OCTAL_8:
            records.append(_pax_record(key, str(value).encode()))
    for key in sorted(m.xattrs):
        records.append(_pax_record(_XATTR_PREFIX + key, m.xattrs[key]))
    return b"".join(records)


def _ustar_block(name: bytes, typeflag: str, mode: int, uid: int, gid: int, size: int,
                 linkname: bytes = b"", devmajor: int = 0, devminor: int = 0,
                 uname: bytes = b"", gname: bytes = b"", mtime: int = 0) -> bytes:
    header = bytearray(BLOCK)
    header[0:len(name)] = name
    header[100:108] = _octal(mode & 0o7777, 8)
    header[108:116] = _octal(uid, 8)
    header[116:124] = _octal(gid, 8)
    header[124:136] = _octal(size, 12)
    header[136:148] = _octal(mtime, 12)
    header[148:156] = b"        "
    header[156:157] = typeflag.encode("ascii")
    header[157:157 + len(linkname)] = linkname
    header[257:265] = b"ustar\x0000"
    header[265:265 + len(uname)] = uname
    header[297:297 + len(gname)] = gname
    header[329:337] = _octal(devmajor, 8)
    header[337:345] = _octal(devminor, 8)
    header[148:156] = b"%06o\0 " % sum(header)
    return bytes(header)


def _padding(size: int) -> bytes:
    return b"\0" * (-size % BLOCK)


def encode_header(m: Member) -> bytes:
    """The header block(s) of `m`: an optional PAX header member, then the ustar block."""
    name = fs_bytes(m.name)
    linkname = fs_bytes(m.linkname)
    uname, gname = fs_bytes(m.uname), fs_bytes(m.gname)
    if len(uname) > 32 or len(gname) > 32:
        raise ImageFormatError(f"tar: user or group name too long for {m.name!r}")
    records = _pax_records(m, name, linkname)
    out = b""
    if records:
        # Named as Go's writer names them; the name is informational only.
        base = name.rstrip(b"/").rsplit(b"/", 1)[-1]
        pax_name = _ustar_fallback(b"PaxHeaders.0/" + base)
        out = _ustar_block(pax_name, PAX_HEADER, 0o644, 0, 0, len(records)) + records + _padding(len(records))
    out += _ustar_block(
        name if _fits_ustar_text(name, 100) else _ustar_fallback(name),
        m.typeflag, m.mode, m.uid if m.uid <= _MAX_OCTAL_8 else 0, m.gid if m.gid <= _MAX_OCTAL_8 else 0,
        m.size if m.size <= _MAX_OCTAL_12 else 0,
        linkname if _fits_ustar_text(linkname, 100) else _ustar_fallback(linkname),
        m.devmajor, m.devminor, uname, gname, m.mtime)
    return out


def data_padding(size: int) -> bytes:
    """Zero bytes that complete a member's data to a whole block."""
    return _padding(size)


# ---------------------------------------------------------------- reading

def _parse_number(field_bytes: bytes, what: str) -> int:
    if field_bytes and field_bytes[0] & 0x80:
        # GNU base-256: the first byte's top bit marks it; 0xff starts a negative number.
        value = int.from_bytes(field_bytes[1:], "big")
        if field_bytes[0] == 0xFF:
            return value - (1 << (8 * (len(field_bytes) - 1)))
        return value | ((field_bytes[0] & 0x7F) << (8 * (len(field_bytes) - 1)))
    text = field_bytes.split(b"\0", 1)[0].strip(b" ")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise ImageFormatError(f"tar: invalid {what} field {field_bytes!r}") from None


def _parse_text(field_bytes: bytes) -> bytes:
    return field_bytes.split(b"\0", 1)[0]


def _check_checksum(block: bytes) -> None:
    stored = _parse_number(block[148:156], "checksum")
    unsigned = sum(block[:148]) + 8 * 32 + sum(block[156:])
    if stored != unsigned:
        signed = sum((b - 256 if b > 127 else b) for b in block[:148] + block[156:]) + 8 * 32
        if stored != signed:
            raise ImageFormatError("tar: header checksum mismatch (not a tar archive, or corrupt)")


def _decode_block(block: bytes) -> tuple[Member, bytes, bytes]:
    """The member described by one header block, plus its raw name and link name."""
    _check_checksum(block)
    name, linkname = _parse_text(block[0:100]), _parse_text(block[157:257])
    magic = block[257:265]
    m = Member(name="", typeflag=chr(block[156]) if block[156] else "\0",
               mode=_parse_number(block[100:108], "mode"), uid=_parse_number(block[108:116], "uid"),
               gid=_parse_number(block[116:124], "gid"), size=_parse_number(block[124:136], "size"),
               mtime=_parse_number(block[136:148], "mtime"))
    if magic[:6] in (b"ustar\0", b"ustar "):
        m.uname, m.gname = fs_str(_parse_text(block[265:297])), fs_str(_parse_text(block[297:329]))
        m.devmajor = _parse_number(block[329:337], "devmajor")
        m.devminor = _parse_number(block[337:345], "devminor")
        if magic == b"ustar\x0000":
            prefix = _parse_text(block[345:500])
            if prefix:
                name = prefix + b"/" + name
    return m, name, linkname


def _parse_pax(data: bytes) -> dict[str, bytes]:
    records: dict[str, bytes] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        try:
            length = int(data[pos:space])
        except ValueError:
            raise ImageFormatError("tar: malformed PAX record") from None
        record = data[space + 1:pos + length]
        if length <= 0 or space < 0 or not record.endswith(b"\n") or b"=" not in record:
            raise ImageFormatError("tar: malformed PAX record")
        key, value = record[:-1].split(b"=", 1)
        records[fs_str(key)] = value
        pos += length
    return records


def _apply_pax(m: Member, records: dict[str, bytes], names: list[bytes]) -> None:
    for key, value in records.items():
        if key == "path":
            names[0] = value
        elif key == "linkpath":
            names[1] = value
        elif key in ("size", "uid", "gid"):
            try:
                setattr(m, key, int(value))
            except ValueError:
                raise ImageFormatError(f"tar: malformed PAX {key} record") from None
        elif key in ("uname", "gname"):
            setattr(m, key, fs_str(value))
        elif key.startswith(_XATTR_PREFIX):
            m.xattrs[key[len(_XATTR_PREFIX):]] = value
        elif key.startswith("GNU.sparse."):
            raise ImageFormatError("tar: sparse files are not supported")


class TarReader:
    """Iterates over the members of a tar stream; read a member's data before advancing.

        for member in TarReader(f):
            for chunk in reader.data_chunks(): ...
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._remaining = 0  # unread data bytes of the current member
        self._pad = 0

    def _read_exact(self, n: int) -> bytes:
        buf = self._stream.read(n)
        while len(buf) < n:
            more = self._stream.read(n - len(buf))
            if not more:
                raise ImageFormatError("tar: unexpected end of archive")
            buf += more
        return buf

    def _skip_rest(self) -> None:
        if self._remaining + self._pad >= BLOCK and self._seek_forward(self._remaining + self._pad):
            self._remaining = self._pad = 0
            return
        while self._remaining:
            self._remaining -= len(self._read_exact(min(self._remaining, 1 << 20)))
        if self._pad:
            self._read_exact(self._pad)
            self._pad = 0

    def _seek_forward(self, n: int) -> bool:
        """Skip `n` bytes of a plain file by seeking (listing a layer need not read its data)."""
        try:
            fileno = self._stream.fileno()
            position = self._stream.tell()
        except (AttributeError, OSError, io.UnsupportedOperation):
            return False
        if type(self._stream) is not io.BufferedReader:
            return False  # a decompressing or wrapped stream: read through it
        if position + n > os.fstat(fileno).st_size:
            raise ImageFormatError("tar: unexpected end of archive")
        self._stream.seek(n, io.SEEK_CUR)
        return True

    def _read_meta(self, m: Member) -> bytes:
        if m.size > _MAX_META_SIZE:
            raise ImageFormatError("tar: extended header too large")
        data = self._read_exact(m.size)
        self._read_exact(-m.size % BLOCK)
        return data

    def __iter__(self) -> Iterator[Member]:
        return self

    def __next__(self) -> Member:
        self._skip_rest()
        pax: dict[str, bytes] = {}
        long_name = long_link = None
        while True:
            block = self._stream.read(BLOCK)
            if len(block) < BLOCK and block:
                block += self._read_exact(BLOCK - len(block))
            if not block or block == b"\0" * BLOCK:
                raise StopIteration
            m, name, linkname = _decode_block(block)
            if m.typeflag == PAX_HEADER:
                pax.update(_parse_pax(self._read_meta(m)))
                continue
            if m.typeflag in (GNU_LONGNAME, GNU_LONGLINK):
                text = _parse_text(self._read_meta(m))
                if m.typeflag == GNU_LONGNAME:
                    long_name = text
                else:
                    long_link = text
                continue
            if m.typeflag == "S":
                raise ImageFormatError("tar: sparse files are not supported")
            names = [long_name if long_name else name, long_link if long_link else linkname]
            _apply_pax(m, pax, names)
            m.name, m.linkname = fs_str(names[0]), fs_str(names[1])
            if m.typeflag == "\0":
                # Legacy archives mark directories by a trailing slash (Go does the same).
                m.typeflag = DIRECTORY if m.name.endswith("/") else REGULAR
            if m.typeflag == PAX_GLOBAL:
                pax_global = _parse_pax(self._read_meta(m))
                m.xattrs = {k[len(_XATTR_PREFIX):]: v for k, v in pax_global.items() if k.startswith(_XATTR_PREFIX)}
                m.mode = m.uid = m.gid = m.size = 0
                return m
            self._remaining, self._pad = m.data_size, -m.data_size % BLOCK
            return m

    def read(self, n: int = -1) -> bytes:
        """Up to `n` bytes (all when n < 0) of the current member's data."""
        if n < 0 or n > self._remaining:
            n = self._remaining
        data = self._read_exact(n) if n else b""
        self._remaining -= len(data)
        return data

    def data_chunks(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The current member's data, in chunks."""
        while self._remaining:
            yield self.read(chunk_size)


def iter_members(data: bytes) -> list[Member]:
    """All headers of an in-memory tar (tests and small archives)."""
    return list(TarReader(io.BytesIO(data)))
