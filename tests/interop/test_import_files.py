"""Issue 14, item 3: importing from a repository checks the files its publiccode.yml names (logo,
screenshots, authorsFile) in the tree of the commit it read, key by key, as the reference parser
checks them next to the file; pasted text has no tree and addresses are not fetched."""
from __future__ import annotations

import json
import struct
import zlib

import pytest

from catalog.vcs.runner import run_git
from tests.interop.conftest import source_repo  # noqa: F401  (a real upstream repository)
from tests.publiccode.conftest import make_doc


def png(width: int, height: int = 200, padding: int = 0) -> bytes:
    """A PNG signature and IHDR chunk (what the check reads), padded to a size."""
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
            + b"\0" * padding)


def commit(repo, files: dict[str, bytes]) -> None:
    """One commit on main with these files (binary content kept as it is)."""
    parent = run_git(["rev-parse", "refs/heads/main"], git_dir=repo).text.strip()
    lines = [b"commit refs/heads/main", b"committer Penerbit <noreply@katalog.invalid> 1741000000 +0700",
             b"data 17", b"Berkas publiccode", b"from " + parent.encode()]
    for path, data in files.items():
        lines += [f"M 100644 inline {path}".encode(), f"data {len(data)}".encode(), data]
    run_git(["fast-import", "--quiet"], git_dir=repo, input=b"\n".join(lines) + b"\n")


def document(**keys) -> bytes:
    doc = make_doc("0")
    doc.update({k: v for k, v in keys.items() if k != "screenshots"})
    if "screenshots" in keys:
        doc["description"]["id"]["screenshots"] = keys["screenshots"]
    return json.dumps(doc, indent=2).encode()  # JSON is YAML 1.2


@pytest.fixture
def import_repo(client, make_user, token_for, source_repo):  # noqa: F811
    headers = token_for(make_user("admin", "komdigi"))

    def run(files: dict[str, bytes]):
        commit(source_repo, files)
        return client.post("/api/v1/apps/import", json={"repo_url": str(source_repo), "org": "21"},
                           headers=headers)
    return run


def test_every_named_file_present_imports(import_repo):
    r = import_repo({"img/logo.png": png(240), "docs/layar-1.png": png(800), "AUTHORS": b"Tim\n",
                     "publiccode.yml": document(logo="./img/logo.png", screenshots=["docs/layar-1.png"],
                                                legal={"license": "MIT", "authorsFile": "AUTHORS"})})
    assert r.status_code == 201, r.json
    assert set(r.json["warnings"]) >= {"legal.authorsFile"}  # deprecated key, as the reference warns


def test_missing_logo_is_an_error_on_its_key(import_repo):
    r = import_repo({"publiccode.yml": document(logo="img/tidak-ada.png")})
    assert r.status_code == 422, r.json
    assert set(r.json["fields"]) == {"logo"}
    assert "img/tidak-ada.png" in r.json["fields"]["logo"]


def test_missing_screenshot_is_an_error_on_its_item(import_repo):
    r = import_repo({"docs/layar-1.png": png(800),
                     "publiccode.yml": document(screenshots=["docs/layar-1.png", "docs/layar-2.png"])})
    assert r.status_code == 422, r.json
    assert set(r.json["fields"]) == {"description.id.screenshots[1]"}


def test_missing_authors_file_is_an_error(import_repo):
    r = import_repo({"publiccode.yml": document(legal={"license": "MIT", "authorsFile": "AUTHORS.txt"})})
    assert r.status_code == 422, r.json
    assert set(r.json["fields"]) == {"legal.authorsFile"}


def test_a_folder_is_not_a_logo(import_repo):
    r = import_repo({"logo.png/README": b"bukan logo\n", "publiccode.yml": document(logo="logo.png")})
    assert r.status_code == 422 and set(r.json["fields"]) == {"logo"}


@pytest.mark.parametrize("content", [b"bukan gambar", png(64)], ids=["not-a-png", "too-narrow"])
def test_a_png_logo_must_decode_and_be_wide_enough(import_repo, content):
    r = import_repo({"logo.png": content, "publiccode.yml": document(logo="logo.png")})
    assert r.status_code == 422 and set(r.json["fields"]) == {"logo"}


def test_a_logo_over_the_fetch_cap_is_found_in_the_tree(import_repo):
    """The peek leaves blobs over 256 KiB out of its fetch; the tree still lists them."""
    r = import_repo({"logo.png": png(240, padding=400 * 1024), "publiccode.yml": document(logo="logo.png")})
    assert r.status_code == 201, r.json


def test_an_address_is_not_fetched(import_repo):
    r = import_repo({"publiccode.yml": document(logo="https://contoh.example/tidak-ada.svg")})
    assert r.status_code == 201, r.json


def test_pasted_text_has_no_tree_to_check(client, make_user, token_for):
    text = document(logo="img/tidak-ada.png").decode()
    r = client.post("/api/v1/apps/import", json={"publiccode_yml": text},
                    headers=token_for(make_user("publisher", "21")))
    assert r.status_code == 201, r.json
