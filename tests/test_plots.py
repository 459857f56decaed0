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


def test_lr_phase_panels_fit_the_column_with_a_legend_for_every_mark():
    import numpy as np
    import pandas as pd
    from geneft import phases
    lrs = [1e-4, 1e-3, 1e-2]
    cells = pd.DataFrame([{"lr_enc": e, "lr_dec": d,
                           "phase": "memorization" if d / e > 10 else "generalization"}
                          for e in lrs for d in lrs])
    points = phases.phase_boundary(cells)
    fig = plots.lr_phase_panels({"a": (cells, phases.fit_boundary(points), points),
                                 "b": (cells, phases.fit_boundary(points), points)})
    assert fig.get_size_inches()[0] <= plots.WIDTH
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"G generalization", "fitted boundary", "boundary points"} <= set(labels)
    assert all(t.get_fontsize() >= 8 for ax in fig.axes for t in ax.texts)
    assert np.all([ax.get_title() for ax in fig.axes] == ["a", "b"])
    plt.close(fig)


def test_embedding_snapshots_one_row_per_run_within_the_column():
    import numpy as np
    path = np.random.default_rng(0).normal(size=(5, 6, 2))                 # (T, n, 2)
    steps = np.array([0, 10, 20, 30, 35])
    fig = plots.embedding_snapshots({"one": (steps, path), "two": (steps, path)},
                                    np.array([0, 1, 2, 0, 1, 2]))
    assert fig.get_size_inches()[0] <= plots.WIDTH and len(fig.axes) == 6
    assert [ax.get_title() for ax in fig.axes[:3]] == ["step 0", "step 20", "step 35"]
    assert fig.axes[3].get_ylabel() == "two"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["class 0", "class 1", "class 2"]
    plt.close(fig)


def test_capacity_maps_fit_the_column_with_readable_cell_labels():
    import pandas as pd
    cells = pd.DataFrame([{"depth": d, "width": w, "test_acc_mean": 0.6 + 0.05 * d,
                           "train_acc_mean": 0.9, "phase": "generalization"}
                          for d in (1, 2, 3) for w in (2, 5, 10, 20, 50, 100)])
    fig = plots.capacity_maps(cells)
    assert fig.get_size_inches()[0] <= plots.WIDTH
    test_ax, train_ax = fig.axes[:2]
    assert len(test_ax.texts) == len(train_ax.texts) == 18
    assert test_ax.texts[0].get_text() == "0.65\nG" and train_ax.texts[0].get_text() == "0.90"
    assert all(t.get_fontsize() >= 8 for ax in fig.axes for t in ax.texts)
    plt.close(fig)


def test_embedding_grid_fills_rows_and_hides_the_empty_panel():
    import numpy as np
    labels = np.arange(9) % 3
    examples = {name: np.random.default_rng(k).normal(size=(9, 2))
                for k, name in enumerate(("a", "b", "c"))}
    fig = plots.embedding_grid(examples, labels)
    assert fig.get_size_inches()[0] <= plots.WIDTH
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["a", "b", "c"] and len(fig.axes) == 4
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["class 0", "class 1", "class 2"]
    plt.close(fig)
