"""multipart/form-data (RFC 7578) parsing for the fakes, and encoding for the tests that call
them. Boundaries are found by hand so binary parts come back byte for byte."""

import secrets
from email.message import Message
from typing import NamedTuple, Optional


class MultipartError(ValueError):
    """The body is not valid multipart/form-data."""


class Part(NamedTuple):
    """One part of a multipart/form-data body; `filename` is None for plain fields."""

    name: Optional[str]
    filename: Optional[str]
    content_type: Optional[str]
    data: bytes

    @property
    def text(self):
        return self.data.decode("utf-8", errors="replace")


def _header_params(value, header="content-disposition"):
    """A Message carrying one header, to reuse the email package's parameter parsing (quoting,
    RFC 2231 `filename*`)."""
    message = Message()
    message[header] = value
    return message


def boundary_of(content_type):
    """The boundary parameter of a multipart Content-Type; MultipartError if absent."""
    boundary = _header_params(content_type, "content-type").get_param("boundary",
                                                                        header="content-type")
    if not boundary or not isinstance(boundary, str):
        raise MultipartError(f"no boundary in {content_type!r}")
    return boundary.encode("latin-1")


def _parse_part(raw):
    if raw.startswith(b"\r\n"):
        head, data = b"", raw[2:]
    else:
        head, separator, data = raw.partition(b"\r\n\r\n")
        if not separator:
            raise MultipartError("part without a blank line after its headers")
    headers = {}
    for line in head.decode("latin-1").split("\r\n"):
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise MultipartError(f"malformed part header {line!r}")
        headers[name.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition")
    if disposition is None:
        raise MultipartError("part without Content-Disposition")
    params = _header_params(disposition)
    if params.get_content_disposition() != "form-data":
        raise MultipartError(f"part disposition is not form-data: {disposition!r}")
    name = params.get_param("name", header="content-disposition")
    filename = params.get_filename()
    return Part(name if isinstance(name, str) else None, filename,
                headers.get("content-type"), data)


def parse_multipart(body, content_type):
    """The parts of a multipart/form-data body, in order."""
    delimiter = b"--" + boundary_of(content_type)
    start = body.find(delimiter)
    if start < 0:
        raise MultipartError("opening boundary not found")
    position = start + len(delimiter)
    parts = []
    while True:
        if body.startswith(b"--", position):
            return parts  # close delimiter
        line_end = body.find(b"\r\n", position)
        if line_end < 0 or body[position:line_end].strip(b" \t"):
            raise MultipartError("garbage after a boundary")
        content_start = line_end + 2
        next_delimiter = body.find(b"\r\n" + delimiter, content_start)
        if next_delimiter < 0:
            raise MultipartError("closing boundary not found")
        parts.append(_parse_part(body[content_start:next_delimiter]))
        position = next_delimiter + 2 + len(delimiter)


def _quote(value):
    return value.replace("\\", "\\\\").replace('"', '\\"')


def encode_multipart(parts, boundary=None):
    """Encodes Part-like tuples (name, filename, content_type, data) → (body, content_type).
    `data` may be str (UTF-8) or bytes; filename and content_type may be None."""
    boundary = boundary or "----fake" + secrets.token_hex(12)
    chunks = []
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{_quote(name)}"'
        if filename is not None:
            disposition += f'; filename="{_quote(filename)}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        chunks.append(head.encode("utf-8") + b"\r\n")
        chunks.append(data.encode("utf-8") if isinstance(data, str) else data)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
