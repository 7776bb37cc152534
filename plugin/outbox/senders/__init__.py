"""How each kind of target receives a claimed delivery.

A sender turns an outbox row into one write: it works out what the row does not carry
(the line item of a placement, the candidate id of a learner), remembers it for next time,
and hands the write to the client of that target (the AGS client of :mod:`lti.ags`, the
sink of :mod:`plugin.ats`). :mod:`.lms` sends scores to the gradebook, :mod:`.ats`
field writes to an applicant tracking system.
"""
