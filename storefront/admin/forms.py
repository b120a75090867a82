from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class RefundForm(FlaskForm):
    amount = StringField("Amount", validators=[DataRequired(), Length(max=20)])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=300)])


class StockForm(FlaskForm):
    change = IntegerField("Change stock by", validators=[
        DataRequired(message="Enter a whole number, e.g. 10 or -2."),
        NumberRange(min=-100000, max=100000)])
