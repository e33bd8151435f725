"""Read case-study files: bytes → front matter (with line numbers) + sections.

This step never raises on bad input. Whatever is wrong with a file (binary,
not UTF-8, no or unclosed front matter, malformed YAML, duplicate keys…)
becomes a :class:`Problem` with the line it is on, and the caller goes on
with the next file.
"""

from __future__ import annotations

import errno
import hashlib
import inspect
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from jipp_kb.problems import Problem


class BadValue(yaml.constructor.ConstructorError):
    """A value its tag cannot hold (``2026-02-30``, ``!!int abc``); keeps the node to name its field."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(None, None, message, node.start_mark)
        self.node = node


class LOADER(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser when PyYAML has it (~10× faster, same line marks), whose scalar constructors
    report an impossible value as a :class:`BadValue` instead of PyYAML's bare ValueError/KeyError."""


KINDS = {
    "bool": "boolean (true or false)",
    "int": "whole number",
    "float": "number",
    "timestamp": "date (YYYY-MM-DD)",
    "binary": "base64 value",
}


def _guarded(tag: str, construct):
    kind = KINDS.get(tag.rsplit(":", 1)[-1], f"!!{tag.rsplit(':', 1)[-1]} value")

    def guarded(loader: yaml.BaseLoader, node: yaml.Node):
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as exc:
            detail = f": {exc}" if tag.endswith("timestamp") and isinstance(exc, ValueError) else ""
            raise BadValue(node, f"'{node.value}' is not a valid {kind}{detail}") from None

    return guarded


for _tag, _construct in list(LOADER.yaml_constructors.items()):
    if _tag is not None and not inspect.isgeneratorfunction(_construct):
        LOADER.add_constructor(_tag, _guarded(_tag, _construct))

MAX_BYTES = 1_000_000
"""A case study is a few thousand words; anything this big is a mistake."""

FENCE = re.compile(r"^\s*(```|~~~)")

Path_ = tuple[str | int, ...]


@dataclass
class Section:
    title: str
    line: int
    markdown: str
    text_line: int = 0
    """Line of the first line of ``markdown`` (blank lines after the heading are stripped from it)."""


@dataclass
class RawCase:
    """A file that parsed: front matter as data, key lines, body sections."""

    path: Path
    display: str
    data: dict[str, Any]
    lines: dict[Path_, int]
    fm_end_line: int
    body: str
    preamble_line: int | None
    sections: list[Section] = field(default_factory=list)
    digest: str = ""

    def line_of(self, loc: Path_) -> int:
        """Line of the deepest known key on ``loc`` (e.g. ('awards', 0, 'tier'))."""
        for n in range(len(loc), 0, -1):
            if loc[:n] in self.lines:
                return self.lines[loc[:n]]
        return 1


def real_path(path: Path) -> Path:
    """``path`` with links resolved; unlike ``Path.resolve`` on Python < 3.13, a link loop does not raise."""
    return Path(os.path.realpath(path))


