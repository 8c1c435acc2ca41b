"""Login and password forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    login = StringField(
        "NIP atau nama pengguna", validators=[DataRequired("Isi NIP atau nama pengguna.")]
    )
    password = PasswordField("Kata sandi", validators=[DataRequired("Isi kata sandi.")])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Kata sandi lama", validators=[DataRequired("Isi kata sandi lama.")])
    new = PasswordField(
        "Kata sandi baru",
        validators=[
            DataRequired("Isi kata sandi baru."),
            Length(min=8, message="Minimal 8 karakter."),
        ],
    )
    confirm = PasswordField(
        "Ulangi kata sandi baru",
        validators=[EqualTo("new", message="Konfirmasi kata sandi tidak sama.")],
    )
