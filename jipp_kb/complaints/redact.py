"""Remove personal data from complaint texts before anything else sees them: the second step of ``jipp-kb complaints``.

Every later step (embedding, theme names, examples, the report, the pack) gets
only redacted text; the raw text is dropped as soon as it is redacted. What is
replaced, each by a bracketed placeholder:

- e-mail addresses → ``[EMAIL]``;
- 16-digit numbers (NIK, or a family-card number when "KK"/"kartu keluarga" is
  near) → ``[NIK]`` / ``[NO-KK]``, written plain or in groups (``7371 0412 …``);
- phone numbers (08…, +62 8…, 62 8…, landlines with an area code) → ``[TELEPON]``;
- any other run of 10 or more digits (account, card, BPJS numbers) → ``[NOMOR]``;
- street addresses: ``Jl.``/``Jalan``/``Gg.``/``Lorong``/``Perumahan``/``BTN``/``Kompleks`` with
  the capitalised name after it, and house number, block and RT/RW → ``[ALAMAT]``;
- names after a cue: an honorific (Pak, Bu, Sdr., Daeng, Hj., …), "nama saya",
  "atas nama", "a.n.", "bernama", "pelapor:" or "saya", followed by capitalised
  words that are not a role (Camat, Kepala, Dokter, …) → ``[NAMA]``.

Names written without a cue or in lower case are not recognisable by rule and
may survive; docs/complaints.md says so, and the examples can be left out
altogether (``--no-examples``).
"""

from __future__ import annotations

import re
from collections import Counter

PLACEHOLDERS = ("[NAMA]", "[NIK]", "[NO-KK]", "[TELEPON]", "[EMAIL]", "[ALAMAT]", "[NOMOR]")

EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
SIXTEEN = re.compile(r"(?<![\d\w])\d(?:[ .\-]?\d){15}(?![\d])")
KK_CUE = re.compile(r"(?:\bkk\b|kartu\s+keluarga)[^\d]{0,20}$", re.IGNORECASE)
PHONE = re.compile(
    r"(?<![\d\w])(?:\+?62[ .\-]?|0)8\d{1,3}(?:[ .\-]?\d{2,5}){2,4}(?!\d)"  # mobiles
    r"|(?<![\d\w])\(?0\d{2,3}\)?[ .\-]?\d{3,4}[ .\-]?\d{3,4}(?!\d)"  # landlines with an area code
)
LONG_NUMBER = re.compile(r"(?<![\w])(?<!Rp)(?<!Rp )\d(?:[ .\-]?\d){9,}(?!\d)")

_TITLE_WORD = r"(?:[A-Z][a-z'’]+(?:-[A-Z]?[a-z'’]+)?\.?|[A-Z]\.)"
_ADDRESS_HEAD = r"(?:\b(?i:jl|jln|gg|lr|lrg|komp|perum)\.?\s*|\b(?:Jalan|Gang|Lorong|Kompleks|Komplek|Perumahan|BTN|Griya|Asrama)\s+)"
_ADDRESS_KEYS = r"(?i:no|nomor|blok|blk|kav|lr|lrg|gg|rt|rw)"
_ADDRESS_NAME = r"(?:(?!" + _ADDRESS_KEYS + r"\b)(?:[A-Z][\w'’\-]*|\d+[A-Za-z]?|[IVX]+)\.?(?:\s+|(?=[,.;:!?)/]|$))){1,6}"
_ADDRESS_TAIL = r"(?:[ ,]*" + _ADDRESS_KEYS + r"\.?\s*\w+(?:\s*/\s*(?:(?i:rw)\.?\s*)?\w+)?)*"
ADDRESS = re.compile(_ADDRESS_HEAD + _ADDRESS_NAME + _ADDRESS_TAIL)
RT_RW = re.compile(r"\b(?i:rt)\.?\s*\d{1,3}\s*[/,]?\s*(?i:rw)\.?\s*\d{1,3}\b")

