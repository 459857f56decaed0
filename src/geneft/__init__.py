"""geneft: the library behind the GenEFT book (Baek, Liu, Tegmark, arXiv 2402.05916).

Modules follow the paper: `tasks` (relations and datasets), `statics` (description length and
critical data size), `montecarlo` (Appendix-D achievable accuracy), `models` (encoder and
decoders), `train` (the batched trainer), `plots` (the book's figure style).
"""
__version__ = "0.1.0"
