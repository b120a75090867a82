from flask_babel import lazy_gettext, lazy_ngettext
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from storefront.accounts.passwords import MIN_PASSWORD_LENGTH
from storefront.web.forms import ShopForm

_password = [DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200, message=lazy_ngettext(
    "Use at least %(num)s character.", "Use at least %(num)s characters.", MIN_PASSWORD_LENGTH))]
_differ = lazy_gettext("Passwords differ.")
_email = Email(message=lazy_gettext("Invalid email address."))  # WTForms' own text, ours here


class LoginForm(ShopForm):
    email = EmailField(lazy_gettext("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(lazy_gettext("Password"),
                             validators=[DataRequired(), Length(max=200)])


class RegisterForm(ShopForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(lazy_gettext("Email"),
                       validators=[DataRequired(), _email, Length(max=254)])
    password = PasswordField(lazy_gettext("Password"), validators=_password)
    confirm = PasswordField(lazy_gettext("Repeat password"),
                            validators=[DataRequired(), EqualTo("password", _differ)])


class ForgotForm(ShopForm):
    email = EmailField(lazy_gettext("Email"),
                       validators=[DataRequired(), _email, Length(max=254)])


class ResetForm(ShopForm):
    password = PasswordField(lazy_gettext("New password"), validators=_password)
    confirm = PasswordField(lazy_gettext("Repeat new password"),
                            validators=[DataRequired(), EqualTo("password", _differ)])
