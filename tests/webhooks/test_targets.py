"""Webhooks go to public https addresses only; loopback only where the setting allows it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from webhooks.targets import clean_url

REFUSED = {
    "http://8.8.8.8/hook": "https",
    "https://10.1.2.3/hook": "non-public",
    "https://192.168.0.10/hook": "non-public",
    "https://172.16.5.5/hook": "non-public",
    "https://169.254.169.254/latest/meta-data": "non-public",
    "https://[fd00:ec2::254]/": "non-public",
    "https://[fe80::1]/": "non-public",
    "https://100.64.0.1/": "non-public",
    "https://0.0.0.0/": "non-public",
    "https://224.0.0.1/": "non-public",
    "https://[::ffff:10.0.0.1]/": "non-public",
    "https://user:pw@8.8.8.8/hook": "user name or password",
    "https://8.8.8.8/hook#frag": "fragment",
    "https://no-such-host.invalid/hook": "could not be resolved",
    "ftp://8.8.8.8/": "valid URL",
    "not a url": "valid URL",
    "": "Enter the URL",
}


@pytest.mark.parametrize("url", REFUSED)
def test_an_unsafe_url_is_refused_with_the_reason(url, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError) as refused:
        clean_url(url)
    [message] = refused.value.message_dict["url"]
    assert REFUSED[url] in message


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "https://[::1]/hook"])
def test_loopback_is_refused_unless_allowed(url, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError):
        clean_url(url)
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert clean_url(url) == url


def test_allowing_loopback_opens_nothing_else(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    for url in ["http://10.0.0.1/", "https://169.254.169.254/", "http://8.8.8.8/"]:
        with pytest.raises(ValidationError):
            clean_url(url)


def test_a_public_https_url_is_accepted(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    assert clean_url("  https://8.8.8.8:8443/hooks?team=a  ") == "https://8.8.8.8:8443/hooks?team=a"
