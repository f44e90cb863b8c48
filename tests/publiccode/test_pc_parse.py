"""Parsing: YAML 1.2 semantics, limits against hostile input, and Indonesian error messages."""
from __future__ import annotations

from catalog.publiccode import MAX_BYTES, MAX_DEPTH, parse


def test_returns_plain_mapping_with_yaml_1_2_scalars():
    result = parse("a: yes\nb: 2026-01-31\nc: '0.4'\nd: on\n")
    assert result.ok
    # YAML 1.2: yes/on are text, and dates stay the text written.
    assert result.doc == {"a": "yes", "b": "2026-01-31", "c": "0.4", "d": "on"}


def test_accepts_bytes_with_bom():
    assert parse("\ufeffname: Srikandi\n".encode()).doc == {"name": "Srikandi"}


def test_invalid_utf8():
    result = parse(b"name: \xff\xfe\n")
    assert result.doc is None and result.errors[0].message == "Berkas harus berenkode UTF-8."


def test_size_limit_counts_bytes():
    assert parse("a: " + "x" * (MAX_BYTES - 10)).ok
    result = parse(b"a: " + b"x" * MAX_BYTES)
    assert result.doc is None and "terlalu besar" in result.errors[0].message


def test_depth_limit():
    def nested(n: int) -> str:
        return "a: " + "[" * (n - 1) + "1" + "]" * (n - 1)

    assert parse(nested(MAX_DEPTH)).ok  # the root mapping counts as one level
    result = parse(nested(MAX_DEPTH + 1))
    assert result.doc is None and "terlalu dalam" in result.errors[0].message


def test_refuses_any_alias():
    result = parse("a: &x halo\nb: *x\n")
    assert result.doc is None and "Alias" in result.errors[0].message
    assert "baris 2" in result.errors[0].message


def test_anchor_without_alias_is_harmless():
    assert parse("a: &x halo\n").doc == {"a": "halo"}


def test_refuses_exotic_tags():
    for text in ("a: !!binary aGFsbw==\n", "a: !!python/object:os.system x\n", "a: !!set {x}\n"):
        result = parse(text)
        assert result.doc is None and "Tag YAML" in result.errors[0].message, text


def test_core_tags_are_fine():
    assert parse("a: !!str 1\n").doc == {"a": "1"}


def test_non_mapping_root_and_empty_file():
    assert "pemetaan" in parse("- a\n- b\n").errors[0].message
    assert "pemetaan" in parse("just text\n").errors[0].message
    assert parse("# hanya komentar\n").errors[0].message == "Berkas kosong."


def test_duplicate_keys_and_multiple_documents():
    assert "dua kali" in parse("a: 1\na: 2\n").errors[0].message
    assert "satu dokumen" in parse("a: 1\n---\nb: 2\n").errors[0].message


def test_syntax_error_names_line():
    result = parse("name: Srikandi\nurl: [\n")
    assert result.errors[0].path == "" and "baris" in result.errors[0].message


def test_tab_indentation_explained():
    assert "tab" in parse("a:\n\t- b\n").errors[0].message


def test_yaml_1_1_directive_warns():
    result = parse("%YAML 1.1\n---\nname: Srikandi\n")
    assert result.ok and "YAML 1.1" in result.warnings[0].message