HONORIFICS = (
    r"pak|bapak|bpk|bu|ibu|ibunda|sdr|sdri|saudara|saudari|mas|mbak|kak|daeng|dg|puang|haji|hj|h|om|tante|"
    r"nama saya|saya bernama|atas nama|a\.n|an|bernama|namanya|pelapor|terlapor|saya|oleh"
)
NAME_AFTER_CUE = re.compile(r"\b(?i:" + HONORIFICS + r")\.?:?\s+(?P<name>" + _TITLE_WORD + r"(?:\s+" + _TITLE_WORD + r"){0,3})")
ROLES = {
    # offices and roles that follow Pak/Bu and are not names; and words that start sentences after "saya"
    "camat",
    "lurah",
    "kades",
    "kepala",
    "bupati",
    "wakil",
    "gubernur",
    "walikota",
    "wali",
    "presiden",
    "menteri",
    "dokter",
    "dok",
    "bidan",
    "perawat",
    "guru",
    "ustadz",
    "rt",
    "rw",
    "kadis",
    "sekdes",
    "sekda",
    "sekcam",
    "direktur",
    "dirut",
    "kapolres",
    "kapolsek",
    "danramil",
    "babinsa",
    "ketua",
    "sekretaris",
    "bendahara",
    "kasi",
    "kabid",
    "kasubag",
    "staf",
    "petugas",
    "polisi",
    "satpam",
    "sopir",
    "supir",
    "dinas",
    "kantor",
    "desa",
    "dusun",
    "kelurahan",
    "kecamatan",
    "kabupaten",
    "kota",
    "provinsi",
    "puskesmas",
    "pdam",
    "pln",
    "bpn",
    "bpjs",
    "dukcapil",
    "warga",
    "orang",
    "anak",
    "kami",
    "kita",
    "sudah",
    "belum",
    "tidak",
    "mau",
    "sangat",
    "juga",
    "tolong",
    "mohon",
    "minta",
    "mewakili",
    "sebagai",
    "selaku",
    "ingin",
    "hanya",
    "pns",
    "asn",
    "dprd",
    "bpd",
    "the",
    "i",
    "we",
    "ktp",
    "kk",
    "nik",
    "pkh",
    "blt",
    "bansos",
    "umkm",
    "ppdb",
    "pju",
}


def redact(text: str) -> tuple[str, Counter]:
    """``text`` with personal data replaced by placeholders, and how many of each kind were replaced."""
    counts: Counter = Counter()

    def sub(pattern: re.Pattern, label: str, s: str) -> str:
        def repl(m: re.Match) -> str:
            counts[label] += 1
            return label

        return pattern.sub(repl, s)

    text = sub(EMAIL, "[EMAIL]", text)

    def sixteen(m: re.Match) -> str:
        label = "[NO-KK]" if KK_CUE.search(text[max(0, m.start() - 40) : m.start()]) else "[NIK]"
        counts[label] += 1
        return label

    text = SIXTEEN.sub(sixteen, text)
    text = sub(PHONE, "[TELEPON]", text)
    text = sub(LONG_NUMBER, "[NOMOR]", text)
    text = sub(ADDRESS, "[ALAMAT]", text)
    text = sub(RT_RW, "[ALAMAT]", text)

    def name(m: re.Match) -> str:
        words = m.group("name").split()
        while words and words[0].rstrip(".").lower() in ROLES:  # "Pak Camat Budi" keeps the role, hides the name
            words = words[1:]
        if not words:
            return m.group(0)
        counts["[NAMA]"] += 1
        kept = m.group(0)[: m.start("name") - m.start()] + m.group("name")[: m.group("name").find(words[0])]
        return kept + "[NAMA]"

    text = NAME_AFTER_CUE.sub(name, text)
    text = re.sub(r"(\[[A-Z\-]+\])(?=[^\s,.;:!?)\]])", r"\1 ", text)  # "[ALAMAT]Kab." reads "[ALAMAT] Kab."
    return " ".join(re.sub(r"\s+([,.;:!?])", r"\1", text).split()), counts
