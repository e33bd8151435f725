"""The packaged theme (``jipp_kb.theme``): this folder ships inside the wheel; see jipp_kb/render/theme.py."""
