"""Output that scales: sitemaps split under Google's limits with a sitemap index, and a
manifest that, past `manifest_shard_pages`, becomes an index of JSON Lines shards (read by
publish, push and serve); below both limits, the files are what they always were."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import generated_project
from pipeline import cms, serve
from pipeline.config import load_settings
from pipeline.errors import PublishError
from pipeline.manifest import ManifestWriter, PreviousManifest, dump_line, read_manifest
from pipeline.project import Project
from pipeline.publish import PublishOptions, publish
from pipeline.sitemap import (
    MAX_BYTES,
    MAX_URLS,
    URLSET_CLOSE,
    URLSET_OPEN,
    SitemapWriter,
    sitemap_url,
)

REPO = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((REPO / "pipeline" / "schemas" / "manifest.schema.json").read_text())
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://www.example.org"

# The structure of sitemaps.org's sitemap.xsd and siteindex.xsd (0.9): a urlset of url (loc,
# then optional lastmod, changefreq, priority, then elements of other namespaces such as
# xhtml:link), a sitemapindex of sitemap (loc, optional lastmod); loc at most 2,048 characters.
SITEMAP_XSD = b"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9"
  xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" elementFormDefault="qualified">
  <xsd:simpleType name="tLoc">
    <xsd:restriction base="xsd:anyURI"><xsd:minLength value="12"/>
      <xsd:maxLength value="2048"/></xsd:restriction>
  </xsd:simpleType>
  <xsd:element name="urlset"><xsd:complexType><xsd:sequence>
    <xsd:element name="url" minOccurs="0" maxOccurs="unbounded"><xsd:complexType><xsd:sequence>
      <xsd:element name="loc" type="tLoc"/>
      <xsd:element name="lastmod" type="xsd:string" minOccurs="0"/>
      <xsd:element name="changefreq" type="xsd:string" minOccurs="0"/>
      <xsd:element name="priority" type="xsd:decimal" minOccurs="0"/>
      <xsd:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xsd:sequence></xsd:complexType></xsd:element>
  </xsd:sequence></xsd:complexType></xsd:element>
  <xsd:element name="sitemapindex"><xsd:complexType><xsd:sequence>
    <xsd:element name="sitemap" maxOccurs="unbounded"><xsd:complexType><xsd:sequence>
      <xsd:element name="loc" type="tLoc"/>
      <xsd:element name="lastmod" type="xsd:string" minOccurs="0"/>
    </xsd:sequence></xsd:complexType></xsd:element>
  </xsd:sequence></xsd:complexType></xsd:element>
</xsd:schema>
"""
VALIDATOR = etree.XMLSchema(etree.fromstring(SITEMAP_XSD))


def entry(number: int, alternates: int = 3) -> dict:
    """A synthetic page entry: what the sitemap writer reads of a manifest entry."""
    slug = f"article-{number:06d}"
    tags = [f"{language}-US" for language in ("de", "en", "es", "fr", "it", "ja", "ko", "nl")]
    return {
        "canonical": f"{BASE}/en-US/{slug}/",
        "alternates": [
            {"hreflang": tag, "href": f"{BASE}/{tag}/{slug}/"} for tag in tags[:alternates]
        ],
    }


def write_sitemap(folder: Path, entries, **limits) -> list[str]:
    writer = SitemapWriter(str(folder), BASE, **limits)
    for item in entries:
        writer.add(item)
    return writer.close()


def sitemap_locs(folder: Path, max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES) -> list:
    """Every page URL of the sitemap in `folder`, in order, each file checked against the
    limits and the sitemap schema."""
    root = etree.parse(str(folder / "sitemap.xml"))
    VALIDATOR.assertValid(root)
    if root.getroot().tag == f"{NS}urlset":
        files = [folder / "sitemap.xml"]
    else:
        locations = [loc.text for loc in root.iter(f"{NS}loc")]
        assert all(location.startswith(f"{BASE}/sitemap-") for location in locations)
        files = [folder / location.rpartition("/")[2] for location in locations]
        assert len(files) >= 2
    urls = []
    for path in files:
        assert path.stat().st_size <= max_bytes
        part = etree.parse(str(path))
        VALIDATOR.assertValid(part)
        assert part.getroot().tag == f"{NS}urlset"
        locs = [url.find(f"{NS}loc").text for url in part.getroot()]
        assert len(locs) <= max_urls and (locs or len(files) == 1)
        urls += locs
    return urls


def test_more_than_50000_urls_get_a_sitemap_index(tmp_path):
    count = MAX_URLS + 1234
    written = write_sitemap(tmp_path, (entry(n) for n in range(count)))
    assert [Path(p).name for p in written] == [
        "sitemap-0001.xml",
        "sitemap-0002.xml",
        "sitemap.xml",
    ]
    urls = sitemap_locs(tmp_path)
    assert urls == [entry(n)["canonical"] for n in range(count)]  # each once, in order


