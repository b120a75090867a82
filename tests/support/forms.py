"""Submit forms the way a browser does (the helpers plugin authors get from hooks.testing)."""

from hooks.testing import csrf_token, hidden_inputs, post_form

__all__ = ["csrf_token", "hidden_fields", "post_form"]

hidden_fields = hidden_inputs
