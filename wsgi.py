"""Entry point for gunicorn (``gunicorn wsgi:app``) and the Flask CLI (``flask --app wsgi``)."""

import gc

from portal import create_app

app = create_app()
# What start-up made (the app, its templates, the models' mappings: some 260,000 objects) lives as long as the
# process. Frozen, it is left out of the collector's full passes, which otherwise walk all of it, about 150 ms at a
# time, whenever a request makes many objects (a cold dashboard, a borough's page).
gc.freeze()
