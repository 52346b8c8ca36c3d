"""The time limit is real: a runaway query is stopped while other clients are still served."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from .server_fixtures import RUNAWAY

SIMPLE = "ASK { ?s a <https://w3id.org/il2kg/ontology/Publication> }"


def test_runaway_query_is_stopped_while_others_are_served(endpoint: str) -> None:
    with httpx.Client(base_url=endpoint, timeout=60) as client, ThreadPoolExecutor(1) as pool:
        runaway = pool.submit(client.get, "/sparql", params={"query": RUNAWAY})
        served_while_running = 0
        for _ in range(300):  # bounded: the limit in the fixture is 3 s
            answer = client.get("/sparql", params={"query": SIMPLE})
            assert answer.status_code == 200 and answer.json()["boolean"] is True
            if runaway.done():
                break
            served_while_running += 1
            time.sleep(0.1)
        assert served_while_running > 1
        stopped = runaway.result(timeout=60)
        assert stopped.status_code == 503
        assert "limit" in stopped.text
        after = client.get("/sparql", params={"query": SIMPLE})
        assert after.status_code == 200 and after.json()["boolean"] is True


def test_endpoint_recovers_after_several_runaway_queries(endpoint: str) -> None:
    with httpx.Client(base_url=endpoint, timeout=60) as client, ThreadPoolExecutor(3) as pool:
        runaways = [pool.submit(client.get, "/sparql", params={"query": RUNAWAY}) for _ in range(3)]
        assert {r.result(timeout=60).status_code for r in runaways} == {503}
        assert client.get("/sparql", params={"query": SIMPLE}).json()["boolean"] is True
