"""Remote URL checks: https only, public addresses only, no secrets echoed, IPs pinned."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from catalog.vcs import UnsafeRemote, check_remote_url, create_mirror


def resolver_for(*ips: str):
    """A fake getaddrinfo; tests never send traffic to non-loopback addresses."""
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (ip, port)) for ip in ips]
    return resolve


def no_dns(*args, **kwargs):
    raise AssertionError("DNS must not be used for this URL")


PUBLIC = resolver_for("140.82.112.3")

HOSTILE = [
    ("ext::sh -c touch% /tmp/pwned", "whitespace"),
    ("ext::sh", "scheme"),
    ("fd::3", "scheme"),
    ("file:///etc", "scheme"),
    ("/srv/repos/simpeg.git", "scheme"),
    ("--upload-pack=touch /tmp/x", "whitespace"),
    ("--upload-pack=x", "option"),
    ("-uhttps://github.com/a/b", "option"),
    ("ssh://git@github.com/a/b.git", "scheme"),
    ("git@github.com:a/b.git", "scheme"),
    ("git://github.com/a/b.git", "scheme"),
    ("http://github.com/a/b.git", "scheme"),
    ("https://github.com/a/b.git\r\nHost: evil", "whitespace"),
    ("https://github.com/a/b.git\n", "whitespace"),
    ("https://github.com/a\x00b", "whitespace"),
    ("https://127.0.0.1/a.git", "internal"),
    ("https://10.1.2.3/a.git", "internal"),
    ("https://169.254.169.254/latest/meta-data", "internal"),
    ("https://100.64.0.1/a.git", "internal"),
    ("https://[::1]/a.git", "internal"),
    ("https://[::ffff:127.0.0.1]/a.git", "internal"),
    ("https://[64:ff9b::a00:1]/a.git", "internal"),
    ("https://[2002:0a00:0001::]/a.git", "internal"),
    ("https://[fe80::1]/a.git", "internal"),
    ("https://0177.0.0.1/a.git", "internal"),
    ("https://0x7f000001/a.git", "internal"),
    ("https://0x7f.1/a.git", "internal"),
    ("https://2130706433/a.git", "internal"),
    ("https://127.1/a.git", "internal"),
    ("https://0/a.git", "internal"),
    ("https://999.1.1.1/a.git", "host"),
    ("https://github.com%2f@evil/a", "credentials"),
    ("https://gith\\ub.com/a", "format"),
    ("https://github.com:99999/a", "port"),
]


@pytest.mark.parametrize("url,reason", HOSTILE)
def test_hostile_urls_refused(url, reason):
    with pytest.raises(UnsafeRemote) as err:
        check_remote_url(url, allow_local=False, resolver=PUBLIC)
    assert err.value.message_id == reason
    assert err.value.message


def test_credentials_refused_without_echoing_secret():
    with pytest.raises(UnsafeRemote) as err:
        check_remote_url("https://budi:Rahasia123@github.com/a/b.git", allow_local=False,
                         resolver=PUBLIC)
    assert err.value.message_id == "credentials"
    assert "Rahasia123" not in str(err.value) and "Rahasia123" not in err.value.message


@pytest.mark.parametrize("ips", [("140.82.112.3", "10.0.0.5"), ("192.168.1.10",),
                                 ("140.82.112.3", "::1"), ("fd00::1",), ("100.100.1.1",),
                                 ("2002:c0a8:0101::1",), ("::ffff:10.0.0.1",)])
def test_name_resolving_to_any_private_address_refused(ips):
    with pytest.raises(UnsafeRemote) as err:
        check_remote_url("https://git.contoh.go.id/a.git", allow_local=False,
                         resolver=resolver_for(*ips))
    assert err.value.message_id == "internal"
    assert "jaringan internal" in err.value.message


def test_unresolvable_name_refused():
    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")
    with pytest.raises(UnsafeRemote) as err:
        check_remote_url("https://tidak-ada.contoh.go.id/a.git", allow_local=False,
                         resolver=fail)
    assert err.value.message_id == "resolve"


def test_public_https_accepted_and_pinned():
    remote = check_remote_url("https://git.contoh.go.id:8443/opd/simpeg.git",
                              allow_local=False,
                              resolver=resolver_for("140.82.112.3", "2606:50c0:8000::153"))
    assert remote.host == "git.contoh.go.id" and remote.port == 8443
    assert remote.pinned_ips == ("140.82.112.3", "2606:50c0:8000::153")
    assert not remote.is_local
    opts = remote.git_options()
    assert opts.resolve == ("git.contoh.go.id:8443:140.82.112.3,[2606:50c0:8000::153]",)
    assert not opts.allow_file and not opts.allow_http


def test_public_ip_literal_needs_no_dns():
    remote = check_remote_url("https://140.82.112.3/a.git", allow_local=False, resolver=no_dns)
    assert remote.pinned_ips == ("140.82.112.3",) and remote.git_options().resolve == ()


def test_allow_local_accepts_paths_file_urls_and_loopback(tmp_path: Path):
    (tmp_path / "repo.git").mkdir()
    assert check_remote_url(str(tmp_path / "repo.git"), allow_local=True).is_local
    remote = check_remote_url(f"file://{tmp_path}/repo.git", allow_local=True)
    assert remote.url == str((tmp_path / "repo.git").resolve())
    assert remote.git_options().allow_file
    loop = check_remote_url("http://127.0.0.1:8080/a.git", allow_local=True, resolver=no_dns)
    assert loop.is_local and loop.git_options().allow_http
    named = check_remote_url("https://localhost/a.git", allow_local=True,
                             resolver=resolver_for("127.0.0.1", "::1"))
    assert named.is_local


def test_allow_local_still_refuses_transports_options_private_and_missing(tmp_path: Path):
    for url, reason in [("ext::sh", "scheme"), ("-x", "option"),
                        ("https://10.0.0.1/a.git", "internal"),
                        ("http://github.com/a.git", "scheme"),
                        (str(tmp_path / "missing"), "local_path"),
                        ("relative/path", "scheme")]:
        with pytest.raises(UnsafeRemote) as err:
            check_remote_url(url, allow_local=True, resolver=PUBLIC)
        assert err.value.message_id == reason, url


@pytest.mark.parametrize("url", ["ext::sh", "https://127.0.0.1/a.git",
                                 "https://u:p@github.com/a.git", "--upload-pack=x"])
def test_refused_url_leaves_no_directory(url, tmp_path: Path):
    dest = tmp_path / "mirrors" / "a.git"
    with pytest.raises(UnsafeRemote):
        create_mirror(dest, check_remote_url(url, allow_local=False, resolver=PUBLIC))
    assert not dest.exists() and not (tmp_path / "mirrors").exists()


def test_create_mirror_refuses_unchecked_string(tmp_path: Path):
    with pytest.raises(TypeError):
        create_mirror(tmp_path / "a.git", "https://github.com/a/b.git")  # type: ignore[arg-type]
    assert not (tmp_path / "a.git").exists()
