"""Print a raw HTTP request for sqlmap (-r): the agency's listing import page as multipart, with
the injection marker '*' in the mode field and in text cells of the template's example row.

It signs in through the login form as the given agency user, so the request carries a live
session cookie and that session's CSRF token, exactly as a browser's upload would.

Usage: python scripts/import_request.py BASE_URL USERNAME PASSWORD
"""
import re
import sys
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from housing_swap.services.listing_import import import_template

BOUNDARY = "hs-sqlmap-boundary"
MARKED_CELLS = ("A-0001", "锦绣花园", "金水区花园路100号", "南北通透，近地铁")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def signed_in_session(base: str, username: str, password: str) -> tuple[str, str]:
    """The session cookie header and a CSRF token after signing in through the form."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = CSRF_FIELD.search(opener.open(f"{base}/auth/login").read().decode()).group(1)
    form = urllib.parse.urlencode({"login": username, "password": password, "csrf_token": token}).encode()
    opener.open(f"{base}/auth/login", data=form)
    page = opener.open(f"{base}/agency/import").read().decode()  # fails loudly if not signed in
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    return cookies, CSRF_FIELD.search(page).group(1)


def marked_csv() -> str:
    content = import_template("csv").decode("utf-8-sig")
    for cell in MARKED_CELLS:
        content = content.replace(cell, f"{cell}*", 1)
    return content


def request_text(base: str, cookies: str, csrf_token: str) -> str:
    def field(name: str, value: str) -> list[str]:
        return [f"--{BOUNDARY}", f'Content-Disposition: form-data; name="{name}"', "", value]

    body = "\r\n".join([
        *field("csrf_token", csrf_token), *field("mode", "valid_rows*"),
        f"--{BOUNDARY}", 'Content-Disposition: form-data; name="file"; filename="listings.csv"',
        "Content-Type: text/csv", "", marked_csv(), f"--{BOUNDARY}--", ""])
    head = "\r\n".join([
        "POST /agency/import HTTP/1.1", f"Host: {urllib.parse.urlsplit(base).netloc}", f"Cookie: {cookies}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}", "", ""])
    return head + body


if __name__ == "__main__":
    base_url, user, secret = sys.argv[1:4]
    sys.stdout.write(request_text(base_url, *signed_in_session(base_url, user, secret)))
