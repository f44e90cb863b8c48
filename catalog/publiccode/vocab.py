"""Controlled values and key layout of the publiccode.yml standard, versions 0.2 to 0.7."""
from __future__ import annotations

from typing import Any

from ..vocab import N_

Version = tuple[int, int]


SUPPORTED = ((0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7))
LATEST: Version = (0, 7)
# Versions the reference still reads but warns about: "not the latest version".
NOT_LATEST_WARNED = ((0, 2), (0, 3))
# Export writes "0", the latest 0.x (0.7 rules), as the standard's examples and the reference's
# "use '0'" advice do; the publisher is an `organisation` with its `uri` (mandatory from 0.7).
EXPORT_VERSION = "0"

SCOPES = (
    "agriculture", "culture", "defence", "education", "emergency-services", "employment",
    "energy", "environment", "finance-and-economic-development", "foreign-affairs", "government",
    "healthcare", "infrastructures", "justice", "local-authorities", "manufacturing", "research",
    "science-and-technology", "security", "society", "sport", "tourism", "transportation",
    "welfare",
)
# The standard's category list is standard.CATEGORIES.
PLATFORMS = ("web", "windows", "mac", "linux", "ios", "android")
PLATFORM_ALIASES = {"macos": "mac", "osx": "mac", "ipados": "ios"}
SUPPORTS_ALIASES = ("gdpr", "eidas", "nis2", "cra", "spid", "cie", "anpr", "pagopa", "io")

# ISO 639-1 codes: BCP 47 requires the two-letter code where one exists.
LANG_2 = frozenset("""
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu
hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb
lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om
or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw
ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
""".split())
# Three-letter codes without a two-letter one: regional languages of Indonesia and a few others.
LANG_3 = frozenset("""
ace ban bbc bew bjn btx bug gor mad mak min mui nij sas tet fil yue haw ckb gsw
""".split())
# ISO 639-2 codes that publiccode.yml 0.1 used; BCP 47 wants the two-letter form.
LANG_LEGACY = {
    "ind": "id", "eng": "en", "ita": "it", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr",
    "nld": "nl", "dut": "nl", "spa": "es", "por": "pt", "jav": "jv", "sun": "su", "msa": "ms",
    "may": "ms",
}

# Deprecated SPDX identifiers and the identifier that replaced each one.
SPDX_DEPRECATED = {
    "GPL-2.0": "GPL-2.0-only", "GPL-2.0+": "GPL-2.0-or-later", "GPL-3.0": "GPL-3.0-only",
    "GPL-3.0+": "GPL-3.0-or-later", "AGPL-3.0": "AGPL-3.0-only", "LGPL-2.1": "LGPL-2.1-only",
    "LGPL-2.1+": "LGPL-2.1-or-later", "LGPL-3.0": "LGPL-3.0-only", "LGPL-3.0+": "LGPL-3.0-or-later",
}

# Key layout: a dict lists known keys, {"*": x} allows any key, [x] is a list of x, None a leaf.
_ORG: dict[str, Any] = {"name": None, "uri": None}
_DEP: dict[str, Any] = {"name": None, "versionMin": None, "versionMax": None, "version": None,
                        "optional": None}
_DESC: dict[str, Any] = {
    "localisedName": None, "genericName": None, "shortDescription": None, "longDescription": None,
    "documentation": None, "apiDocumentation": None, "features": None, "screenshots": None,
    "videos": None, "awards": None, "featureList": None, "freeTags": None,
}
_IT: dict[str, Any] = {
    "countryExtensionVersion": None,
    "conforme": {"lineeGuidaDesign": None, "modelloInteroperabilita": None,
                 "misureMinimeSicurezza": None, "gdpr": None},
    "piattaforme": {"spid": None, "pagopa": None, "cie": None, "anpr": None, "io": None},
    "riuso": {"codiceIPA": None},
}
SCHEMA: dict[str, Any] = {
    "publiccodeYmlVersion": None, "name": None, "applicationSuite": None, "url": None,
    "landingURL": None, "isBasedOn": None, "softwareVersion": None, "releaseDate": None,
    "logo": None, "monochromeLogo": None, "inputTypes": None, "outputTypes": None,
    "platforms": None, "categories": None, "usedBy": None, "fundedBy": [_ORG], "roadmap": None,
    "developmentStatus": None, "softwareType": None, "organisation": _ORG,
    "intendedAudience": {"countries": None, "unsupportedCountries": None, "scope": None,
                         "onlyFor": None},
    "description": {"*": _DESC},
    "legal": {"license": None, "mainCopyrightOwner": None, "repoOwner": None, "authorsFile": None},
    "maintenance": {
        "type": None,
        "contractors": [{"name": None, "until": None, "email": None, "website": None}],
        "contacts": [{"name": None, "email": None, "phone": None, "affiliation": None}],
    },
    "localisation": {"localisationReady": None, "availableLanguages": None},
    "dependsOn": {"open": [_DEP], "proprietary": [_DEP], "hardware": [_DEP]},
    "supports": [{"id": None}],
    "IT": _IT, "it": _IT,
    "publiccode-yaml-version": None, "tags": None,
}

# Keys added after 0.2: using them in a file that declares an older version earns a warning.
SINCE: dict[str, Version] = {
    "organisation": (0, 5), "fundedBy": (0, 5), "IT": (0, 5), "supports": (0, 7),
}

_DROP = N_("Kunci ini usang dan akan dihapus; aman untuk dibuang.")
# Deprecated keys, by pattern ('*' = any language, '[]' = any item): (since version, message).
# Messages stay Indonesian here; keys.py translates them when it reports them.
DEPRECATED: dict[str, tuple[Version, str]] = {
    "monochromeLogo": ((0, 2), N_("Kunci ini usang; gunakan `logo`.")),
    "inputTypes": ((0, 2), _DROP),
    "outputTypes": ((0, 2), _DROP),
    "legal.authorsFile": ((0, 2), _DROP),
    "description.*.genericName": ((0, 2), _DROP),
    "legal.repoOwner": ((0, 5), N_("Kunci ini usang sejak versi 0.5; gunakan "
                                   "`organisation.name`.")),
    # the reference warns whatever version the file declares (it reads every file as the latest)
    "it": ((0, 2), N_("Kode negara huruf kecil sudah usang; gunakan `IT`.")),
    "IT": ((0, 7), N_("Bagian khusus Italia usang sejak versi 0.7; gunakan `supports` dan "
                      "`organisation`.")),
    "it.conforme": ((0, 2), N_("Bagian `conforme` usang; aman untuk dibuang.")),
    "IT.conforme": ((0, 2), N_("Bagian `conforme` usang; aman untuk dibuang.")),
    "it.riuso.codiceIPA": ((0, 5), N_("Kunci ini usang; gunakan `organisation.uri`.")),
    "IT.riuso.codiceIPA": ((0, 5), N_("Kunci ini usang; gunakan `organisation.uri`.")),
    # Spellings of version 0.1, renamed or removed in 0.2.
    "publiccode-yaml-version": ((0, 2), N_("Ejaan versi 0.1; gunakan `publiccodeYmlVersion`.")),
    "tags": ((0, 2), N_("Kunci versi 0.1; gunakan `categories`.")),
    "description.*.featureList": ((0, 2), N_("Kunci versi 0.1; gunakan `features`.")),
    "description.*.freeTags": ((0, 2), N_("Kunci versi 0.1 ini sudah dihapus dari standar.")),
    "intendedAudience.onlyFor": ((0, 2), N_("Kunci versi 0.1 ini sudah dihapus dari standar.")),
}
