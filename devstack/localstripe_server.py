"""`python -m devstack.localstripe_server --port N [--state-file F]`: localstripe on loopback.

localstripe's own CLI binds every interface and pickles its store to a fixed
`/tmp/localstripe.pickle` shared by every instance; here each instance keeps its objects in
memory, or in its own `--state-file` (written atomically after each change) so a restarted
development stack still knows the PaymentIntents its database refers to.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
from pathlib import Path
from typing import Any


def use_state_file(path: Path | None) -> None:
    """Point localstripe's store at `path` (None: memory only) instead of /tmp."""
    from localstripe.resources import Store

    def dump_to_disk(self: Any) -> None:
        if path is None:
            return
        temporary = path.with_name(path.name + ".part")
        with open(temporary, "wb") as file:
            pickle.dump(dict(self), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)

    def try_load_from_disk(self: Any) -> None:
        if path is None or not path.exists():
            return
        with open(path, "rb") as file:
            saved = pickle.load(file)
        dict.clear(self)
        dict.update(self, saved)

    Store.dump_to_disk = dump_to_disk
    Store.try_load_from_disk = try_load_from_disk
    # The server already saves after every POST/PUT/DELETE; saving on each item too only
    # re-pickles the whole store several times per request.
    Store.__setitem__ = dict.__setitem__
    Store.__delitem__ = dict.__delitem__


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve localstripe until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state-file", type=Path, default=None)
    args = parser.parse_args(argv)

    from aiohttp import web
    from localstripe import server
    from localstripe.resources import store

    from devstack.localstripe_connect import register_connect

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.state_file is not None:
        args.state_file.parent.mkdir(parents=True, exist_ok=True)
    use_state_file(args.state_file)
    register_connect(server.app)  # Stripe Connect (accounts, transfers) for settlements
    store.try_load_from_disk()
    web.run_app(
        server.app,
        host=args.host,
        port=args.port,
        access_log=logging.getLogger("aiohttp.access"),
        print=lambda message: logging.getLogger("localstripe").info(message),
    )


if __name__ == "__main__":
    main()
