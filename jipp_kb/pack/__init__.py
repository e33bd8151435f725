"""Learning packs for workshop facilitators (``jipp-kb pack``); see ``build.py``."""

from jipp_kb.pack.build import PackResult, build_pack, build_packs
from jipp_kb.pack.documents import PackSpec
from jipp_kb.pack.select import PackError

__all__ = ["PackError", "PackResult", "PackSpec", "build_pack", "build_packs"]
