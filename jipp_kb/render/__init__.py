"""The static site: case studies to HTML pages, feeds, a sitemap and a Pagefind index.

``jipp_kb.render.site.build_site`` is the entry point; ``docs/site.md`` explains
how the site is built and published.
"""
