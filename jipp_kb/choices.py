"""The closed lists of the front matter, as plain tuples.

The schema builds its types from them; the CLI, the API and the site offer
them as filter choices without importing pydantic (it would slow every search).
"""

LEVELS = ("nasional", "provinsi", "kabupaten", "kota", "desa")
JENIS = ("digital", "non-digital")
BENTUK = ("tata kelola", "pelayanan publik", "lainnya")
TAHAPAN = ("inisiatif", "uji coba", "penerapan")
STATUS = ("berjalan", "berhenti", "tidak diketahui")
DEPTHS = ("studi kasus", "profil")
INISIATOR = ("kepala daerah", "anggota dprd", "perangkat daerah", "asn", "masyarakat", "instansi pusat")
