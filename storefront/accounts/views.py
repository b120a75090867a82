from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from storefront.accounts import service
from storefront.accounts.forms import ForgotForm, LoginForm, RegisterForm, ResetForm
from storefront.accounts.models import User
from storefront.cart.service import SESSION_KEY as CART_KEY
from storefront.cart.service import merge_guest_cart
from storefront.extensions import db, login_manager
from storefront.notifications.service import notify
from storefront.orders.models import Order
from storefront.urls import safe_next

bp = Blueprint("accounts", __name__)


def init_login(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."

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


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    next_url = safe_next(request.values.get("next"), url_for("accounts.account"))
    if form.validate_on_submit():
        if service.is_throttled(form.email.data):
            abort(429, "Too many failed attempts for this account. Wait 15 minutes or reset "
                       "your password.")
        user = service.authenticate(form.email.data, form.password.data,
                                    request.remote_addr or "")
        if user is None:
            flash("Email or password is wrong.", "error")
            return render_template("accounts/login.html", form=form, next=next_url), 401
        _start_session(user)
        return redirect(next_url)
    return render_template("accounts/login.html", form=form, next=next_url)


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    next_url = safe_next(request.values.get("next"), url_for("accounts.account"))
    if form.validate_on_submit():
        try:
            user = service.create_user(form.email.data, form.password.data, form.name.data,
                                       registered=True)
        except service.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            _start_session(user)
            _send_verification(user)
            flash(f"Welcome, {user.name}! Your account is ready.", "success")
            return redirect(next_url)
    return render_template("accounts/register.html", form=form, next=next_url)


def _send_verification(user: User) -> None:
    token = service.issue_token(user, service.VERIFY)
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("accounts.verify_email",
                                                                token=token)
    notify("verify_email.txt", "Please confirm your email address", user_id=user.id,
           link=link)
    db.session.commit()


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    try:
        service.verify_email(token)
    except service.AccountError as exc:
        return render_template("accounts/reset_invalid.html", message=str(exc)), 400
    flash("Thank you: your email address is confirmed.", "success")
    return redirect(url_for("accounts.account"))


@bp.post("/verify-email/resend")
@login_required
def resend_verification():
    user = db.session.get(User, current_user.id)
    if user.email_verified_at is None:
        _send_verification(user)
        flash(f"We sent a new confirmation link to {user.email}.", "success")
    return redirect(url_for("accounts.account")), 303


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        service.end_sessions(db.session.get(User, current_user.id))
    logout_user()
    session.clear()
    flash("You are logged out.", "success")
    return redirect(url_for("catalog.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        email = service.normalise_email(form.email.data)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            token = service.issue_reset_token(user)
            link = current_app.config["BASE_URL"].rstrip("/") + url_for(
                "accounts.reset_password", token=token)
            notify("password_reset.txt", "Reset your password", user_id=user.id, link=link,
                   minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
            db.session.commit()
        # The same answer either way: the form does not reveal who has an account.
        flash("If an account uses that email, a reset link is on its way.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if service.valid_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 400
    form = ResetForm()
    if form.validate_on_submit():
        try:
            service.reset_password(token, form.password.data)
        except service.AccountError as exc:
            flash(str(exc), "error")
            return render_template("accounts/reset_invalid.html"), 400
        flash("Your password was changed. Please log in.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form, token=token)


@bp.get("/account")
@login_required
def account():
    orders = db.session.scalars(
        select(Order).where(Order.user_id == current_user.id).order_by(Order.id.desc()).limit(5)
    ).all()
    from storefront.cart.service import customer_view
    from storefront.themes import panels

    return render_template("accounts/account.html", orders=orders,
                           panels=panels("shop_account_panels", customer=customer_view()))
