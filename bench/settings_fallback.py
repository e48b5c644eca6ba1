"""Production settings with one change: static files without the hashed manifest. Used by the
bench only when `collectstatic` under the production settings fails (the run says so), so the
rest of the service can still be measured as production runs it."""

from dlquiz.settings import *  # noqa: F403
from dlquiz.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
