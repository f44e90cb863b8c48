"""Indonesian word lists the analyzer needs: stopwords and known Sastrawi misses."""

from __future__ import annotations

# Function words plus "aplikasi", which every catalog entry is and so ranks nothing.
STOPWORDS: frozenset[str] = frozenset(
    """
    yang dan di ke dari untuk dengan pada ini itu atau dalam oleh sebagai juga serta
    akan ada adalah merupakan tersebut bagi agar dapat bisa telah sudah secara para
    setiap tidak belum lebih hanya karena jika bila maka namun saat sehingga seperti
    antara kami kita anda kepada terhadap hingga sampai atas melalui tentang yaitu
    yakni sebuah suatu pun lah kah nya bahwa dimana apa siapa mana baik maupun oleh
    sang si dst dll dsb tsb yg dgn utk
    aplikasi
    """.split()
)

# Sastrawi's dictionary misses or over-strips these; each maps to the form its
# relatives stem to, or to itself when the stem would collide with a common word.
STEM_OVERRIDES: dict[str, str] = {
    "perpajakan": "pajak",
    "pemajakan": "pajak",
    "pemetaan": "peta",
    "peternakan": "ternak",
    "penginputan": "input",
    "antrean": "antri",
    "pengadaan": "pengadaan",
    "peserta": "peserta",
    "pemilu": "pemilu",
}
