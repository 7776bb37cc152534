"""LTI 1.3 on top of pylti1p3: tool configuration from our store, OIDC login, launch
validation with the gaps of pylti1p3 closed, JWKS, and Dynamic Registration.

This package never imports :mod:`plugin`; the application passes in a
:class:`lti.interfaces.ToolStore`, a :class:`lti.interfaces.KeySource` and a cache.
"""
