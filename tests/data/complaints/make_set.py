"""Write complaints.csv (the labelled test set) and planted.txt (every personal datum planted in it).

Run: python tests/data/complaints/make_set.py. Deterministic (seeded): the same files every run.
Dates span January to August 2026 with seasonal themes (water in the dry months, school
admissions in June and July, roads in the rainy months); agencies are the desks a kabupaten
routes such complaints to, with some spread; a few rows are sent twice (duplicates); the
``pelapor`` and ``kontak`` columns hold the reporter's name and phone as real exports do.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from texts import THEMES  # noqa: E402

NAMES = [
    "Andi Baso Amirullah",
    "Sitti Rahmawati Nurdin",
    "Muhammad Ilham Syamsuddin",
    "Nurhayati Pabbicara",
    "Ahmad Fauzi Latiefa",
    "Hasnah Daeng Ngaji",
    "Rusdi Hamzah Makkulau",
    "Fitriani Saleppang",
    "Budi Santosa Wirawan",
    "Kartini Lawaroe",
    "Syamsul Bahri Tonra",
    "Irwansyah Mappanyompa",
    "Rosmiati Bandaso",
    "Jumriani Tamalatea",
    "Abdul Rahman Parewangi",
    "Marlina Tandirerung",
    "Haeruddin Lamanda",
    "Suriani Masagena",
]
HONORIFIC_LINES = [
    "Yang melayani waktu itu Bu {n}.",
    "Mohon ditindaklanjuti. a.n. {n}",
    "Petugasnya Pak {n}, tolong dibina.",
    "Sdr. {n} juga mengalami hal yang sama.",
    "Pelapor: {n}",
    "Bapak {n} selaku tokoh masyarakat sudah tahu masalah ini.",
]
STREETS = [
    "Jl. Poros Malino No. 45 RT 002/RW 004",
    "Jalan Sultan Hasanuddin Lr. 3 No. 12",
    "BTN Pao-Pao Permai Blok C2 No. 7",
    "Perumahan Griya Samata Asri Blok A No. 9",
    "Gg. Mawar II No. 5 RT 03 RW 05",
    "Jln. Andi Tonro No. 88",
    "Kompleks Bumi Tamalanrea Permai Blok M/21",
    "Jl. Pendidikan Raya No. 17B",
]
AGENCIES = {
    "adminduk": ["Dinas Kependudukan dan Pencatatan Sipil", "Kecamatan Somba Opu", "Dinas Kependudukan dan Pencatatan Sipil"],
    "puskesmas": ["Dinas Kesehatan", "Puskesmas Bajeng", "Dinas Kesehatan", "RSUD Syekh Yusuf"],
    "jalan": ["Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas Perhubungan"],
    "sampah": ["Dinas Lingkungan Hidup", "Dinas Lingkungan Hidup", "Kelurahan Sungguminasa"],
    "perizinan": ["DPMPTSP", "DPMPTSP", "Dinas Koperasi dan UKM"],
    "bansos": ["Dinas Sosial", "Dinas Sosial", "Pemerintah Desa Bontoala"],
    "sekolah": ["Dinas Pendidikan", "Dinas Pendidikan", "Cabang Dinas Pendidikan Provinsi"],
    "air": ["Perumda Air Minum", "Perumda Air Minum", "Dinas Pekerjaan Umum dan Penataan Ruang"],
    "listrik_pju": ["Dinas Perhubungan", "Dinas Perumahan dan Kawasan Permukiman", "PLN ULP Sungguminasa"],
    "tanah": ["Kantor Pertanahan", "Bagian Pemerintahan", "Kecamatan Pallangga"],
    "dana_desa": ["Dinas Pemberdayaan Masyarakat dan Desa", "Inspektorat", "Kecamatan Bontonompo"],
    "perilaku_aparat": ["Inspektorat", "Badan Kepegawaian dan Pengembangan SDM", "Kecamatan Somba Opu", "Satpol PP"],
}
CATEGORY = {  # the desk's own coarse category: noisy on purpose, never the label
    "adminduk": "Pelayanan Publik",
    "puskesmas": "Kesehatan",
    "jalan": "Infrastruktur",
    "sampah": "Lingkungan",
    "perizinan": "Pelayanan Publik",
    "bansos": "Sosial",
    "sekolah": "Pendidikan",
    "air": "Infrastruktur",
    "listrik_pju": "Infrastruktur",
    "tanah": "Lainnya",
    "dana_desa": "Pemerintahan",
    "perilaku_aparat": "Pelayanan Publik",
}
SEASON = {  # month weights, January..August
    "air": [1, 1, 1, 1, 2, 3, 5, 6],
    "sekolah": [1, 1, 1, 1, 2, 6, 6, 2],
    "jalan": [5, 5, 4, 2, 1, 1, 1, 1],
    "sampah": [2, 2, 4, 4, 2, 2, 2, 2],  # spring: Ramadan and Lebaran
}
CHANNELS = ["SP4N-LAPOR!", "WhatsApp", "Website", "Kotak saran", "Instagram", "Datang langsung"]
STATUS = ["Selesai", "Diproses", "Belum ditindaklanjuti", "Selesai"]


def nik(rng: random.Random) -> str:
    digits = "73" + "".join(str(rng.randint(0, 9)) for _ in range(14))
    style = rng.randrange(3)
    if style == 1:
        return " ".join(digits[i : i + 4] for i in range(0, 16, 4))
    if style == 2:
        return ".".join(digits[i : i + 4] for i in range(0, 16, 4))
    return digits


def phone(rng: random.Random) -> str:
    rest = "".join(str(rng.randint(0, 9)) for _ in range(8))
    style = rng.randrange(4)
    prefix = rng.choice(["812", "813", "852", "853", "821"])
    return [f"0{prefix}{rest}", f"0{prefix}-{rest[:4]}-{rest[4:]}", f"+62 {prefix} {rest[:4]} {rest[4:]}", f"62{prefix}{rest}"][style]


def email(rng: random.Random, name: str) -> str:
    first, last = name.lower().split()[:2]
    return rng.choice([f"{first}.{last}@gmail.com", f"{first}{rng.randint(10, 99)}@yahoo.co.id", f"{last}_{first}@outlook.com"])


def main() -> None:
    rng = random.Random(14)
    planted: set[str] = set()
    rows = []
    n = 0
    for theme, texts in THEMES.items():
        weights = SEASON.get(theme, [1] * 8)
        for text in texts:
            n += 1
            values = {}
            name = rng.choice(NAMES)
            values["NAMA"] = name
            values["NIK"] = nik(rng)
            values["KK"] = "73" + "".join(str(rng.randint(0, 9)) for _ in range(14))
            values["HP"] = phone(rng)
            values["EMAIL"] = email(rng, name)
            values["ALAMAT"] = rng.choice(STREETS)
            for key, value in values.items():
                if "{" + key + "}" in text:
                    planted.add(value)
            body = text.format(**values)
            if rng.random() < 0.12:
                other = rng.choice(NAMES)
                body += " " + rng.choice(HONORIFIC_LINES).format(n=other)
                planted.add(other)
            month = rng.choices(range(1, 9), weights)[0]
            day, hour, minute = rng.randint(1, 28), rng.randint(7, 21), rng.randint(0, 59)
            when = f"2026-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:00" if rng.random() < 0.8 else f"{day:02d}/{month:02d}/2026"
            reporter = rng.choice(NAMES + ["Anonim", "Anonim", "Rahasia"])
            contact = phone(rng)
            if reporter not in ("Anonim", "Rahasia"):
                planted.add(reporter)
            planted.add(contact)
            rows.append(
                {
                    "id": f"LPR-2026-{n:05d}",
                    "tanggal": when,
                    "kanal": rng.choice(CHANNELS),
                    "instansi": rng.choice(AGENCIES[theme]),
                    "kategori": CATEGORY[theme] if rng.random() < 0.8 else rng.choice(sorted(set(CATEGORY.values()))),
                    "judul": "",
                    "isi": body,
                    "status": rng.choice(STATUS),
                    "pelapor": reporter,
                    "kontak": contact,
                    "tema": theme,
                }
            )
    for original in rng.sample(rows, 6):  # sent twice, through another channel
        n += 1
        rows.append({**original, "id": f"LPR-2026-{n:05d}", "kanal": rng.choice(CHANNELS)})
    rng.shuffle(rows)
    with open(HERE / "complaints.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (HERE / "planted.txt").write_text("\n".join(sorted(planted)) + "\n", encoding="utf-8")
    print(f"{len(rows)} complaints, {len(THEMES)} themes, {len(planted)} planted values")


if __name__ == "__main__":
    main()
