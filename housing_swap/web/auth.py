"""Sign-in, sign-out and household registration."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..security import reauth
from ..security import sessions as session_limits
from ..security.access import public, signed_in
from ..services import accounts
from .forms import ConfirmPasswordForm, LoginForm, PasswordChangeForm, RegistrationForm
from .page_actions import form_submission

blueprint = Blueprint("auth", __name__, url_prefix="/auth")



def safe_next_url(target: str | None) -> str | None:
    """Only same-site paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target:
        return None
    cleaned = target.strip()
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not cleaned.startswith("/"):
        return None
    if cleaned.startswith("//") or "\\" in cleaned or any(ord(ch) < 32 for ch in cleaned):
        return None
    return cleaned


@blueprint.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.login.data, form.password.data, request.remote_addr)
        if user is None:
            form.password.errors.append(accounts.LOGIN_REFUSED_MESSAGE)
        else:
            _begin_session(user)
            flash(f"欢迎，{user.display_name}", "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@blueprint.route("/logout", methods=["POST"])
@signed_in
def logout():
    accounts.record_logout(current_user)
    logout_user()
    session.clear()
    flash("您已安全退出", "info")
    return redirect(url_for("main.home"))


@blueprint.route("/register", methods=["GET", "POST"])
@public
def register():
    form = RegistrationForm()
    if submission := form_submission(form, lambda: accounts.register_household(accounts.HouseholdRegistration(
            phone=form.phone.data, password=form.password.data,
            real_name=form.real_name.data, id_number=form.id_number.data or None))):
        _begin_session(submission.result)
        flash("注册成功，欢迎使用郑州市卖旧买新服务平台", "success")
        return redirect(url_for("main.home"))
    return render_template("auth/register.html", form=form)


@blueprint.route("/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change the password; other sessions end, this one continues under the new session epoch."""
    form = PasswordChangeForm()
    if form_submission(form, lambda: accounts.change_password(current_user, form.current.data, form.new.data)):
        _begin_session(current_user._get_current_object())
        flash("密码已修改，其他设备上的登录已失效", "success")
        return redirect(url_for("main.home"))
    due = accounts.password_change_due(current_user)
    return render_template("auth/password.html", form=form, due=due)


@blueprint.route("/confirm", methods=["GET", "POST"])
@signed_in
def confirm_password():
    """Enter the password again before recording prices, contracts or rules."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if accounts.password_matches(current_user, form.password.data):
            reauth.stamp()
            flash("身份已确认，请重新提交刚才的操作", "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))
        form.password.errors.append("密码不正确")
    return render_template("auth/confirm.html", form=form)


def _begin_session(user) -> None:
    """A fresh session (no fixation) for a user who has just entered their password: the
    lifetime clocks start and the password counts as recently confirmed."""
    session.clear()
    login_user(user)
    session_limits.start()
    reauth.stamp()
