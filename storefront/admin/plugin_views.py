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
from flask_babel import gettext as _
from flask_babel import lazy_pgettext
from flask_login import current_user

from storefront.accounts.models import Role
from storefront.admin.forms import ActionForm
from storefront.admin.views import requires
from storefront.events import delivery
from storefront.extensions import db
from storefront.plugins import what_if as trial
from storefront.plugins.contract import incompatible_plugins
from storefront.plugins.dispatch import manager
from storefront.plugins.registry import describe
from storefront.plugins.settings import SettingsError, effective, set_aside, validate
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
    settings_for,
    stored_settings,
)
from storefront.plugins.timing import figures
from storefront.timeutil import utcnow

bp = Blueprint("plugin_admin", __name__, url_prefix="/admin/plugins")

# The slowest hook timings shown at once (and any over the budget); the others, quicker,
# wait behind a disclosure.
TIMINGS_SHOWN = 10
# The subject of a domain event ("order 7") in the reader's words, on the failed deliveries.
AGGREGATE_NAMES = {"order": lazy_pgettext("event subject", "order"),
                   "customer": lazy_pgettext("event subject", "customer")}


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
    # Sorted by p99, slowest first: the rows over budget lead, and all of them stay in view.
    shown = max(TIMINGS_SHOWN, sum(t.over_budget for t in timings))
    return render_template("admin/plugins.html", infos=describe(manager()),
                           enabled=enabled_names(), incompatible=incompatible_plugins(),
                           form=ActionForm(), failures=failures, timings=timings[:shown],
                           more_timings=timings[shown:], aggregate_names=AGGREGATE_NAMES)


def _settings_page(info, values: dict, errors: dict[str, str], months: object = None,
                   answer: trial.Answer | None = None) -> str:
    return render_template("admin/plugin.html", info=info, values=values, errors=errors,
                           set_aside=set_aside(stored_settings(info.name)),
                           enabled=info.name in enabled_names(), form=ActionForm(),
                           incompatible=incompatible_plugins(), cell_name=cell_name,
                           remove_name=remove_name,
                           placeholder=placeholder,
                           what_if_offered=trial.offered(manager(), info.name),
                           months_input=trial.MONTHS_INPUT,
                           months=trial.MONTHS.default if months is None else months,
                           answer=answer, shown=trial.shown)


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
        flash(_("Settings not saved: %(problems)s", problems=_listed(exc.problems)), "error")
        return _settings_page(info, form_values(info.settings, changes), exc.problems), 400
    flash(_("%(plugin)s: settings saved.", plugin=name), "success")
    return redirect(url_for("plugin_admin.detail", name=name)), 303


@bp.post("/<name>/what-if")
@requires(Role.OWNER)
def what_if(name: str):
    """The settings in the form tried on past orders by the plugin, validated as for
    saving; nothing is saved, and the form keeps what the owner typed."""
    info = _info(name)
    if not ActionForm().validate_on_submit():
        abort(400)
    changes = changes_from_form(info.settings, request.form)
    months_text = request.form.get(trial.MONTHS_INPUT, "")
    problems: dict[str, str] = {}
    try:
        candidate = validate(name, info.settings, stored_settings(name), changes)
    except SettingsError as exc:
        problems = dict(exc.problems)
    try:
        months = trial.months_from(months_text)
    except ValueError as exc:
        problems[trial.MONTHS_INPUT] = str(exc)
    values = form_values(info.settings, changes)
    if problems:
        flash(_("No what-if until the settings are valid: %(problems)s",
                problems=_listed(problems)), "error")
        return _settings_page(info, values, problems, months_text), 400
    answer = trial.ask(manager(), name, settings_for(name), effective(info.settings, candidate),
                       months, utcnow())
    return _settings_page(info, values, {}, months_text, answer)


@bp.post("/<name>/set-aside/discard")
@requires(Role.OWNER)
def discard_set_aside(name: str):
    _info(name)
    if not ActionForm().validate_on_submit():
        abort(400)
    discard_set_aside_texts(name, actor=current_user.email)
    flash(_("%(plugin)s: the texts kept aside by the upgrade were discarded.", plugin=name),
          "success")
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
        flash(_("%(plugin)s cannot be enabled until its settings are valid: %(problems)s",
                plugin=name, problems=_listed(exc.problems)), "error")
        return redirect(url_for("plugin_admin.detail", name=name)), 303
    except IncompatiblePlugin as exc:
        flash(str(exc), "error")
        return redirect(url_for("plugin_admin.detail", name=name)), 303
    except PluginError as exc:
        abort(404, str(exc))
    flash(_("%(plugin)s enabled.", plugin=name) if action == "enable" else
          _("%(plugin)s disabled.", plugin=name), "success")
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
        flash(_("Dismissed; it will not be tried again."), "success")
    elif delivery.retry(failure_id):
        flash(_("%(consumer)s: %(event)s went through this time.", consumer=found.consumer,
                event=found.event_type), "success")
    else:
        again = delivery.describe(failure_id)
        if again is not None and again.attempts == found.attempts:  # not tried: it waits
            flash(_("%(consumer)s: %(event)s waits for an earlier event of %(subject)s that "
                    "has not reached %(consumer)s yet; retry that one first.",
                    consumer=found.consumer, event=found.event_type,
                    subject=_subject(found.aggregate)), "error")
        else:
            flash(_("%(consumer)s: %(event)s failed again: %(error)s", consumer=found.consumer,
                    event=found.event_type, error=again.last_error if again else ""), "error")
    return redirect(url_for("plugin_admin.index")), 303


def _listed(problems: dict[str, str]) -> str:
    """Settings problems in one line: "percent: must be a whole number; mode: ..."."""
    return "; ".join(f"{name}: {problem}" for name, problem in problems.items())


def _subject(aggregate: str) -> str:
    """An event's subject ("order 7") in the reader's words."""
    kind, space, ident = aggregate.partition(" ")
    return f"{AGGREGATE_NAMES[kind]}{space}{ident}" if kind in AGGREGATE_NAMES else aggregate
