"""The two ways a notification leaves the platform: SMTP mail and the deployment's SMS gateway.

Both are configured by URL (``HOUSING_SWAP_SMTP_URL``, ``HOUSING_SWAP_SMS_GATEWAY_URL``); with
none set a channel is simply not available and its deliveries are recorded as not sent. A
failure raises ``DeliveryFailed`` with a reason an administrator can read; the delivery job
retries later.
"""
from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlparse

TIMEOUT_SECONDS = 10
SITE_NAME = "郑州市卖旧买新服务平台"


class DeliveryFailed(Exception):
    """A message could not be handed over; the reason is kept on the delivery row."""


def email_available(config) -> bool:
    return bool(config["SMTP_URL"] and config["MAIL_FROM"])


def sms_available(config) -> bool:
    return bool(config["SMS_GATEWAY_URL"])


def send_email(config, to_address: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = formataddr((SITE_NAME, config["MAIL_FROM"]))
    message["To"] = to_address
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].partition("@")[2] or None)
    message.set_content(body)
    url = urlparse(config["SMTP_URL"])
    secure = url.scheme == "smtps"
    port = url.port or (465 if secure else 587 if url.scheme == "smtp+starttls" else 25)
    try:
        client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
        with client_class(url.hostname, port, timeout=TIMEOUT_SECONDS) as client:
            if url.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryFailed(f"邮件服务器未接收：{type(error).__name__}: {error}") from None


def send_sms(config, phone: str, text: str) -> None:
    """POST ``{"phone", "text"}`` as JSON with the gateway's bearer token; any 2xx is accepted."""
    request = urllib.request.Request(  # noqa: S310 — the URL's scheme is checked at start-up (http/https)
        config["SMS_GATEWAY_URL"], data=json.dumps({"phone": phone, "text": text}).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"} if config["SMS_GATEWAY_TOKEN"] else {})},
        method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"短信网关拒绝：HTTP {error.code}") from None
    except (OSError, ValueError) as error:
        raise DeliveryFailed(f"短信网关不可达：{type(error).__name__}: {error}") from None
