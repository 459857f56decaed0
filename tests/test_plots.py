"""Figure helpers: the provenance line under every figure."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from geneft import plots, profiles  # noqa: E402


def texts(fig):
    return [t.get_text() for t in fig.texts]


def test_show_stamps_the_provenance_line_once(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda: None)
    plots.use_style(stamp="repons, profile quick, config abc, commit 1234567")
    fig = plt.figure()
    plots.show(fig)
    plots.show(fig)
    assert texts(fig) == ["repons, profile quick, config abc, commit 1234567"]
    stored = plt.figure()
    plots.provenance(stored, "full-size run of 2026-11-24 on GPU")
    plots.show(stored)                      # a figure with its own provenance keeps it
    assert texts(stored) == ["full-size run of 2026-11-24 on GPU"]
    plots.use_style()
    bare = plt.figure()
    plots.show(bare)
    assert texts(bare) == []
    plt.close("all")


def test_chapter_provenance_names_the_profile_and_hashes_what_decides_the_numbers():
    quick = profiles.resolve("repons", "quick")
    line = profiles.provenance("repons", quick)
    assert line.startswith("repons, profile quick, config ")
    # workers, cache and device change how it runs, not its numbers
    assert profiles.provenance("repons", profiles.resolve("repons", "quick", workers=1,
                                                          device="cpu")) == line
    other = profiles.provenance("repons", profiles.resolve("repons", "quick", steps=10))
    assert "profile custom" in other and other.split("config ")[1][:12] != line.split(
        "config ")[1][:12]
    assert "profile full" in profiles.provenance("repons", profiles.resolve("repons", "full"))
