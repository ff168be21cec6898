"""Reading a page's <select>: its options' labels (unescaped) and which one is selected."""

import html
import re


def options(response, name):
    """[(label, selected)] of the <select> `name` of the page."""
    body = response.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert select, f"no <select name={name}>"
    found = re.findall(r'<option value="([^"]*)"( selected)?>(.*?)</option>', select.group(1))
    return [(html.unescape(label), bool(chosen)) for _value, chosen, label in found]


def labels(response, name):
    return [label for label, _chosen in options(response, name)]


def selected(response, name):
    return [label for label, chosen in options(response, name) if chosen]
