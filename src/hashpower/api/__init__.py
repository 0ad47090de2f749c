"""The REST API (FastAPI) and the web dashboard: the CLI's figures over HTTP, the same JSON keys.

The application is :data:`hashpower.api.app.app` (``uvicorn hashpower.api:app``); every route calls the
figures function of the command it mirrors (:mod:`hashpower.figures`).
"""

from hashpower.api.app import app

__all__ = ["app"]
