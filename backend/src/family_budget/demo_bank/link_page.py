"""The demo bank's stand-in for Plaid Link: one small page, no dependencies.

Real Plaid Link is a script served by Plaid. With the demo bank, the web app opens
``GET /link?token=<link_token>&origin=<the web app's origin>`` in a popup or an iframe. The user
picks an institution (not in update mode), types the demo credentials shown on the page, and the
page reports back with ``window.postMessage`` to its opener (popup) or parent (iframe):

    {"source": "family-budget-demo-bank", "type": "success",
     "public_token": "public-sandbox-…",
     "metadata": {"institution": {"institution_id", "name"},
                  "accounts": [{"id", "name", "mask", "type", "subtype"}],
                  "link_session_id"}}
    {"source": "family-budget-demo-bank", "type": "exit"}          (the user cancelled)

Origin rule: the page posts only to the exact origin given in the ``origin`` query parameter
(``scheme://host[:port]``), never to ``*``; without a valid one it refuses to finish. The web app,
for its part, accepts a message only when ``event.origin`` is the demo bank's origin.

In update mode (a link token made with an access token) the page shows the item's institution and
only asks for the credentials; finishing repairs the item's login (ITEM_LOGIN_REQUIRED) and the
demo bank sends a LOGIN_REPAIRED webhook.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Final

from family_budget.demo_bank import catalog

if TYPE_CHECKING:
    from family_budget.demo_bank.bank import Item, PlaidErrorResponse

MESSAGE_SOURCE: Final = "family-budget-demo-bank"
_ORIGIN: Final = re.compile(r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?")


def valid_origin(origin: str | None) -> str | None:
    return origin if origin and _ORIGIN.fullmatch(origin) else None


def render_link_page(
    link_token: str | None,
    item: Item | None,
    origin: str | None,
    error: PlaidErrorResponse | None,
) -> str:
    target_origin = valid_origin(origin)
    if error is not None:
        reason = html.escape(error.error_message)
        body = f'<p role="alert">This link session cannot be used: {reason}.</p>'
        return _page(body, config=None)
    if target_origin is None:
        body = (
            '<p role="alert">The page that opened this one did not say where to send the result '
            "(an <code>origin</code> query parameter), so it cannot finish.</p>"
        )
        return _page(body, config=None)
    if item is not None:
        choice = (
            f"<p>Reconnect <strong>{html.escape(item.institution.name)}</strong>: "
            "the bank asks you to sign in again.</p>"
        )
    else:
        options = "\n".join(
            f'<label class="option"><input type="radio" name="institution" '
            f'value="{html.escape(inst.institution_id)}"{" checked" if index == 0 else ""}> '
            f"{html.escape(inst.name)}</label>"
            for index, inst in enumerate(catalog.INSTITUTIONS)
        )
        choice = f"<fieldset><legend>Choose your bank</legend>{options}</fieldset>"
    body = f"""
<form id="link-form" novalidate>
  {choice}
  <p class="hint">Demo credentials: username <code>{catalog.DEMO_USERNAME}</code>,
    password <code>{catalog.DEMO_PASSWORD}</code></p>
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="off" required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="off" required>
  <p id="status" role="status" aria-live="polite"></p>
  <div class="actions">
    <button type="button" id="cancel">Cancel</button>
    <button type="submit">Connect</button>
  </div>
</form>"""
    config: dict[str, object] = {
        "linkToken": link_token,
        "origin": target_origin,
        "source": MESSAGE_SOURCE,
    }
    return _page(body, config=config)


def _page(body: str, *, config: dict[str, object] | None) -> str:
    # JSON inside <script>: "<" escaped so no value can close the element.
    config_json = json.dumps(config).replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Bank: connect your account</title>
<style>
  body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; padding: 1.5rem; color: #111;
          background: #fff; max-width: 28rem; }}
  h1 {{ font-size: 1.25rem; margin: 0 0 1rem; }}
  fieldset {{ border: 1px solid #888; border-radius: 6px; padding: .5rem 1rem; margin: 0 0 1rem; }}
  .option {{ display: block; padding: .25rem 0; }}
  label[for] {{ display: block; margin-top: .75rem; font-weight: 600; }}
  input[name=username], input[name=password] {{ width: 100%; box-sizing: border-box;
          padding: .5rem; font: inherit; border: 1px solid #555; border-radius: 4px; }}
  .hint {{ background: #eef3ff; padding: .5rem .75rem; border-radius: 4px; }}
  .actions {{ display: flex; gap: .75rem; justify-content: flex-end; margin-top: 1rem; }}
  button {{ font: inherit; padding: .5rem 1rem; border-radius: 4px; border: 1px solid #1d4ed8;
          background: #fff; color: #1d4ed8; cursor: pointer; }}
  button[type=submit] {{ background: #1d4ed8; color: #fff; }}
  :focus-visible {{ outline: 3px solid #f59e0b; outline-offset: 2px; }}
  [role=alert], .error {{ color: #b91c1c; }}
</style>
</head>
<body>
<main>
<h1>Demo Bank</h1>
{body}
</main>
<script type="application/json" id="config">{config_json}</script>
<script>
(function () {{
  var config = JSON.parse(document.getElementById("config").textContent);
  if (!config) return;
  var target = window.opener || (window.parent !== window ? window.parent : null);
  var form = document.getElementById("link-form");
  var status = document.getElementById("status");
  function send(message) {{
    message.source = config.source;
    if (target) target.postMessage(message, config.origin);
  }}
  document.getElementById("cancel").addEventListener("click", function () {{
    send({{ type: "exit" }});
    if (window.opener) window.close();
  }});
  form.addEventListener("submit", function (event) {{
    event.preventDefault();
    var chosen = form.querySelector("input[name=institution]:checked");
    status.className = "";
    status.textContent = "Connecting…";
    fetch("/link/complete", {{
      method: "POST",
      headers: {{ "Content-Type": "application/json" }},
      body: JSON.stringify({{
        link_token: config.linkToken,
        institution_id: chosen ? chosen.value : null,
        username: form.username.value,
        password: form.password.value
      }})
    }}).then(function (response) {{
      return response.json().then(function (data) {{ return {{ ok: response.ok, data: data }}; }});
    }}).then(function (result) {{
      if (!result.ok) {{
        status.className = "error";
        status.textContent = result.data.display_message || result.data.error_message;
        return;
      }}
      status.textContent = "Connected.";
      send({{ type: "success", public_token: result.data.public_token,
              metadata: result.data.metadata }});
      if (window.opener) window.close();
    }}).catch(function () {{
      status.className = "error";
      status.textContent = "The demo bank did not answer. Try again.";
    }});
  }});
}})();
</script>
</body>
</html>
"""
