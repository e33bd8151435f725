"""``check``'s messages in Indonesian, for contributors who read it better than English.

Problems are made in English everywhere (code, tests, docs); ``check --lang id``
rewrites each message phrase by phrase with the table below. A phrase the table
does not know stays English, so a new message is never lost, only untranslated.
"""

from __future__ import annotations

import re

from jipp_kb.problems import Problem

_ID: list[tuple[str, str]] = [
    # front matter and schema
    (r"^required field is missing$", "kolom wajib belum diisi"),
    (r"^unknown field", "kolom tidak dikenal"),
    (r"^Field required$", "kolom wajib belum diisi"),
    (r"^id '(.+)' must equal the file name '(.+)'$", r"id '\1' harus sama dengan nama berkas '\2'"),
    (
        r"^must be a slug: lowercase letters, digits and single hyphens \(e\.g\. '(.+)'\)$",
        r"harus berupa slug: huruf kecil, angka dan tanda hubung tunggal (mis. '\1')",
    ),
    (r"^must be a full http\(s\) URL$", "harus berupa URL lengkap http(s)"),
    (r"^has (\d+) words; at most (\d+) allowed$", r"berisi \1 kata; paling banyak \2"),
    (r"^must be one paragraph$", "harus satu paragraf"),
    (
        r"^looks like a personal mobile number; list public office contacts only$",
        "tampak seperti nomor ponsel pribadi; cantumkan kontak kantor saja",
    ),
    (r"^a profile needs at least (\d+) sources; it has (.+)$", r"profil perlu paling sedikit \1 sumber; baru ada \2"),
    (r"^is (\d+) but the case has (.+)$", r"bernilai \1, padahal kasus ini hanya punya \2"),
    (r"^unknown section '(.+?)'", r"bagian '\1' tidak dikenal"),
    (r"\bunknown (\w[\w ]*?) '(.+?)'", r"\1 '\2' tidak dikenal"),
    (r"^(\w[\w ]*) '(.+?)' is ambiguous: write (.+)$", r"\1 '\2' bermakna ganda: tulis \3"),
    (r"^Input should be a valid (\w+)", r"isian harus berupa \1 yang sah"),
    (r"^Input should be less than or equal to (.+)$", r"isian paling besar \1"),
    (r"^Input should be greater than or equal to (.+)$", r"isian paling kecil \1"),
    (r"^Input should be (.+) or ('[^']*')$", r"isian harus \1 atau \2"),
    (r"^Input should be ", "isian harus "),
    (r"^List should have at least (\d+) items? after validation, not (\d+)$", r"daftar harus berisi paling sedikit \1 butir, bukan \2"),
    (r"a national innovation has province and regency null", "inovasi nasional mengisi province dan regency dengan null"),
    (r"a provincial innovation has regency null", "inovasi provinsi mengisi regency dengan null"),
    (r"level '(\w+)' needs a (province|regency)", r"level '\1' memerlukan \2"),
    (r"level is '(\w+)' but (.+?) is a (\w+)", r"level '\1' padahal \2 adalah \3"),
    (r"(Kabupaten|Kota) (.+?) is in (.+?), not ([^;]+)", r"\1 \2 ada di \3, bukan \4"),
    # body
    (
        r"^text before the first '## Ringkasan' section; move it into a section$",
        "ada teks sebelum bagian '## Ringkasan'; pindahkan ke dalam sebuah bagian",
    ),
    (r"^appears twice \(first on line (\d+)\)$", r"muncul dua kali (pertama di baris \1)"),
    (
        r"^is empty; write what is known, or say that no public source covers it$",
        "kosong; tulis yang diketahui, atau nyatakan bahwa tidak ada sumber publik yang membahasnya",
    ),
    (r"^required section '(.+)' is missing$", r"bagian wajib '\1' belum ada"),
    (r"^out of order; sections go: (.+)$", r"urutannya salah; urutan bagian: \1"),
    (r"^citation \[(\d+)\] but the case has (.+)$", r"rujukan [\1] padahal kasus ini hanya punya \2"),
    (
        r"^paragraph of ([\d,]+) characters; split it with blank lines \(at most ([\d,]+) each\)$",
        r"paragraf \1 karakter; pecah dengan baris kosong (paling banyak \2 per paragraf)",
    ),
    (
        r"^still the template's placeholder text; write what the sources say$",
        "masih teks contoh dari templat; tulis apa yang dikatakan sumber",
    ),
    (
        r"^still the template's guidance text; write what is known, or say that no public source covers it$",
        "masih teks panduan dari templat; tulis yang diketahui, atau nyatakan bahwa tidak ada sumber publik yang membahasnya",
    ),
    (r"^still the template's example contact; ", "masih kontak contoh dari templat; "),
    (
        r"^still the template's example tags; use words an official would search for; ",
        "masih tag contoh dari templat; pakai kata yang akan dicari pejabat; ",
    ),
    (r"replace it with what the sources say, or remove it$", "ganti dengan apa yang dikatakan sumber, atau hapus"),
    # honesty
    (r"^figure '(.+)' without a citation \[n\] in its sentence$", r"angka '\1' tanpa rujukan [n] di kalimatnya"),
    (
        r"^'(.+)' looks like a personal mobile number; name the office instead$",
        r"'\1' tampak seperti nomor ponsel pribadi; sebutkan kantornya saja",
    ),
    (r"^'(.+)' is a personal e-mail address; give an office's address$", r"'\1' adalah alamat surel pribadi; cantumkan alamat kantor"),
    (r"^a personal e-mail address; give an office's address$", "alamat surel pribadi; cantumkan alamat kantor"),
    # across files
    (r"^duplicate id '(.+)', also used by (.+)$", r"id '\1' ganda, juga dipakai oleh \2"),
    (r"^no case with id '(.+?)'", r"tidak ada kasus dengan id '\1'"),
    (r"^'(.+)' does not list '(.+)' in its (\w+); add it there too$", r"'\1' tidak mencantumkan '\2' di \3-nya; tambahkan di sana juga"),
    (r"^neither a case id nor a region: ", "bukan id kasus dan bukan wilayah: "),
    (r"^likely duplicate of (.+) \(same name in (.+)\)$", r"kemungkinan duplikat dari \1 (nama sama di \2)"),
    (r"^no valid case with id '(.+)'$", r"tidak ada kasus valid dengan id '\1'"),
    # reading the file
    (r"^file is empty; start from corpus/_template\.md$", "berkas kosong; mulailah dari corpus/_template.md"),
    (r"^binary data \(NUL bytes\); a case study is UTF-8 text$", "data biner (bita NUL); studi kasus berupa teks UTF-8"),
    (r"^invalid YAML: ", "YAML tidak sah: "),
    (r"^cannot read: ", "tidak dapat dibaca: "),
    (r"^not valid UTF-8 \(byte (0x[0-9a-f]+)\); save the file as UTF-8$", r"bukan UTF-8 yang sah (bita \1); simpan berkas sebagai UTF-8"),
    (r"^file must start with a '---' line opening the YAML front matter$", "berkas harus diawali baris '---' pembuka front matter YAML"),
    (r"^front matter is not closed: add a '---' line after it$", "front matter belum ditutup: tambahkan baris '---' sesudahnya"),
    (r"^front matter must be a mapping of 'key: value' lines$", "front matter harus berupa baris 'kunci: nilai'"),
    (r"^duplicate key; the earlier value would be silently lost$", "kunci ganda; nilai sebelumnya akan hilang diam-diam"),
    (r"^case files end in '\.md'; rename it to '(.+)'$", r"berkas kasus berakhiran '.md'; ganti namanya menjadi '\1'"),
    # names of the vocabularies, in the messages above
    (r"^province '", "provinsi '"),
    (r"(^|: )regency '", r"\1kabupaten/kota '"),
    (r"^tier of (\w+) '", r"tingkat \1 '"),
    (r"^award '", "penghargaan '"),
    (r"^KIPP category '", "kategori KIPP '"),
    # hints that follow many messages
    (r"; did you mean '(.+?)'\?", r"; mungkin maksud Anda '\1'?"),
    (r"; did you mean '## (.+?)'\?", r"; mungkin maksud Anda '## \1'?"),
    (r"; sections are: ", "; bagian yang ada: "),
    (r"(\d+) sources?\b", r"\1 sumber"),
]
_RULES = [(re.compile(pattern), replacement) for pattern, replacement in _ID]
LANGS = ("en", "id")


def translate(problem: Problem, lang: str) -> Problem:
    """The problem with its message in ``lang`` ('en' leaves it as it is)."""
    if lang == "en":
        return problem
    message = problem.message
    for pattern, replacement in _RULES:
        message = pattern.sub(replacement, message)
    return Problem(problem.path, problem.line, problem.field, message, problem.severity)
