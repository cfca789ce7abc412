"""Redis stopped while public pages are held in a web process's memory: every request is answered by Flask with
the page as it is now (never an error, never the page held), and once Redis is back pages are kept and held again."""

from flask import request_started

from portal.extensions import db
from tests.factories_reports import create_funding


def test_with_redis_stopped_held_pages_are_not_served_and_pages_are_worked_out_afresh(app, client, on_private_redis):
    funding = create_funding()
    url = f"/services/{funding.advocacy.id}"
    reached: list[str] = []

    def note(_sender, **_extra):
        reached.append(url)

    request_started.connect(note, app)
    try:
        client.get(url)
        assert client.get(url).headers["X-Page-Cache"] == "hit" and len(reached) == 1  # held in memory

        on_private_redis.stop()
        down = client.get(url)
        assert down.status_code == 200 and down.headers["X-Page-Cache"] == "miss" and len(reached) == 2
        assert b"Southwark and Lambeth victims" in down.data
        funding.advocacy.title = "Advocacy, renamed while Redis was down"
        db.session.commit()
        renamed = client.get(url)
        assert len(reached) == 3
        assert renamed.status_code == 200 and b"Advocacy, renamed while Redis was down" in renamed.data

        on_private_redis.start()  # empty, as after a restart
        assert client.get(url).headers["X-Page-Cache"] == "miss"
        back = client.get(url)
        assert back.headers["X-Page-Cache"] == "hit" and b"Advocacy, renamed while Redis was down" in back.data
        assert len(reached) == 4  # the last one answered from memory again
    finally:
        request_started.disconnect(note, app)
