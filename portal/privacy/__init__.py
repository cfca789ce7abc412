"""Personal data: how long each kind is kept (:mod:`portal.privacy.retention`), the job that keeps to it, closing
accounts and erasure requests, and the privacy notice made from the same declarations."""
