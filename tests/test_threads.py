import pytest

from geneft import threads


def _cgroup_v2(tmp_path, text):
    (tmp_path / "cpu.max").write_text(text)
    return tmp_path


def _cgroup_v1(tmp_path, quota, period=100000):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(str(quota))
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(str(period))
    return tmp_path


@pytest.fixture(autouse=True)
def no_override(monkeypatch):
    monkeypatch.delenv(threads.ENV, raising=False)


@pytest.mark.parametrize("text, quota", [("max 100000\n", None), ("150000 100000\n", 1.5),
                                         ("400000 100000", 4.0), ("garbage", None)], ids=str)
def test_cgroup_v2_quota(tmp_path, text, quota):
    assert threads.cgroup_quota(_cgroup_v2(tmp_path, text)) == quota


@pytest.mark.parametrize("quota_us, quota", [(-1, None), (50000, 0.5), (300000, 3.0)], ids=str)
def test_cgroup_v1_quota(tmp_path, quota_us, quota):
    assert threads.cgroup_quota(_cgroup_v1(tmp_path, quota_us)) == quota


def test_no_cgroup_files_means_no_quota(tmp_path):
    assert threads.cgroup_quota(tmp_path) is None


@pytest.mark.parametrize("affinity, cpu_max, usable", [
    (range(8), "max 100000", 8),          # no quota: the affinity mask
    (range(8), "150000 100000", 1),       # Binder-like: 8 cores visible, 1.5 CPUs of quota
    (range(2), "400000 100000", 2),       # quota above the mask: the mask
    (range(16), "50000 100000", 1),       # half a CPU: still one
], ids=str)
def test_usable_cpus_takes_the_smaller_of_mask_and_quota(tmp_path, affinity, cpu_max, usable):
    assert threads.usable_cpus(affinity=affinity, root=_cgroup_v2(tmp_path, cpu_max)) == usable


def test_environment_overrides_and_is_checked(monkeypatch, tmp_path):
    monkeypatch.setenv(threads.ENV, "3")
    assert threads.usable_cpus(affinity=range(64), root=tmp_path) == 3
    monkeypatch.setenv(threads.ENV, "zero")
    with pytest.raises(ValueError, match="GENEFT_CPUS must be a positive integer"):
        threads.usable_cpus()


@pytest.mark.parametrize("workers, cpus, expected", [
    (1, 8, (1, 8)), (2, 8, (2, 4)), (3, 8, (3, 2)), (8, 2, (2, 1)), (4, 1, (1, 1))], ids=str)
def test_plan_never_oversubscribes(workers, cpus, expected):
    processes, per = threads.plan(workers, cpus=cpus)
    assert (processes, per) == expected and processes * per <= max(cpus, 1)


def test_plan_rejects_bad_workers():
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        threads.plan(0, cpus=2)


def test_one_thread_below_small_floats_and_the_count_restored_even_after_an_error():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with threads.one_thread_if_small(threads.SMALL_FLOATS):          # not small
            assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError), threads.one_thread_if_small(threads.SMALL_FLOATS - 1):
            assert torch.get_num_threads() == 1
            raise RuntimeError("inside")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