def display_path(path: Path, root: Path | None = None) -> str:
    """Paths as the user would type them: relative to the current directory when possible."""
    for base in (Path.cwd(), root):
        if base is None:
            continue
        try:
            return path.absolute().relative_to(base.absolute()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


class ReadError(Exception):
    """A file that cannot or must not be read; the message says why."""


def read_limited(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    A FIFO would block forever, a device (``/dev/zero``) never ends and a
    symlink loop raises; each is refused before reading, and no more than
    ``limit`` + 1 bytes are ever read, even if the file grows meanwhile.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise ReadError(_os_reason(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise ReadError(f"not a regular file ({_file_kind(info.st_mode)}); only text files are read")
    if info.st_size > limit:
        raise ReadError(f"file is {info.st_size:,} bytes; a case study must be under {limit:,}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # non-blocking: a FIFO swapped in after stat() must not hang
    except OSError as exc:
        raise ReadError(_os_reason(exc)) from None
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ReadError("not a regular file; only text files are read")
        try:
            data = file.read(limit + 1)
        except OSError as exc:
            raise ReadError(_os_reason(exc)) from None
    if len(data) > limit:
        raise ReadError(f"file is over {limit:,} bytes; a case study must be under {limit:,}")
    return data


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; point the link at a real file or remove it"
    return f"cannot read: {exc.strerror or exc}"


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


def read_case(path: Path, root: Path | None = None) -> tuple[RawCase | None, list[Problem]]:
    """Read one file; return what could be parsed and every problem met."""
    shown = display_path(path, root)

    def fail(line: int, fld: str, msg: str) -> tuple[None, list[Problem]]:
        return None, [Problem(shown, line, fld, msg)]

    if root is not None and path.is_symlink():
        try:
            path.resolve(strict=True).relative_to(root.resolve())
        except ValueError:
            return fail(1, "file", "symbolic link points outside the corpus; copy the file in instead")
        except (OSError, RuntimeError):  # Python < 3.13 raises RuntimeError on a link loop
            return fail(1, "file", "broken symbolic link or link loop; point the link at a real file or remove it")
    try:
        raw = read_limited(path)
    except ReadError as exc:
        return fail(1, "file", str(exc))
    if path.suffix != ".md":
        return fail(1, "file", f"case files end in '.md'; rename it to '{path.stem}.md'")
    if not raw.strip():
        return fail(1, "file", "file is empty; start from corpus/_template.md")
    if b"\x00" in raw:
        return fail(raw[: raw.index(b"\x00")].count(b"\n") + 1, "file", "binary data (NUL bytes); a case study is UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return fail(raw[: exc.start].count(b"\n") + 1, "file", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return parse_case(text, path, shown)


def parse_case(text: str, path: Path, shown: str) -> tuple[RawCase | None, list[Problem]]:
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, [Problem(shown, 1, "front matter", "file must start with a '---' line opening the YAML front matter")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
    except StopIteration:
        return None, [Problem(shown, 1, "front matter", "front matter is not closed: add a '---' line after it")]
    yaml_text = "\n".join(lines[1:end])
    try:
        loader = LOADER(yaml_text)
        try:
            node = loader.get_single_node()
            reused = _reused_node(node)
            data = loader.construct_document(node) if node is not None and reused is None else None
        finally:
            loader.dispose()
    except BadValue as exc:
        line = exc.node.start_mark.line + 2
        return None, [Problem(shown, line, _field_of(node, exc.node), exc.problem)]
    except yaml.MarkedYAMLError as exc:
        scanning = (exc.context or "").startswith("while scanning")  # an unclosed quote: point at its start
        mark = (exc.context_mark if scanning else None) or exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 2
        return None, [Problem(shown, line, "front matter", f"invalid YAML: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, 2, "front matter", f"invalid YAML: {exc}")]
    except RecursionError:  # PyYAML's pure-Python composer (no libyaml) recurses once per nesting level
        return None, [Problem(shown, 2, "front matter", "YAML nested too deeply; front matter needs at most a list of mappings")]
    if reused is not None:  # a recursive or exponential alias would hang or crash the walk below
        alias = next((t for t in yaml.scan(yaml_text, Loader=LOADER) if isinstance(t, yaml.AliasToken)), None)
        line = (alias or reused).start_mark.line + 2
        return None, [Problem(shown, line, "front matter", "YAML aliases (*name) are not allowed in front matter; write the value out")]
    if not isinstance(data, dict):
        return None, [Problem(shown, 2, "front matter", "front matter must be a mapping of 'key: value' lines")]

    problems: list[Problem] = []
    key_lines: dict[Path_, int] = {}
    _walk(node, key_lines, problems, shown)
    body_lines = lines[end + 1 :]
    raw = RawCase(
        path=path,
        display=shown,
        data={str(k): v for k, v in data.items()},
        lines=key_lines,
        fm_end_line=end + 1,
        body="\n".join(body_lines).strip("\n"),
        preamble_line=None,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    _split_sections(body_lines, end + 2, raw)
    return raw, problems


def _reused_node(root: yaml.Node | None) -> yaml.Node | None:
    """The first node reached twice: an anchor used by an alias (``&a`` … ``*a``)."""
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return None


def _walk(root: yaml.Node, out: dict[Path_, int], problems: list[Problem], shown: str) -> None:
    """Record the line of every key and list item (1-based, in file lines).

    A stack, not recursion: libyaml accepts nesting deeper than Python's recursion limit.
    """
    stack: list[tuple[yaml.Node, Path_]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        children: list[tuple[yaml.Node, Path_]] = []
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                name = key.value
                line = key.start_mark.line + 2  # +1 for 1-based, +1 for the opening '---'
                if name in seen:
                    field_ = ".".join(map(str, loc + (name,)))
                    problems.append(Problem(shown, line, field_, "duplicate key; the earlier value would be silently lost"))
                seen.add(name)
                out[loc + (name,)] = line
                children.append((value, loc + (name,)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                out[loc + (i,)] = item.start_mark.line + 2
                children.append((item, loc + (i,)))
        stack += reversed(children)  # keep the file's order for the problems


def _field_of(root: yaml.Node, target: yaml.Node) -> str:
    """Dotted path of ``target`` in the tree (``sources.0.accessed``), to name the field of a bad value."""
    stack: list[tuple[yaml.Node, Path_]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if node is target:
            return ".".join(map(str, loc)) or "front matter"
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else "?"
                if key is target:
                    return ".".join(map(str, loc + (name,)))
                stack += [(key, loc + (name,)), (value, loc + (name,))]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, loc + (i,)) for i, item in enumerate(node.value)]
    return "front matter"


def _heading(line: str) -> str | None:
    """Title of a ``## Title ##`` line, else None.

    String methods, not a regex: ``^##\\s+(.*?)\\s*#*\\s*$`` backtracks cubically,
    and a 3 KB heading line took half a minute.
    """
    if not (line.startswith("##") and line[2:3].isspace()):
        return None
    return line[2:].strip().rstrip("#").rstrip()


def _split_sections(body_lines: list[str], first_line: int, raw: RawCase) -> None:
    in_fence = False
    current: Section | None = None
    buffer: list[str] = []
    for offset, text in enumerate(body_lines):
        if FENCE.match(text):
            in_fence = not in_fence
        title = None if in_fence else _heading(text)
        if title is not None:
            if current:
                _finish(current, buffer, raw)
            current, buffer = Section(title, first_line + offset, ""), []
        elif current:
            buffer.append(text)
        elif text.strip() and raw.preamble_line is None:
            raw.preamble_line = first_line + offset
    if current:
        _finish(current, buffer, raw)


def _finish(section: Section, buffer: list[str], raw: RawCase) -> None:
    """Close a section: its Markdown without surrounding blank lines, and the line that Markdown starts on."""
    text = "\n".join(buffer)
    section.markdown = text.strip("\n")
    section.text_line = section.line + 1 + len(text) - len(text.lstrip("\n"))
    raw.sections.append(section)
