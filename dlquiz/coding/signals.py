"""Events of the coding app that other apps react to, so grading stays unaware of them."""

from django.dispatch import Signal

# Sent after the commit that gave up on a submission outside a grading task (the sweeper, for a
# submission no worker finished); a grading task's own end is seen through Celery's
# task_postrun. Argument: submission_id.
submission_given_up = Signal()
