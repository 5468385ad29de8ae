"""The threat-protection console's error answers and its neighbours, over plain HTTP (the
browser walk-through is tests/browser/test_risk_console.py). The console's guard wants the
CSRF token of the client's console session in every form post (web/console/guard.py;
tests/api/test_console_guard.py): the client reads it from the events page first."""
import re

import pytest

from tests.support.factories import RISK_PASSWORD, create_user, unique_name
from tests.support.risk_console import LONDON, api_events, audited_pool, sign_in


@pytest.fixture
def audited(cognito, new_pool, clock):
    return audited_pool(cognito, new_pool, clock)


def test_errors_and_neighbours(cognito, endpoint, audited, http):
    pool_id, client_id = audited
    name = create_user(cognito, pool_id, unique_name("cy"), password=RISK_PASSWORD)
    sign_in(cognito, pool_id, client_id, name, LONDON, "home-laptop")
    event_id = api_events(cognito, pool_id, name)[0]["EventId"]

    missing = http.get("/_emulator/events")
    assert missing.status_code == 400
    unknown = http.get("/_emulator/events", params={"pool": "us-east-1_Nope00000", "user": name})
    assert unknown.status_code == 404
    assert "User pool us-east-1_Nope00000 does not exist." in unknown.text
    nobody = http.get("/_emulator/events", params={"pool": pool_id, "user": "nobody-here"})
    assert nobody.status_code == 404

    page = http.get("/_emulator/events", params={"pool": pool_id, "user": name}).text
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    form = {"pool": pool_id, "user": name, "event": event_id, "value": "Invalid", "_csrf": csrf}
    bad = http.post("/_emulator/events/feedback", data={**form, "value": "Maybe"})
    assert bad.status_code == 400
    gone = http.post("/_emulator/events/feedback", data={**form, "event": "no-such-event"})
    assert gone.status_code == 400
    assert "ResourceNotFoundException" in gone.text
    foreign = http.post("/_emulator/events/feedback", data=form,
                        headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403
    assert "EventFeedback" not in api_events(cognito, pool_id, name)[0]

    # Threat protection switched off: feedback is refused as AdminUpdateAuthEventFeedback
    # refuses it; the recorded history still shows.
    cognito.update_user_pool(UserPoolId=pool_id, UserPoolTier="PLUS",
                             UserPoolAddOns={"AdvancedSecurityMode": "OFF"})
    off = http.post("/_emulator/events/feedback", data=form)
    assert off.status_code == 400
    assert "UserPoolAddOnNotEnabledException" in off.text
    assert event_id in http.get("/_emulator/events", params={"pool": pool_id, "user": name}).text

    # The other /_emulator endpoints are untouched by the console's index.
    assert http.get("/_emulator/health").json()["status"] == "ok"
    assert "now" in http.get("/_emulator/clock").json()
