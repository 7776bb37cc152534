"""How each kind of target receives a claimed delivery: the LMS gradebook through AGS
(:mod:`.lms`), an applicant tracking system through its sink (:mod:`.ats`)."""
