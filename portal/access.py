"""Who is signed in, and loading objects within the user's territory (or answering 404)."""

from flask import abort, current_app
from flask_login import UserMixin, current_user

from staffrec.store.queries import dataset_row


class PortalUser(UserMixin):
    """A store user as Flask-Login sees it."""

    def __init__(self, user):
        self.user = user

    def get_id(self):
        return self.user.name

    def __getattr__(self, name):
        return getattr(self.user, name)


def get_store():
    """Return the store of the running app."""
    return current_app.extensions["staffrec_store"]


def actor():
    """Return the review-machine actor of the signed-in user."""
    return current_user.user.actor


def get_dataset_or_404(school_id):
    """Return the dataset of a school inside the user's territory; outside it, 404."""
    with get_store().engine.connect() as conn:
        row = dataset_row(conn, actor(), school_id)
    if row is None:
        abort(404)
    return row
