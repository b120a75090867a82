from flask_babel import lazy_gettext
from wtforms import EmailField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from storefront.web.forms import ShopForm


class CheckoutForm(ShopForm):
    email = EmailField(lazy_gettext("Email"), validators=[
        Optional(), Email(message=lazy_gettext("Invalid email address.")), Length(max=254)])
    name = StringField(lazy_gettext("Full name"), validators=[DataRequired(), Length(max=120)])
    address = TextAreaField(lazy_gettext("Delivery address"),
                            validators=[DataRequired(), Length(max=500)])
    checkout_token = HiddenField(validators=[DataRequired(), Length(max=64)])
    expected_total = IntegerField(widget=HiddenField.widget,
                                  validators=[InputRequired(message="missing total"),
                                              NumberRange(min=0)])
