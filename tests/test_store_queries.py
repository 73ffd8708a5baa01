"""Read-only queries: the review queue's database pre-filter leaves out nothing the review machine would list."""

from sqlalchemy import update

from staffrec.review import State, Tier
from staffrec.store import Store
from staffrec.store.queries import datasets_for, is_my_turn, review_queue, turn_states
from staffrec.store.schema import datasets

ACTORS = (
    ("新城区", "county", "150102"), ("呼和浩特市", "city", "150100"), ("包头市", "city", "150200"),
    ("自治区", "region", "150000"), ("信息中心", "info_centre", "150000"), ("内蒙古大学", "school", "4115010126"),
)


def test_the_queue_is_every_dataset_whose_turn_it_is_in_every_state(tmp_path, registry):
    store = Store(f"sqlite:///{tmp_path}/s.db", tmp_path / "files")
    store.init(registry)
    actors = [store.add_user(*a).actor for a in ACTORS]
    schools = [str(s.id) for s in registry]
    states = list(State)
    seen = set()
    for shift in range(len(states)):  # every school passes through every state
        with store.writer.begin() as conn:
            for i, school in enumerate(schools):
                state = states[(i + shift) % len(states)]
                conn.execute(update(datasets).where(datasets.c.school_id == school).values(state=state.value))
        with store.engine.connect() as conn:
            for actor in actors:
                expected = [d for d in datasets_for(conn, actor) if is_my_turn(actor, d)]
                assert review_queue(conn, actor) == expected
                seen.update((actor.tier, d.state) for d in expected)
    assert (Tier.REGION, State.AT_REGION) in seen and (Tier.COUNTY, State.RETURNED_TO_COUNTY) in seen


def test_turn_states_follow_the_review_rules():
    assert turn_states(Tier.REGION) == {State.AT_REGION}
    assert State.AT_COUNTY in turn_states(Tier.COUNTY) and State.AT_CITY not in turn_states(Tier.COUNTY)
    assert State.RETURNED_TO_INFO_CENTRE in turn_states(Tier.INFO_CENTRE)
