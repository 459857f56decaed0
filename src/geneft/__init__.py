"""geneft: the library behind the GenEFT book (Baek, Liu, Tegmark, arXiv 2402.05916).

Modules follow the paper: `tasks` (relations and datasets), `statics` (description length and
critical data size), `montecarlo` (Appendix-D achievable accuracy), `models` (encoder and
decoders), `train` (the batched trainer), `plots` (the book's figure style), `tables` (tables
for people), `progress` (progress bars), `threads` (how many CPUs to use).
"""
import os as _os
import sys as _sys

__version__ = "0.1.0"

# torch's OpenMP threads spin-wait between parallel regions; on a CPU shared with another busy
# process that made a chapter 6x slower on 2 threads than on 1 (measured: twolayer.simulate,
# 141 s vs 23 s; with OMP_WAIT_POLICY=PASSIVE, 2 threads beat 1). The policy is read once, when
# the OpenMP runtime starts, so it must be set before torch is first imported. An explicit value
# in the environment wins.
# Intra-op threads: the CPUs this process may really use (affinity and cgroup quota, see
# `geneft.threads`), not every core the machine has.
if "torch" not in _sys.modules:
    _os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from .threads import usable_cpus as _usable_cpus
        if not _os.environ.get("OMP_NUM_THREADS"):
            _os.environ["OMP_NUM_THREADS"] = str(_usable_cpus())
    except ValueError:          # a bad $GENEFT_CPUS: reported where it is used (threads.plan)
        pass
