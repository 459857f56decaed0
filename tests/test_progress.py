import pytest

from geneft import progress


@pytest.mark.parametrize("env, asked, shown", [
    (None, True, True), (None, False, False), ("0", True, False), ("off", True, False),
    ("1", True, True), ("1", False, False),
], ids=str)
def test_env_turns_bars_off_whatever_the_caller_asked(monkeypatch, env, asked, shown):
    if env is None:
        monkeypatch.delenv(progress.ENV, raising=False)
    else:
        monkeypatch.setenv(progress.ENV, env)
    assert progress.enabled(asked) is shown
    assert progress.bar(range(2), progress=asked).disable is (not shown)
