"""The dashboard's "Miner indicators" panel in a real browser: Hash Ribbons' state and the two Puell multiples.

As in ``test_dashboard.py``: headless Debian chromium (the system's ``chromium``, never ``playwright install``)
driven by Playwright against a real server; on CI (``CI=true``) a missing chromium or Playwright is a failure,
elsewhere a skip with the reason.
"""

from __future__ import annotations

import httpx
import pytest
from liveserver import Server
from test_dashboard import ARTIFACTS, WAIT_MS, Watch, _fig, _set, browser, chromium_path  # noqa: F401 - fixtures


def _check_panel(page, ind: dict, day: str) -> None:
    hr = ind["hash_ribbons"]
    assert page.get_attribute("#ribbon-state", "data-value") == hr["state"]
    assert page.text_content("#ribbon-state").startswith(hr["state"])
    assert page.text_content("#indicators-date").strip() == f"on {day}"
    assert _fig(page, "#ribbon-smas") == pytest.approx(hr["hashrate_ehs_sma_30d"], rel=1e-12)
    assert page.get_attribute("#ribbon-buy", "data-value") == hr["last_buy_signal_date"]
    assert _fig(page, "#puell") == pytest.approx(ind["puell_multiple"], rel=1e-12)
    assert _fig(page, "#puell-adjusted") == pytest.approx(ind["puell_multiple_difficulty_adjusted"], rel=1e-12)


def test_indicators_panel(browser, server: Server):  # noqa: F811 - the fixture imported above
    api = httpx.Client(base_url=server.url, timeout=30)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch = Watch(context)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    try:
        page.goto(f"{server.url}/")
        page.wait_for_function("document.body.dataset.figures === '1'")
        assert page.text_content("#error").strip() == "", page.text_content("#error")
        for i in ("ribbon-state", "ribbon-smas", "ribbon-buy", "puell", "puell-adjusted"):
            text = page.text_content(f"#{i}").strip()
            assert text and text not in ("–", "n/a"), (i, text)
        net = api.get("/v1/network", params={"power_price": 0.06}).json()
        _check_panel(page, net["indicators"], net["date"])

        # the day the 2022 capitulation's end was confirmed: recovery, and Edwards' buy signal of that day
        day = "2022-08-20"
        _set(page, "#date", day)
        page.wait_for_selector(f"#ribbon-state[data-date='{day}']")
        ind = api.get("/v1/network", params={"date": day, "power_price": 0.06}).json()["indicators"]
        _check_panel(page, ind, day)
        assert page.get_attribute("#ribbon-state", "data-value") == "recovery"
        assert page.text_content("#ribbon-buy").strip() == day

        # inside a capitulation the panel says since how long
        day = "2022-07-10"
        _set(page, "#date", day)
        page.wait_for_selector(f"#ribbon-state[data-date='{day}']")
        ind = api.get("/v1/network", params={"date": day, "power_price": 0.06}).json()["indicators"]
        _check_panel(page, ind, day)
        assert page.text_content("#ribbon-state").strip() == (
            f"capitulation ({ind['hash_ribbons']['capitulation_days']} days)")
        assert "ribbon-capitulation" in page.get_attribute("#ribbon-state", "class")

        assert page.text_content("#error").strip() == "", page.text_content("#error")
        assert watch.page_errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#indicators").screenshot(path=str(ARTIFACTS / "dashboard_indicators.png"))
    finally:
        context.close()
        api.close()
    assert watch.foreign == [], f"requests off 127.0.0.1: {watch.foreign}"
