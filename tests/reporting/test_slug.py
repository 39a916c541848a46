"""File names from partnership names: safe and unique (issue 6, 'Safety')."""

import random

import pytest

from kemitraan_assess.reporting.slug import (
    FALLBACK_SLUG,
    MAX_SLUG_LENGTH,
    RESERVED_SLUGS,
    WINDOWS_RESERVED,
    slugify,
    unique_slugs,
)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..",
        ".",
        "a/b\\c",
        "C:\\Windows\\x",
        "name\0nul",
        "<script>alert(1)</script>",
        "=cmd|' /C calc'!A0",
        " \t\n",
        "",
        "😀😀",
        "Kemitraan Ké Séhat",
        "x" * 500,
        "-a-",
        "%2e%2e%2f",
    ],
)
def test_slug_is_a_safe_file_name(name):
    s = slugify(name)
    assert s and len(s) <= MAX_SLUG_LENGTH + len(f"-{FALLBACK_SLUG}")
    assert set(s) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert ".." not in s and "/" not in s and "\\" not in s
    assert not s.startswith("-") and not s.endswith("-") and "--" not in s
    assert s.split(".")[0] not in WINDOWS_RESERVED


@pytest.mark.parametrize("name", ["CON", "prn", "Aux", "NUL", "com1", "LPT9", "con.txt"])
def test_windows_device_names_are_never_slugs(name):
    assert slugify(name) not in WINDOWS_RESERVED


def test_accents_are_folded_and_empty_names_get_the_fallback():
    assert slugify("Forum Kesehatan Désa Ñusa") == "forum-kesehatan-desa-nusa"
    assert slugify("！？") == FALLBACK_SLUG


def test_long_names_are_cut_at_a_hyphen():
    s = slugify("Kemitraan Sanitasi Total Berbasis Masyarakat Kabupaten Lombok Timur Provinsi NTB")
    assert len(s) <= MAX_SLUG_LENGTH and not s.endswith("-")


def test_collisions_are_suffixed_deterministically_whatever_the_order():
    names = ["Forum B", "forum b", "FORUM-B", "Forum  B", "forum-b-2", "", "??"]
    first = unique_slugs(names)
    for _ in range(5):
        shuffled = names[:]
        random.Random(1).shuffle(shuffled)
        assert unique_slugs(shuffled) == first
    assert len(set(first.values())) == len(set(names))
    assert first["forum-b-2"] == "forum-b-2"  # a name that is already a slug keeps it
    assert {first[""], first["??"]} == {"partnership", "partnership-2"}


@pytest.mark.parametrize("name", ["Index", "INDEX", " index ", "índex", "index!"])
def test_names_the_batch_uses_for_its_own_files_are_never_slugs(name):
    # the portfolio page is index.html: a partnership called "Index" must not get it
    assert slugify(name) not in RESERVED_SLUGS
    slugs = unique_slugs([name, "Index Partnership", "index-partnership"])
    assert not set(slugs.values()) & RESERVED_SLUGS
    assert len(set(slugs.values())) == len(slugs)
