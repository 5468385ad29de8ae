"""Threat protection drawn (issue #23, item 5), in Chromium: a pool's sign-ins over time by
risk level and by risk decision, and a user's timeline, as server-made SVG with a <title>,
a <desc>, a pattern per series (not colour alone) and the numbers in a table. The counts
are checked against what AdminListUserAuthEvents (boto3) says happened.

The sign-ins: two users at home (London), then one of them from a new device abroad an hour
later, threat protection in audit-only mode (tests/support/risk_console.py)."""
from collections import Counter
from urllib.parse import urlencode

import pytest

from tests.support.factories import RISK_PASSWORD, create_user, unique_name
from tests.support.risk_console import LONDON, MILTON, api_events, audited_pool, sign_in


@pytest.fixture
def audited(cognito, new_pool, clock):
    return audited_pool(cognito, new_pool, clock)


@pytest.fixture
def history(cognito, clock, audited):
    pool_id, client_id = audited
    ana = create_user(cognito, pool_id, unique_name("ana"), password=RISK_PASSWORD)
    ben = create_user(cognito, pool_id, unique_name("ben"), password=RISK_PASSWORD)
    sign_in(cognito, pool_id, client_id, ana, LONDON, "home-laptop")
    sign_in(cognito, pool_id, client_id, ben, LONDON, "office-pc")
    clock.advance(3600)
    sign_in(cognito, pool_id, client_id, ana, MILTON, "stranger-phone", "curl/8.0")
    return pool_id, ana, ben


def table_of(figure) -> dict[tuple[str, str], int]:
    """{(row header, column header): count} of a chart's data table."""
    table = figure.locator("table.chart-data")
    columns = [table.locator("thead th").nth(i).text_content()
               for i in range(table.locator("thead th").count())]
    out = {}
    rows = table.locator("tbody tr")
    for r in range(rows.count()):
        row = rows.nth(r)
        label = row.locator("th").inner_text()
        cells = row.locator("td")
        for c in range(cells.count()):
            out[(label, columns[c + 1])] = int(cells.nth(c).inner_text())
    return out


def bars_of(figure) -> dict[tuple[str, str], int]:
    bars = figure.locator("svg rect.bar")
    return {(bars.nth(i).get_attribute("data-bucket"), bars.nth(i).get_attribute("data-series")):
            int(bars.nth(i).get_attribute("data-count")) for i in range(bars.count())}


def test_pool_sign_ins_by_level_and_decision(cognito, endpoint, history, page):
    pool_id, ana, ben = history
    events = api_events(cognito, pool_id, ana) + api_events(cognito, pool_id, ben)
    levels = Counter(e["EventRisk"].get("RiskLevel") or "No risk" for e in events)
    decisions = Counter(e["EventRisk"]["RiskDecision"] for e in events)
    assert sum(levels.values()) == 3 and len(levels) >= 2    # the trip abroad scored higher

    page.goto(f"{endpoint}/_emulator/pool?{urlencode({'pool': pool_id})}")
    for ident, expected in (("chart-level", levels), ("chart-decision", decisions)):
        figure = page.locator(f"figure#{ident}")
        svg = figure.locator("svg")
        assert svg.get_attribute("role") == "img"
        title, desc = svg.locator("title").first, svg.locator("desc")
        assert svg.get_attribute("aria-labelledby") == \
            f"{title.get_attribute('id')} {desc.get_attribute('id')}"
        assert "3 events" in desc.text_content()
        # The table holds what the bars draw, and both what the API says happened.
        cells = {key: n for key, n in table_of(figure).items() if key[1] != "Total" and n}
        assert cells == bars_of(figure)
        per_series = Counter()
        for (_, series), n in cells.items():
            per_series[series] += n
        assert per_series == expected
        # Told apart without colour: each series its own pattern, and named in the legend.
        patterns = svg.locator("pattern")
        kinds = {patterns.nth(i).get_attribute("data-pattern") for i in range(patterns.count())}
        assert len(kinds) == len(expected)
        legend = svg.locator("g.legend-item text")
        assert sorted(legend.nth(i).text_content() for i in range(legend.count())) == \
            sorted(expected)
    # The hour between the two sign-ins: two buckets at least, ben's and ana's first first.
    assert len({bucket for bucket, _ in bars_of(page.locator("figure#chart-level"))}) == 2


def test_user_timeline_with_signals(cognito, endpoint, history, page):
    pool_id, ana, _ = history
    newest_first = api_events(cognito, pool_id, ana)
    page.goto(f"{endpoint}/_emulator/user?{urlencode({'pool': pool_id, 'user': ana})}")
    figure = page.locator("figure#chart-timeline")
    points = figure.locator("svg g.point")
    assert points.count() == len(newest_first) == 2
    rows = page.locator("table#timeline-data tbody tr")
    assert [rows.nth(i).get_attribute("data-event-id") for i in range(rows.count())] == \
        [e["EventId"] for e in reversed(newest_first)]
    for i, event in enumerate(reversed(newest_first)):
        level = event["EventRisk"].get("RiskLevel") or "No risk"
        assert points.nth(i).get_attribute("data-level") == level
        assert points.nth(i).get_attribute("data-number") == str(i + 1)
        assert rows.nth(i).locator("td.level").inner_text() == level
        assert rows.nth(i).locator("td.decision").inner_text() == \
            event["EventRisk"]["RiskDecision"]
    # The signals that fired abroad, as the detailed history lists them.
    fired = rows.nth(1).locator("td.signals").inner_text()
    assert fired != "none"
    assert f"signals: {fired}" in points.nth(1).locator("title").text_content()
    page.get_by_role("link", name="Every event in detail, with feedback").click()
    page.wait_for_url("**/_emulator/events?*")
    detail = page.locator("table#events tbody tr.event").first.locator("li.signal")
    names = [detail.nth(i).get_attribute("data-signal") for i in range(detail.count())]
    assert fired == ", ".join(names)
