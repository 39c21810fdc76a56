"""reentry serve: the staff workspace in a browser."""

from __future__ import annotations

import click

from ..i18n import _
from .state import CliState, pass_state

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help=_("Where to listen: 127.0.0.1 for this computer only, 0.0.0.0 for the office network."))
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help=_("The port."))
@click.option("--secure-cookies/--insecure-cookies", "secure", default=None,
              help=_("Send the sign-in cookie only over HTTPS (default: on, unless listening on this computer "
                     "only). Use --insecure-cookies only on a trusted office network without HTTPS."))
@pass_state
def command(state: CliState, host, port, secure):
    """Start the web workspace on the same database as the command line: staff sign in
    with their code and the password an admin set (reentry staff set-password CODE).

    \b
    Examples:
      reentry serve                          # then open http://127.0.0.1:8080
      reentry --db postgresql://reentry@server/reentry serve --host 0.0.0.0 --insecure-cookies
    """
    import logging
    import os

    import uvicorn

    from ..web import make_app

    programme = state.programme()
    if secure is None:
        secure = host not in LOOPBACK
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    app = make_app(programme, secret=os.environ.get("REENTRY_WEB_SECRET"), secure=secure)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(_("reentry workspace on {url} (database {db}); stop with Ctrl+C.").format(
        url=f"{'https' if secure and host not in LOOPBACK else 'http'}://{shown}:{port}/", db=programme.url))
    if secure and host not in LOOPBACK:
        click.echo(_("Sign-in cookies are sent over HTTPS only: put the workspace behind HTTPS, or start it with "
                     "--insecure-cookies on a trusted office network."))
    # no access log: paths may name a participant; the app logs each request without its path
    uvicorn.run(app, host=host, port=port, access_log=False, server_header=False, log_level="warning",
                proxy_headers=False)
