"""Admin pages for plugins: list, enable/disable, settings form from the schema, failures."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from storefront.accounts.models import Role
from storefront.admin.forms import ActionForm
from storefront.admin.views import requires
from storefront.events import delivery
from storefront.extensions import db
from storefront.plugins.contract import incompatible_plugins
from storefront.plugins.dispatch import manager
from storefront.plugins.registry import describe
from storefront.plugins.settings import SettingsError, set_aside, validate
from storefront.plugins.settings_form import (
    cell_name,
    changes_from_form,
    form_values,
    placeholder,
    remove_name,
)
from storefront.plugins.state import (
    IncompatiblePlugin,
    PluginError,
    discard_set_aside_texts,
    enabled_names,
    save_settings,
    set_enabled,
    stored_settings,
)
from storefront.plugins.timing import figures

bp = Blueprint("plugin_admin", __name__, url_prefix="/admin/plugins")


def _info(name: str):
    info = next((i for i in describe(manager()) if i.name == name), None)
    if info is None:
        abort(404)
    return info


@bp.get("")
@requires(Role.OWNER)
def index():
    failures = delivery.troubled()
    timings = figures(db.session, current_app.config["PLUGIN_HOOK_BUDGET_MS"])
    return render_template("admin/plugins.html", infos=describe(manager()),
                           enabled=enabled_names(), incompatible=incompatible_plugins(),
                           form=ActionForm(), failures=failures, timings=timings)


def _settings_page(info, values: dict, errors: dict[str, str]) -> str:
    return render_template("admin/plugin.html", info=info, values=values, errors=errors,
                           set_aside=set_aside(stored_settings(info.name)),
                           enabled=info.name in enabled_names(), form=ActionForm(),
                           incompatible=incompatible_plugins(), cell_name=cell_name,
                           remove_name=remove_name,
                           placeholder=placeholder)


@bp.get("/<name>")
@requires(Role.OWNER)
def detail(name: str):
    info = _info(name)
    stored = stored_settings(name)
    return _settings_page(info, form_values(info.settings, stored), _problems(info, stored))


def _problems(info, stored: dict) -> dict[str, str]:
    """What is wrong with the stored settings (the plugin uses defaults for those), so the
    owner sees it before saving: a required value never set, a value an upgrade left."""
    try:
        validate(info.name, info.settings, stored, {})
    except SettingsError as exc:
        return exc.problems
    return {}


@bp.post("/<name>/settings")
@requires(Role.OWNER)
def save(name: str):
    info = _info(name)
    if not ActionForm().validate_on_submit():
        abort(400)
    changes = changes_from_form(info.settings, request.form)
    try:
        save_settings(name, changes, actor=current_user.email)
    except SettingsError as exc:
        flash("Settings not saved: " + "; ".join(f"{f}: {p}" for f, p in exc.problems.items()),
              "error")
        return _settings_page(info, form_values(info.settings, changes), exc.problems), 400
    flash(f"{name}: settings saved.", "success")
    return redirect(url_for("plugin_admin.detail", name=name)), 303


@bp.post("/<name>/set-aside/discard")
@requires(Role.OWNER)
def discard_set_aside(name: str):
    _info(name)
    if not ActionForm().validate_on_submit():
        abort(400)
    discard_set_aside_texts(name, actor=current_user.email)
    flash(f"{name}: the texts kept aside by the upgrade were discarded.", "success")
    return redirect(url_for("plugin_admin.detail", name=name)), 303


@bp.post("/<name>/<any(enable, disable):action>")
@requires(Role.OWNER)
def toggle(name: str, action: str):
    _info(name)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        set_enabled(name, action == "enable", actor=current_user.email)
    except SettingsError as exc:
        flash(f"{name} cannot be enabled until its settings are valid: " +
              "; ".join(f"{f}: {p}" for f, p in exc.problems.items()), "error")
        return redirect(url_for("plugin_admin.detail", name=name)), 303
    except IncompatiblePlugin as exc:
        flash(str(exc), "error")
        return redirect(url_for("plugin_admin.detail", name=name)), 303
    except PluginError as exc:
        abort(404, str(exc))
    flash(f"{name} {action}d.", "success")
    return redirect(url_for("plugin_admin.index")), 303


@bp.post("/failures/<int:failure_id>/<any(retry, dismiss):action>")
@requires(Role.OWNER)
def failure(failure_id: int, action: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    found = delivery.describe(failure_id)
    if found is None:
        abort(404)
    if action == "dismiss":
        if not delivery.dismiss(failure_id):
            abort(404)
        flash("Dismissed; it will not be tried again.", "success")
    elif delivery.retry(failure_id):
        flash(f"{found.consumer}: {found.event_type} went through this time.", "success")
    else:
        again = delivery.describe(failure_id)
        if again is not None and again.attempts == found.attempts:  # not tried: it waits
            flash(f"{found.consumer}: {found.event_type} waits for an earlier event of "
                  f"{found.aggregate} that has not reached {found.consumer} yet; retry that "
                  "one first.", "error")
        else:
            flash(f"{found.consumer}: {found.event_type} failed again: "
                  f"{again.last_error if again else ''}", "error")
    return redirect(url_for("plugin_admin.index")), 303
