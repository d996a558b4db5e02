"""The standby tree's pages, walked beside the publish instead of held in memory."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.output import INDEX, HeldPages, open_index

KEYS = st.tuples(st.sampled_from("abcdef"), st.sampled_from(["de-DE", "en-US", "es-MX"]))


def write_index(path, held: dict) -> None:
    lines = [f"{r}\t{s}\t{sha}\t{inputs}\n" for (s, r), (sha, inputs) in sorted(held.items())]
    path.write_text("".join(lines), encoding="utf-8")


@settings(max_examples=200, deadline=None)
@given(
    held=st.dictionaries(KEYS, st.tuples(st.sampled_from("xyz"), st.sampled_from("123"))),
    asked=st.sets(KEYS),
)
def test_walk_gives_what_a_dict_and_a_set_gave(tmp_path_factory, held, asked):
    """Pages asked for in (slug, region) order get what the index holds for them, and the
    pages never asked for are exactly those the publish must remove."""
    path = tmp_path_factory.mktemp("index") / INDEX
    write_index(path, held)
    pages = open_index(path)
    assert pages is not None
    for slug, region in sorted(asked):
        assert pages.take(slug, region) == held.get((slug, region))
    assert sorted(pages.rest()) == sorted(set(held) - asked)


def test_index_out_of_order_or_damaged_is_not_used(tmp_path):
    path = tmp_path / INDEX
    path.write_text("en-US\tb\tx\t1\nen-US\ta\tx\t1\n", encoding="utf-8")
    assert open_index(path) is None
    path.write_text("en-US\ta\tx\n", encoding="utf-8")
    assert open_index(path) is None
    path.write_bytes(b"en-US\ta\t\xff\t1\n")
    assert open_index(path) is None
    assert HeldPages(None).rest() == []


def test_standby_with_a_shuffled_index_is_rebuilt_and_output_stays_right(cli, project):
    """An index not in the walk's order (hand-edited, or from elsewhere) would make the walk
    drop pages it passed over: such a standby is not used, and the output is the same."""
    cli("publish")
    cli("publish", "--force")
    cli("publish", "--force")  # the standby now holds an index
    expected = {
        p.relative_to(project / "output"): p.read_bytes()
        for p in (project / "output").rglob("*")
        if p.is_file()
    }
    index = project / ".output.standby" / INDEX
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 2
    lines.sort(reverse=True)
    index.write_text("".join(lines), encoding="utf-8")
    cli("publish", "--force")
    found = {
        p.relative_to(project / "output"): p.read_bytes()
        for p in (project / "output").rglob("*")
        if p.is_file()
    }
    assert found == expected
