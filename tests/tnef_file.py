"""Outlook's winmail.dat (TNEF, MS-OXTNEF) built for tests, object by object."""

from __future__ import annotations

import struct
import zlib

from compressed_rtf import compress

SIGNATURE = 0x223E9F78


def tnef_object(level: int, name: int, kind: int, data: bytes) -> bytes:
    """One attribute: level (1 the message, 2 an attachment), id, type, length, data and
    the 16-bit checksum of the data."""
    header = struct.pack("<BHHI", level, name, kind, len(data))
    return header + data + struct.pack("<H", sum(data) & 0xFFFF)


def mapi_props(prop_type: int, prop_id: int, payload: bytes) -> bytes:
    """attMAPIProps holding one property."""
    padding = b"\0" * (-len(payload) % 4)
    prop = struct.pack("<HHII", prop_type, prop_id, 1, len(payload)) + payload + padding
    return tnef_object(1, 0x9003, 0x0006, struct.pack("<I", 1) + prop)


def message_class(name: str) -> bytes:
    """attMessageClass: "IPM.Note", "IPM.Schedule.Meeting.Request" ..."""
    return tnef_object(1, 0x8008, 0x0007, name.encode("ascii") + b"\0")


def winmail(*objects: bytes) -> bytes:
    """A TNEF stream as Outlook starts one: version, then the OEM code page (1252)."""
    version = tnef_object(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))
    codepage = tnef_object(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))
    return struct.pack("<IH", SIGNATURE, 0x0B2C) + version + codepage + b"".join(objects)


def expanding_rtf(size: int) -> bytes:
    """Compressed RTF of about `size` bytes in which every two bytes say "copy 17 bytes
    from the window": it unpacks to eight and a half times its size."""
    body, write = bytearray(), 207
    while len(body) < size:
        body.append(0xFF)
        for _ in range(8):
            body += struct.pack(">H", (((write + 100) % 4096) << 4) | 0xF)
            write = (write + 17) % 4096
    crc = zlib.crc32(bytes(body), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return struct.pack("<II4sI", len(body) + 12, 8_500_000, b"LZFu", crc) + bytes(body)


def rtf_letter(n: int, picture_bytes: int) -> bytes:
    """Outlook's compressed RTF for letter `n` with a photo of `picture_bytes` pasted in:
    the photo's hex is most of the RTF, and none of the text."""
    rtf = (
        rf"{{\rtf1\ansi\deff0 Letter {n}: the bins on Bryn Road were not emptied.\par "
        r"{\*\shppict{\pict\pngblip " + "89504e47" * (picture_bytes // 8) + "}}"
        rf"\par End of letter {n}.}}"
    )
    return compress(rtf.encode("ascii"), compressed=True)
