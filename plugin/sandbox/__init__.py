"""Local simulators of the systems the bridge talks to: an LTI platform, vendors and ATSs."""
