import pytest

from bridge_helpers import HELMS


@pytest.fixture(params=sorted(HELMS), scope="session")
def helm(request):
    path = HELMS[request.param]
    if not path.exists():
        pytest.skip("%s missing: run scripts/setup.sh" % path)
    return str(path)
