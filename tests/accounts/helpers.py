from django.test import Client

CAPTCHA_OK = {"captcha_0": "test", "captcha_1": "PASSED"}


def post_login(client: Client, username: str, password: str, *, REMOTE_ADDR: str = "127.0.0.1",  # noqa: N803
               **fields):
    data = {"username": username, "password": password, **CAPTCHA_OK, **fields}
    return client.post("/accounts/login/", data, REMOTE_ADDR=REMOTE_ADDR)
