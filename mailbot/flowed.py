"""Plain text sent as format=flowed (RFC 3676), as Thunderbird and Apple Mail send it.

Such a client breaks a long paragraph into lines of about 72 characters and marks each
break it made by leaving a space at the end of the line; a line the writer ended has no
space. Read as it is, a paragraph comes apart at those breaks: an officer's
"EXTEND 5 waiting for the survey, which is booked for" + "next week" would reach the
member cut short. Joining the marked breaks gives back the lines the writer typed.
"""

from __future__ import annotations

SIGNATURE_SEPARATOR = "-- "


def _quote_depth(line: str) -> int:
    return len(line) - len(line.lstrip(">"))


def _continuation(line: str, depth: int) -> str:
    """A line that carries on the one above it, without its quote marks and the one space
    a client puts after them (or before a line starting with a space, "From " or ">")."""
    rest = line[depth:]
    return rest[1:] if rest.startswith(" ") else rest


def unflow(text: str, *, delete_space: bool = False) -> str:
    """`text` with each soft line break joined. A break is soft where a line ends in a
    space, is not the signature separator "-- ", and the next line is quoted as deeply.
    With DelSp=yes the space marked the break only, and is dropped."""
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and out and _quote_depth(line) == _quote_depth(out[-1]):
            out[-1] += _continuation(line, _quote_depth(line))
        else:
            out.append(line)
        last = out[-1]
        joining = last.endswith(" ") and _continuation(last, _quote_depth(last)) not in (
            SIGNATURE_SEPARATOR, " " + SIGNATURE_SEPARATOR)
        if joining and delete_space:
            out[-1] = last[:-1]
    return "\n".join(out)
