"""Open data: every published award as a 360Giving data package (JSON and CSV), a performance file from accepted
returns, and the commissioned services as an Open Referral UK API. Only what ``portal.directory.published``
allows is ever read."""
