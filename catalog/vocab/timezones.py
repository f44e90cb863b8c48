"""Indonesia's three time zones and the zone of each of the 38 provinces (Kemendagri codes).

WIB (UTC+7): Sumatra, Java, West and Central Kalimantan; national agencies and visitors too.
WITA (UTC+8): Bali, Nusa Tenggara, South, East and North Kalimantan, all of Sulawesi.
WIT (UTC+9): Maluku, North Maluku and every Papua province.
"""
from __future__ import annotations

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
DEFAULT_ZONE = WIB
ZONE_ABBREVIATIONS = {WIB: "WIB", WITA: "WITA", WIT: "WIT"}

PROVINCE_ZONES = {
    "11": WIB,   # Aceh
    "12": WIB,   # Sumatera Utara
    "13": WIB,   # Sumatera Barat
    "14": WIB,   # Riau
    "15": WIB,   # Jambi
    "16": WIB,   # Sumatera Selatan
    "17": WIB,   # Bengkulu
    "18": WIB,   # Lampung
    "19": WIB,   # Kepulauan Bangka Belitung
    "21": WIB,   # Kepulauan Riau
    "31": WIB,   # DKI Jakarta
    "32": WIB,   # Jawa Barat
    "33": WIB,   # Jawa Tengah
    "34": WIB,   # DI Yogyakarta
    "35": WIB,   # Jawa Timur
    "36": WIB,   # Banten
    "51": WITA,  # Bali
    "52": WITA,  # Nusa Tenggara Barat
    "53": WITA,  # Nusa Tenggara Timur
    "61": WIB,   # Kalimantan Barat
    "62": WIB,   # Kalimantan Tengah
    "63": WITA,  # Kalimantan Selatan
    "64": WITA,  # Kalimantan Timur
    "65": WITA,  # Kalimantan Utara
    "71": WITA,  # Sulawesi Utara
    "72": WITA,  # Sulawesi Tengah
    "73": WITA,  # Sulawesi Selatan
    "74": WITA,  # Sulawesi Tenggara
    "75": WITA,  # Gorontalo
    "76": WITA,  # Sulawesi Barat
    "81": WIT,   # Maluku
    "82": WIT,   # Maluku Utara
    "91": WIT,   # Papua
    "92": WIT,   # Papua Barat
    "93": WIT,   # Papua Selatan
    "94": WIT,   # Papua Tengah
    "95": WIT,   # Papua Pegunungan
    "96": WIT,   # Papua Barat Daya
}


def zone_for_org_code(code: str | None) -> str:
    """The IANA zone of an organization by its code: a province ('91'), a kab/kota ('91.71') by
    its province; a national agency ('kemenpanrb'), an unknown code or none: WIB."""
    province = (code or "").split(".", 1)[0]
    return PROVINCE_ZONES.get(province, DEFAULT_ZONE)


def zone_abbreviation(zone: str) -> str:
    return ZONE_ABBREVIATIONS.get(zone, zone)
