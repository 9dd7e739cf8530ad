"""The contracts the dashboard's forms and the API share, over generated input (seeded, bounded):
a filter set survives the round trip through its URL form, and a goal or funnel that
app/reports/goals.py accepts is one the database stores (its CHECK constraints agree), while
one it refuses says why."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app.reports import filters, goals

SEEDED = hypothesis_settings(max_examples=150, derandomize=True, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.one_of(st.text(max_size=40), st.sampled_from(["a\x00b", "/a\x00", "\ud800", "/\udfff"]))


@SEEDED
@given(st.dictionaries(st.sampled_from([*filters.DIMENSIONS]),
                       st.dictionaries(st.sampled_from(["eq", "ne", "has", "hasnt"]),
                                       st.lists(TEXT.filter(bool), min_size=1, max_size=3), min_size=1),
                       max_size=4))
def test_filters_survive_their_url_form(rules):
    assert filters.parse(filters.expressions(rules)) == rules


def pieces():
    names = st.one_of(TEXT, st.just("Signup"))
    pages = st.one_of(st.none(), TEXT, TEXT.map(lambda t: "/" + t), st.just("/blog/*"))
    events = st.one_of(st.none(), TEXT, st.from_regex(r"[\w .:/-]{1,64}", fullmatch=True))
    props = st.one_of(st.none(), st.dictionaries(TEXT, st.one_of(TEXT, st.integers(), st.booleans(), st.none()),
                                                 max_size=3))
    return st.tuples(names, pages, events, props)


@SEEDED
@given(st.lists(pieces(), min_size=1, max_size=4))
def test_a_goal_the_checks_accept_is_stored_and_one_they_refuse_says_why(admin, owner, property_id, tried):
    for name, page, event, props in tried:
        try:
            definition, clean = goals.step(page, event, props), goals.name(name)
        except goals.GoalError as error:
            assert str(error)
            continue
        with admin.transaction(force_rollback=True):
            try:
                goals.add(admin, owner["id"], property_id, clean, definition)
            except goals.GoalError as error:  # the one refusal only the database can make
                assert "already has a goal named" in str(error)


@SEEDED
@given(st.lists(st.one_of(TEXT, TEXT.map(lambda t: "/" + t), st.from_regex(r"[\w .:/-]{1,20}(\?[a-z]=[a-z]{0,3})?",
                                                                                fullmatch=True)),
                max_size=10))
def test_funnel_steps_from_the_form_are_stored_or_refused_with_a_reason(admin, owner, property_id, lines):
    try:
        steps = goals.steps([goals.step_line(line) for line in lines if line.strip()])
    except goals.GoalError as error:
        assert str(error)
        return
    with admin.transaction(force_rollback=True):
        goals.add_funnel(admin, owner["id"], property_id, "Funnel", steps)
        assert goals.funnels(admin, owner["id"], property_id)[0]["steps"] == steps


@pytest.mark.parametrize("line, expected", [
    ("/pricing", {"page": "/pricing"}),
    ("signup?plan=pro&size=", {"event": "signup", "props": {"plan": "pro", "size": ""}}),
    ("Outbound Link: Click", {"event": "Outbound Link: Click", "props": {}}),
])
def test_a_funnel_step_line(line, expected):
    assert goals.step_line(line) == expected
