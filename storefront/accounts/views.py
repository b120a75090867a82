from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from storefront.accounts import registration, service
from storefront.accounts.forms import ForgotForm, LoginForm, RegisterForm, ResetForm
from storefront.accounts.models import User
from storefront.cart.service import SESSION_KEY as CART_KEY
from storefront.cart.service import merge_guest_cart
from storefront.extensions import db, login_manager
from storefront.notifications.service import notify
from storefront.orders.models import Order
from storefront.web import throttle
from storefront.web.urls import safe_next

bp = Blueprint("accounts", __name__)


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please log in to see that page.")
    login_manager.localize_callback = str  # the lazy text, in the request's language

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        uid, _, token = user_id.partition(":")
        if not uid.isdigit() or not token:
            return None
        user = db.session.get(User, int(uid))
        return user if user is not None and user.session_token == token else None


def _start_session(user: User) -> None:
    """Log in on a fresh session (no fixation), keeping the guest's cart."""
    guest_cart = session.get(CART_KEY)
    session.clear()
    login_user(user)
    merge_guest_cart(guest_cart, user.id)


def _too_many(refused: throttle.Refused, message: str, template: str, **context):
    """The form again, with status 429 and when to try again (Retry-After too)."""
    flash(message, "error")
    return (render_template(template, **context), 429,
            {"Retry-After": str(refused.retry_after)})


def _login_refused(refused: throttle.Refused) -> str:
    return _("Too many attempts to log in. Please try again in %(wait)s, or reset your "
             "password if you forgot it.", wait=refused.wait)


def _mail_refused(refused: throttle.Refused) -> str:
    return _("Too many requests with this form. Please try again in %(wait)s.",
             wait=refused.wait)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.values.get("next"), url_for("accounts.account"))
    if form.validate_on_submit():
        email = service.normalise_email(form.email.data)
        # A slot first, then the password: simultaneous guesses cannot outrun the count.
        refused = throttle.take_login(email)
        if refused:
            return _too_many(refused, _login_refused(refused), "accounts/login.html", form=form,
                             next=next_url)
        user = service.authenticate(email, form.password.data)
        if user is None:
            flash(_("Email or password is wrong."), "error")
            return render_template("accounts/login.html", form=form, next=next_url), 401
        throttle.forget_login_failures(email)  # the owner's own mistakes stop counting
        _start_session(user)
        return redirect(next_url)
    return render_template("accounts/login.html", form=form, next=next_url)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    next_url = safe_next(request.values.get("next"), url_for("accounts.account"))
    if form.validate_on_submit():
        email = service.normalise_email(form.email.data)
        refused = throttle.take_mail(email)
        if refused:
            return _too_many(refused, _mail_refused(refused), "accounts/register.html", form=form,
                             next=next_url)
        registration.start(email, form.name.data, form.password.data, next_url)
        # The same page for every address: it does not reveal who has an account.
        return render_template("accounts/check_email.html", email=email)
    return render_template("accounts/register.html", form=form, next=next_url)


@bp.get("/register/finish/<token>")
def finish_registration(token: str):
    try:
        user, next_url = registration.finish(token)
    except service.AccountError as exc:
        return render_template("accounts/reset_invalid.html", message=str(exc)), 400
    _start_session(user)
    flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
    return redirect(safe_next(next_url, url_for("accounts.account")))


def _send_verification(user: User) -> None:
    token = service.issue_token(user, service.VERIFY)
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("accounts.verify_email",
                                                                token=token)
    notify("verify_email.txt", lazy_gettext("Please confirm your email address"),
           user_id=user.id, link=link, days=service.VERIFY_MAX_AGE // (24 * 3600))
    db.session.commit()


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    try:
        service.verify_email(token)
    except service.AccountError as exc:
        return render_template("accounts/reset_invalid.html", message=str(exc)), 400
    flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/verify-email/resend")
@login_required
def resend_verification():
    user = db.session.get(User, current_user.id)
    if user.email_verified_at is None:
        _send_verification(user)
        flash(_("We sent a new confirmation link to %(email)s.", email=user.email), "success")
    return redirect(url_for("accounts.account")), 303


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        service.end_sessions(db.session.get(User, current_user.id))
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("catalog.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        email = service.normalise_email(form.email.data)
        refused = throttle.take_mail(email)
        if refused:
            return _too_many(refused, _mail_refused(refused), "accounts/forgot.html", form=form)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            token = service.issue_reset_token(user)
            link = current_app.config["BASE_URL"].rstrip("/") + url_for(
                "accounts.reset_password", token=token)
            notify("password_reset.txt", lazy_gettext("Reset your password"), user_id=user.id,
                   link=link, minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
            db.session.commit()
        # The same answer either way: the form does not reveal who has an account.
        flash(_("If an account uses that email, a reset link is on its way."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if service.valid_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = service.reset_password(token, form.password.data)
        except service.AccountError as exc:
            flash(str(exc), "error")
            return render_template("accounts/reset_invalid.html"), 400
        # The link proved the mailbox: log in here, whatever attempts others make meanwhile.
        throttle.forget_login_failures(user.email)
        _start_session(user)
        flash(_("Your password was changed and you are logged in."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/reset.html", form=form, token=token)


@bp.get("/account")
@login_required
def account():
    orders = db.session.scalars(
        select(Order).where(Order.user_id == current_user.id).order_by(Order.id.desc()).limit(5)
    ).all()
    from storefront.web.reader import customer_view
    from storefront.web.slots import panels

    return render_template("accounts/account.html", orders=orders,
                           panels=panels("shop_account_panels", customer=customer_view()))
