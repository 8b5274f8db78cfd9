"""Serves Nova's fake until killed: ``python -m nova_fake_adapter --listen unix:PATH``."""

import argparse
import logging
import signal
import threading
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)


def main():
    parser = argparse.ArgumentParser(prog="nova_fake_adapter", description=__doc__)
    parser.add_argument("--listen", required=True, help="unix:PATH or tcp:HOST:PORT")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from compute_remote import serve

    from . import NovaFakeFactory

    server = serve(NovaFakeFactory(), args.listen)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"serving Nova's fake on {args.listen}", flush=True)
    stop.wait()
    server.stop(grace=1).wait()


if __name__ == "__main__":
    main()
