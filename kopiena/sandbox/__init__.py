"""A local Mastodon-API sandbox with a simulated audience, for the no-accounts demo and the tests.

from kopiena.sandbox import start_sandbox
sandbox = start_sandbox(port=8787, audience=True, access_token=stored_token)
# connect: platform "mastodon", base_url=sandbox.base_url, secrets {"access_token": sandbox.access_token},
# build the connector with allow_loopback=True (ConnectedAccount.is_sandbox)
sandbox.stop()
"""

from kopiena.sandbox.server import SandboxServer, start_sandbox

__all__ = ["SandboxServer", "start_sandbox"]