@settings(max_examples=40)
@given(
    st.integers(0, 60),
    st.integers(1, 8),
    st.integers(1, 12),
    st.integers(1200, 6000),  # one URL fits in a file (at 50 MB, always)
)
def test_every_file_stays_under_both_limits(
    tmp_path_factory, count, alternates, max_urls, max_bytes
):
    folder = tmp_path_factory.mktemp("sitemap")
    entries = [entry(n, alternates) for n in range(count)]
    write_sitemap(folder, entries, max_urls=max_urls, max_bytes=max_bytes)
    assert sitemap_locs(folder, max_urls, max_bytes) == [item["canonical"] for item in entries]
    whole = len(URLSET_OPEN + URLSET_CLOSE) + sum(len(sitemap_url(e)) for e in entries)
    if count <= max_urls and whole <= max_bytes:  # one file, as before the index existed
        assert sorted(p.name for p in folder.iterdir()) == ["sitemap.xml"]


def test_a_smaller_site_leaves_no_parts_of_a_larger_one(tmp_path):
    write_sitemap(tmp_path, (entry(n) for n in range(30)), max_urls=10)
    assert len(list(tmp_path.glob("sitemap-*.xml"))) == 3
    write_sitemap(tmp_path, (entry(n) for n in range(5)), max_urls=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sitemap.xml"]


# -- the manifest ------------------------------------------------------------------------------


def manifest_entry(number: int) -> dict:
    return {"region": "de-DE", "slug": f"article-{number:05d}", **entry(number), "path": "x"}


@settings(max_examples=30)
@given(st.integers(0, 40), st.integers(1, 12))
def test_the_manifest_shards_past_the_threshold(tmp_path_factory, count, shard_pages):
    folder = tmp_path_factory.mktemp("manifest")
    head = {"version": 1, "base_url": BASE, "source_locale": "en-US"}
    entries = [manifest_entry(n) for n in range(count)]
    writer = ManifestWriter(str(folder), head, shard_pages)
    for item in entries:
        writer.add(item)
    writer.close({"assets": [], "skipped": [], "warnings": []})
    data = json.loads((folder / "manifest.json").read_text())
    shards = sorted(folder.glob("manifest-*.jsonl"))
    if count <= shard_pages:  # exactly the layout of a manifest without shards
        assert shards == []
        lines = ",\n".join(dump_line(item) for item in entries)
        assert (folder / "manifest.json").read_text() == (
            dump_line(head)[:-1]
            + ',"pages":['
            + ("\n" + lines if entries else "")
            + '\n],"assets":[],"skipped":[],"warnings":[]}\n'
        )
    else:
        assert "pages" not in data
        assert [shard["path"] for shard in data["shards"]] == [p.name for p in shards]
        assert all(shard["pages"] == shard_pages for shard in data["shards"][:-1])
    assert read_manifest(folder)["pages"] == entries
    previous = PreviousManifest(folder)
    assert [item for item, _ in previous.pages()] == entries
    assert previous.sharded_as(shard_pages)


@pytest.fixture
def generated(tmp_path) -> Path:
    return generated_project(tmp_path / "project", 4, seed=5)


def set_shard_pages(root: Path, pages: int) -> Project:
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text().split("manifest_shard_pages")[0]
    pyproject.write_text(text + f"manifest_shard_pages = {pages}\n")
    return Project(load_settings(root))


def files_of(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_sharded_publish_is_read_by_publish_push_and_serve(generated):
    project = set_shard_pages(generated, 10_000)
    publish(project, PublishOptions(jobs=1))
    output = generated / "output"
    classic = files_of(output)
    pages = json.loads(classic["manifest.json"])["pages"]
    assert len(pages) == 4 * 7

    project = set_shard_pages(generated, 10)
    result = publish(project, PublishOptions(jobs=1))
    assert result.written and result.reused == 4 * 7  # a new layout, the same pages
    index = json.loads((output / "manifest.json").read_text())
    jsonschema.validate(index, SCHEMA)
    assert [shard["pages"] for shard in index["shards"]] == [10, 10, 8]
    lines = [
        json.loads(line)
        for shard in index["shards"]
        for line in (output / shard["path"]).read_text().splitlines()
    ]
    for line in lines:
        jsonschema.validate(line, {"$defs": SCHEMA["$defs"], "$ref": "#/$defs/page"})
    assert lines == pages
    assert cms.read_manifest(output)["pages"] == pages
    assert serve.read_manifest(output)["pages"] == pages
    assert publish(project, PublishOptions(jobs=1)).unchanged

    project = set_shard_pages(generated, 10_000)  # back under the threshold: as before
    publish(project, PublishOptions(jobs=1))
    assert files_of(output) == classic


def test_a_damaged_shard_is_named(generated):
    project = set_shard_pages(generated, 10)
    publish(project, PublishOptions(jobs=1))
    shard = generated / "output" / "manifest-0002.jsonl"
    shard.write_text(shard.read_text().replace("de-DE", "de-AT", 1))
    with pytest.raises(PublishError, match="manifest-0002.jsonl does not hold what the index says"):
        cms.read_manifest(generated / "output")
    result = publish(project, PublishOptions(jobs=1))  # publish repairs it
    assert result.written and any("rebuilding every page" in w for w in result.warnings)
    assert len(cms.read_manifest(generated / "output")["pages"]) == 4 * 7
