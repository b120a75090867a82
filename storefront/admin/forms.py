from flask_babel import lazy_gettext
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from storefront.web.forms import ShopForm


class ActionForm(ShopForm):
    """A button that changes state: only the CSRF token."""


class RefundForm(ShopForm):
    amount = StringField(lazy_gettext("Amount"), validators=[DataRequired(), Length(max=20)])
    reason = StringField(lazy_gettext("Reason"), validators=[DataRequired(), Length(max=300)])
    # One value per rendered form: a double click repeats the same refund, not a second one.
    refund_key = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])


class StockForm(ShopForm):
    change = IntegerField(lazy_gettext("Change stock by"), validators=[
        DataRequired(message=lazy_gettext("Enter a whole number, e.g. 10 or -2.")),
        NumberRange(min=-100000, max=100000)])
