"""The HTML briefing: a self-contained report with charts (:func:`.html.write_html`)."""
