"""Time-sortable ids: id order is time order, and the time can be read back."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rostra.core.ids import SEQUENCE_BITS, id_floor, id_time, make_id

# Ids carry milliseconds; stay within what a 64-bit signed column holds.
moments = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(3000, 1, 1), timezones=st.just(UTC)
)


@given(moments, moments)
def test_ids_of_different_milliseconds_sort_as_their_times(a, b):
    a_ms, b_ms = int(a.timestamp() * 1000), int(b.timestamp() * 1000)
    if a_ms == b_ms:
        return
    assert (make_id(a) < make_id(b)) == (a_ms < b_ms)


@given(moments)
def test_id_time_reads_back_the_millisecond(when):
    back = id_time(make_id(when))
    assert abs(back - when) < timedelta(milliseconds=1)


@given(moments)
def test_id_floor_is_at_most_every_id_of_that_moment(when):
    assert id_floor(when) <= make_id(when) < id_floor(when + timedelta(milliseconds=1))


@given(moments)
def test_ids_fit_a_signed_64_bit_column(when):
    assert 0 < make_id(when) < 2**63


def test_ids_made_in_the_same_millisecond_differ():
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    ids = {make_id(when) for _ in range(1000)}
    assert len(ids) == 1000


def test_id_without_a_date_is_now():
    before = datetime.now(UTC)
    object_id = make_id()
    assert before - timedelta(milliseconds=1) <= id_time(object_id) <= datetime.now(UTC)


def test_an_old_date_sorts_before_today():
    assert make_id(datetime(2014, 3, 1, tzinfo=UTC)) < make_id()


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        make_id(datetime(2024, 1, 1))


def test_dates_before_1970_are_refused():
    with pytest.raises(ValueError):
        make_id(datetime(1969, 12, 31, 23, 0, tzinfo=UTC))


def test_sequence_occupies_the_low_bits():
    when = datetime(2024, 5, 1, tzinfo=UTC)
    assert make_id(when) >> SEQUENCE_BITS == int(when.timestamp() * 1000)
