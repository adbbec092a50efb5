"""Fixtures of the publish-side tests: a warehouse with a warning mart of fct_warnings' shape,
and the reference platform on loopback."""

from __future__ import annotations

import pytest
from support import FCT, PLATFORM_SECRET, PLATFORM_TOKEN

from rig.platform_server import PlatformServer


@pytest.fixture
def wh(warehouse):
    warehouse.execute(FCT)
    return warehouse


@pytest.fixture
def platform():
    server = PlatformServer(token=PLATFORM_TOKEN, secret=PLATFORM_SECRET)
    server.start()
    yield server
    server.stop()
