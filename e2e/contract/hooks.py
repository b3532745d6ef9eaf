"""Schemathesis hooks for Gatehouse's contract test (run by `cargo xtask test`).

Every generated request is sent signed in, as the administrator the test made, with its CSRF
token; the fuzzer never aims at that administrator's own account (resetting its password would
end the run; the same operations run on other accounts). Requests end sessions too (ending one
by its handle, found through the sessions list): the sign-in is renewed every second, so such a
request costs the run at most a second of 401s (which the contract documents all the same).
"""

import http.cookies
import json
import os
import urllib.request

import schemathesis

BASE = os.environ["GATEHOUSE_CONTRACT_URL"]
USER = os.environ["GATEHOUSE_CONTRACT_USER"]
PASSWORD = os.environ["GATEHOUSE_CONTRACT_PASSWORD"]
OWN_ID = int(os.environ["GATEHOUSE_CONTRACT_ACCOUNT_ID"])


@schemathesis.auth(refresh_interval=1)
class SignedIn:
    """A session of the test's administrator: its cookies, and its CSRF token in the header."""

    def get(self, case, ctx):
        body = json.dumps({"username": USER, "password": PASSWORD}).encode()
        request = urllib.request.Request(
            BASE + "/api/auth/login",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            cookies = http.cookies.SimpleCookie()
            for header in response.headers.get_all("Set-Cookie"):
                cookies.load(header)
        sent = "; ".join(f"{name}={c.value}" for name, c in cookies.items() if c.value)
        return {"cookie": sent, "csrf": cookies["CSRF-TOKEN"].value}

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Cookie": data["cookie"], "X-CSRF-TOKEN": data["csrf"]}


@schemathesis.hook
def filter_path_parameters(ctx, path_parameters):
    return not (path_parameters and path_parameters.get("id") == OWN_ID)
