"""Tiny but valid media files made with the standard library (PNG via zlib/struct, WAV via the
wave module) and the scripted transcription shared by the audio fakes."""

import io
import struct
import wave
import zlib
from dataclasses import dataclass
from typing import Optional

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def tiny_png(width=2, height=2, rgb=(255, 0, 0)):
    """An 8-bit RGB PNG of one colour."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes(rgb) * width  # filter type 0 per scanline
    pixels = zlib.compress(row * height)
    return (PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels)
            + _png_chunk(b"IEND", b""))


def png_size(data):
    """(width, height) of a PNG; ValueError when `data` is not a PNG."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def tiny_wav(duration_s=0.1, rate=8000):
    """A mono 16-bit PCM WAV of silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(b"\x00\x00" * int(duration_s * rate))
    return buffer.getvalue()


@dataclass
class Transcription:
    """A scripted transcription result (fields left None take the fake's defaults)."""

    text: str
    language: Optional[str] = None
    duration: Optional[float] = None
    segments: Optional[list] = None


def wav_duration(data):
    """Duration in seconds of a WAV file, or None when `data` is not a readable WAV."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            return reader.getnframes() / float(reader.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return None
