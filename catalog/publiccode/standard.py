"""Closed lists of the standard (0.7) that the reader checks values against, all offline."""
from __future__ import annotations

import re

# docs/standard/categories-list.rst of publiccode.yml 0.7, `other` included.
CATEGORIES = frozenset("""
accounting agile-project-management applicant-tracking application-development
appointment-scheduling backup billing-and-invoicing blog budgeting business-intelligence
business-process-management cad call-center-management cloud-management collaboration
communications compliance-management contact-management content-management crm
customer-service-and-support data-analytics data-collection data-visualization design
design-system digital-asset-management digital-citizenship document-management donor-management
e-commerce e-signature educational-content email-management email-marketing employee-management
enterprise-project-management enterprise-social-networking erp event-management
facility-management feedback-and-reviews-management financial-reporting fleet-management
fundraising gamification geographic-information-systems grant-management graphic-design
help-desk hr ide identity-management instant-messaging integrated-library-system
inventory-management it-asset-management it-development it-management it-security
it-service-management knowledge-management learning-management-system marketing mind-mapping
mobile-marketing mobile-payment network-management office online-booking online-community
payment-gateway payroll predictive-analysis procurement productivity-suite
project-collaboration project-management property-management real-estate-management
regulations-and-directives remote-support resource-management sales-management seo
service-desk social-media-management survey talent-management task-management
taxes-management test-management time-management time-tracking translation video-conferencing
video-editing visitor-management voip warehouse-management web-collaboration web-conferencing
website-builder whistleblowing workflow-management other
""".split())

# ISO 3166-1 alpha-2: the 249 officially assigned codes.
COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW
""".split())

# Logo formats the standard names (SVG, SVGZ, PNG).
LOGO_EXTENSIONS = (".svg", ".svgz", ".png")

# A media type as RFC 6838 section 4.2 spells its names: type "/" subtype, restricted names
# of 1-127 characters starting with a letter or digit; no parameters.
_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
MIME_RE = re.compile(rf"^{_NAME}/{_NAME}$")

# Italian extension: the versions of the country section the reference knows.
IT_EXTENSION_VERSIONS = ("0.2", "1.0")
# Codes of the Indice PA are short lowercase identifiers (letters, digits, underscore); the
# registry itself is not shipped, so only the form is checked.
IPA_CODE_RE = re.compile(r"^[a-z0-9_]{2,20}$", re.I)
ITALIAN_PA_URN = "urn:x-italian-pa:"

# Video addresses served by an oEmbed provider (oembed.com's registry), as host → path
# prefixes; without network access a video link is accepted only when it matches one of them.
OEMBED_VIDEO = {
    "youtube.com": ("/watch", "/v/", "/embed/", "/shorts/", "/live/", "/playlist"),
    "www.youtube.com": ("/watch", "/v/", "/embed/", "/shorts/", "/live/", "/playlist"),
    "m.youtube.com": ("/watch", "/shorts/"),
    "youtu.be": ("/",),
    "vimeo.com": ("/",),
    "www.vimeo.com": ("/",),
    "player.vimeo.com": ("/video/",),
    "www.dailymotion.com": ("/video/",),
    "dailymotion.com": ("/video/",),
    "dai.ly": ("/",),
    "www.ted.com": ("/talks/",),
    "ted.com": ("/talks/",),
    "www.facebook.com": ("/",),
    "fb.watch": ("/",),
    "www.twitch.tv": ("/videos/",),
    "clips.twitch.tv": ("/",),
    "www.loom.com": ("/share/",),
    "odysee.com": ("/",),
    "www.kickstarter.com": ("/projects/",),
    "livestream.com": ("/",),
    "www.mixcloud.com": ("/",),
    "soundcloud.com": ("/",),
    "www.slideshare.net": ("/",),
    "speakerdeck.com": ("/",),
    "www.canva.com": ("/design/",),
    "tv.kakao.com": ("/channel/",),
    "www.tiktok.com": ("/",),
}
