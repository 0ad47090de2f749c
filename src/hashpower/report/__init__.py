"""The HTML briefing: a self-contained report with charts, written from :func:`hashpower.figures.brief.brief_figures`."""
