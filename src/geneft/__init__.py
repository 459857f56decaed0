"""geneft: the library behind the GenEFT book (Baek, Liu, Tegmark, arXiv 2402.05916).

One module per concept, in the order the book meets them (this map is the one list of modules;
the tests check it against the package and the README):

    tasks            relations on n symbols, their pairs and train/test splits
    statics          automorphisms, description length, critical training fraction (chapter 1)
    montecarlo       the ideal reasoner's accuracy, by Monte Carlo over its posterior (chapter 1)
    models           the encoder (embeddings) and the MLP decoders, batched over many models
    train            the batched full-batch Adam trainer, with its autograd reference
    fasttrain        the same trainer with hand-written gradients (faster on CPU)
    runcache         the run cache's files and shards (job arrays), shared by sweeps and units
    sweeps           the sweep engine: runs declared as data, trained in batches, cached, sharded
    units            the other chapters' pieces of work, cached and sharded like the sweeps
    store            full-size results with their provenance, in data/
    phases           the paper's Table IV phases, phase maps and the Goldilocks verdicts (chapter 2)
    representations  how embeddings cluster: silhouette and its link to accuracy
    repons           repon dynamics and the learning-rate phase diagram (chapter 3)
    fieldtheory      field-theory learning curves of deep networks (chapter 4)
    twolayer         dynamical mean-field theory of two-layer networks (chapter 5)
    duality          the activity-weight duality (chapter 6)
    digits           chapter 6's experiment: digits, MLPs, the sweep, the GenEFT bridge, verdicts
    paper            the numbers the paper reports
    scorecard        the scorecard: claims, statuses, the table
    profiles         each chapter's parameters, their quick and full values and their checks
    runner           executing a chapter with papermill, with a run record
    cli              the `geneft` command
    plots            the book's figure style, shared figures and each chapter's figures
    live             live figures: Vega-Lite charts that run in the static site
    tables           tables for people
    progress         progress bars
    threads          how many CPUs to use, and how many threads per process
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
