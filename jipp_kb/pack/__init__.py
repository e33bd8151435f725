"""Learning packs for workshop facilitators (``jipp-kb pack``); see ``build.py``."""

from jipp_kb.pack.build import PackError, PackResult, PackSpec, build_pack, build_packs

__all__ = ["PackError", "PackResult", "PackSpec", "build_pack", "build_packs"]
