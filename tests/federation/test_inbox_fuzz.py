"""A fuzz run over the inbox (issue 11, security pass): signed activities of every
type with arbitrary, often malformed, objects. The server answers each with a
status a sender understands (never 500), and no activity ends as FAILED (the state
an unexpected exception leaves: a handler that crashed instead of refusing)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rostra.federation.models import InboxActivity
from tests.federation.remote_rig import PUBLIC

TYPES = ("Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like",
         "Announce", "Block", "Flag", "Move", "Add", "Remove", "EmojiReact", "Question",
         "Note", "Person", "Tombstone", "Whatever")
FIELDS = ("id", "type", "actor", "object", "target", "content", "attributedTo", "to", "cc",
          "inReplyTo", "attachment", "tag", "published", "updated", "sensitive", "summary",
          "url", "name", "oneOf", "anyOf", "mediaType", "href", "icon", "movedTo",
          "alsoKnownAs", "quoteUrl", "contentMap", "endTime", "closed", "votersCount")


def _documents(base: str):
    """JSON values that look like ActivityStreams more often than not."""
    uris = st.sampled_from([f"{base}/users/zoe", f"{base}/users/zoe/statuses/1",
                            f"{base}/missing", "http://localhost:8000/users/alice",
                            "http://localhost:8000/users/alice/statuses/1", PUBLIC,
                            "not a uri", "", "javascript:alert(1)"])
    scalars = (st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats()
               | st.text(max_size=40) | uris)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
            st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=6)
        | st.fixed_dictionaries({"type": st.sampled_from(TYPES)},
                                optional={k: inner for k in FIELDS[:20] if k != "type"}),
        max_leaves=25)


@pytest.mark.django_db
def test_no_signed_activity_makes_the_inbox_fail(client, remote, alice):
    counter = iter(range(10**6))

    @settings(max_examples=120, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(kind=st.sampled_from(TYPES), obj=_documents(remote.base),
           extra=st.dictionaries(st.sampled_from(FIELDS[3:]), _documents(remote.base),
                                 max_size=3))
    def deliver(kind, obj, extra):
        activity = {"@context": "https://www.w3.org/ns/activitystreams",
                    "id": f"{remote.uri('zoe')}/fuzz/{next(counter)}", "type": kind,
                    "actor": remote.uri("zoe"), "object": obj, **extra}
        response = remote.deliver(client, activity, name="zoe")
        assert response.status_code in {202, 400, 401, 403, 413}, response.content
        failed = InboxActivity.objects.filter(status=InboxActivity.Status.FAILED)
        assert not failed.exists(), list(failed.values_list("type", "error"))

    deliver()
