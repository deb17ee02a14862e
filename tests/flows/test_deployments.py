"""prefect.yaml: deployments load, parameters match their flows, a deployment run executes; concurrent ingests."""

from __future__ import annotations

import contextlib
import html
import inspect
import re
import threading
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from flows.ingest import ingest
from flows.serve import find_prefect_file, load_specs, to_runner_deployment
from flows.writes import WAREHOUSE_LIMIT
from tests.conftest import REPO_ROOT, write_sources
from tests.support.http_server import FixtureServer
from warehouse.db import Warehouse

pytestmark = pytest.mark.usefixtures("prefect_harness")

PREFECT_FILE = REPO_ROOT / "prefect.yaml"


def test_prefect_yaml_is_what_prefect_deploy_reads() -> None:
    from prefect.cli.deploy._models import PrefectYamlModel

    model = PrefectYamlModel.model_validate(yaml.safe_load(PREFECT_FILE.read_text(encoding="utf-8")))
    names = {d.name for d in model.deployments}
    assert names == {"rss", "telegram", "backfill", "extract"}
    for deployment in model.deployments:
        assert deployment.concurrency_limit is not None
        limit = deployment.concurrency_limit
        assert (limit if isinstance(limit, int) else limit.limit) == 1
        assert deployment.work_pool is not None and deployment.work_pool.name == "telefeed-process"
    assert find_prefect_file() == PREFECT_FILE or find_prefect_file().resolve() == PREFECT_FILE


def test_every_entrypoint_imports_and_its_parameters_match_the_flow_signature() -> None:
    specs = {s.name: s for s in load_specs(PREFECT_FILE)}
    for spec in specs.values():
        flow = spec.load_flow()
        signature = inspect.signature(flow.fn)
        unknown = set(spec.parameters) - set(signature.parameters)
        assert not unknown, f"{spec.name}: parameters {unknown} are not arguments of {spec.entrypoint}"
        flow.validate_parameters(spec.parameters | _required_placeholders(flow))
        schema = flow.parameters.model_dump()
        for name in signature.parameters:
            assert name in schema["properties"], f"{spec.name}: {name} missing from the parameter schema"
            assert schema["properties"][name].get("description"), f"{spec.entrypoint}: {name} is undocumented"
    assert specs["rss"].intervals == [900.0] and specs["rss"].parameters == {"kinds": ["rss"], "extract": True}
    assert specs["telegram"].intervals == [300.0] and specs["telegram"].parameters["extract"] is True
    assert set(specs["telegram"].parameters["kinds"]) == {"telegram", "telegram_preview", "telegram_export"}
    assert specs["backfill"].intervals == [] and specs["backfill"].crons == []
    assert specs["backfill"].collision_strategy == "ENQUEUE"
    assert specs["extract"].intervals == [] and specs["extract"].crons == [] and specs["extract"].parameters == {}
    assert specs["extract"].collision_strategy == "ENQUEUE" and specs["extract"].load_flow().name == "extract"
    assert specs["rss"].collision_strategy == "CANCEL_NEW"


def _required_placeholders(flow: Any) -> dict[str, Any]:
    required = flow.parameters.model_dump().get("required") or []
    return {name: {"source": "x", "since": "2026-11-01"}[name] for name in required}


def test_a_deployment_run_with_parameters_executes(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment
    from prefect.flow_engine import run_flow

    feed = (REPO_ROOT / "tests" / "fixtures" / "feeds" / "good_rss.xml").read_bytes()
    http_server.add("/good.xml", body=feed)
    sources = write_sources(
        tmp_path,
        f'[[sources]]\nname = "good"\nkind = "rss"\nfetch_pages = false\nurl = "{http_server.url("/good.xml")}"\n',
    )
    (spec,) = [s for s in load_specs(PREFECT_FILE) if s.name == "backfill"]
    deployment_id = to_runner_deployment(spec).apply()
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment_id)
    assert stored.name == "backfill" and not stored.schedules
    assert stored.global_concurrency_limit is not None and stored.global_concurrency_limit.limit == 1
    assert stored.parameter_openapi_schema is not None
    assert set(stored.parameter_openapi_schema["required"]) == {"source", "since"}

    parameters = {
        "source": "good",
        "since": "2026-11-22",
        "until": "2026-11-24",
        "sources_path": sources,
        "warehouse_path": warehouse_path,
    }
    flow_run = cast(FlowRun, run_deployment("backfill/backfill", parameters=parameters, timeout=0))
    assert flow_run.deployment_id == deployment_id
    # Execute the scheduled run in this process, as a worker or `serve` would, from the stored parameters.
    result = run_flow(spec.load_flow(), flow_run=flow_run, parameters=flow_run.parameters)
    assert isinstance(result, dict) and result["new"] == 3
    with get_client(sync_client=True) as client:
        finished = client.read_flow_run(flow_run.id)
        artifacts = client.read_artifacts()
    assert finished.state is not None and finished.state.is_completed()
    assert Warehouse(warehouse_path).query("select count(*) from documents").column(0)[0].as_py() == 3
    # The backfill extracted what it landed (extract defaults to true) before publishing its artifacts.
    assert Warehouse(warehouse_path).query("select count(*) from extracted_documents").column(0)[0].as_py() == 3
    mine = [a for a in artifacts if a.flow_run_id == flow_run.id]
    assert {a.key for a in mine} == {"backfill-sources", "backfill-highlights"}
    table = next(a for a in mine if a.key == "backfill-sources")
    assert '"source": "good"' in str(table.data) or "'source': 'good'" in str(table.data)


def test_serve_builds_one_runner_deployment_per_entry() -> None:
    deployments = [to_runner_deployment(spec) for spec in load_specs(PREFECT_FILE)]
    by_name = {d.name: d for d in deployments}
    assert set(by_name) == {"rss", "telegram", "backfill", "extract"}
    rss = by_name["rss"]
    assert rss.parameters == {"kinds": ["rss"], "extract": True}
    assert [s.schedule.interval.total_seconds() for s in rss.schedules] == [900.0]
    assert rss.concurrency_limit == 1 or getattr(rss.concurrency_limit, "limit", None) == 1
    assert by_name["backfill"].schedules in (None, []) and by_name["extract"].schedules in (None, [])


def test_two_ingest_flows_started_together_both_land_everything(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    from prefect.client.orchestration import get_client

    bodies = {}
    for name in ("alpha", "beta"):
        items = "".join(
            f"<item><title>{name} {n}</title><link>https://{name}.example/{n}</link><guid>{name}-{n}</guid>"
            f"<pubDate>Mon, 23 Nov 2026 0{n}:00:00 +0000</pubDate><description>{name} story {n}</description></item>"
            for n in range(1, 7)
        )
        bodies[name] = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>'
        http_server.add(f"/{name}.xml", body=bodies[name].encode(), delay_seconds=0.3)
    sources = write_sources(
        tmp_path,
        "".join(
            f'[[sources]]\nname = "{n}"\nkind = "rss"\nfetch_pages = false\nurl = "{http_server.url(f"/{n}.xml")}"\n'
            for n in ("alpha", "beta")
        ),
    )
    results: dict[str, Any] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(name: str) -> None:
        try:
            barrier.wait()
            results[name] = ingest(sources=[name], sources_path=sources, warehouse_path=warehouse_path)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in ("alpha", "beta")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert results["alpha"][0]["new"] == 6 and results["beta"][0]["new"] == 6
    wh = Warehouse(warehouse_path)
    per_source = wh.query("select source, count(*) as n from documents group by source order by source").to_pylist()
    assert per_source == [{"source": "alpha", "n": 6}, {"source": "beta", "n": 6}]
    runs = wh.query("select source, status from runs order by source").to_pylist()
    assert runs == [{"source": "alpha", "status": "ok"}, {"source": "beta", "status": "ok"}]
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(WAREHOUSE_LIMIT)
    assert limit.limit == 1 and limit.active_slots == 0  # the writers used the limit and gave every slot back


def test_a_serialised_warehouse_waits_for_the_global_write_slot(warehouse_path: str) -> None:
    from prefect.concurrency.sync import concurrency

    from flows.writes import ensure_write_limit, serialised

    assert ensure_write_limit()
    done = threading.Event()

    def write() -> None:
        serialised(Warehouse(warehouse_path)).migrate()
        done.set()

    serialised(Warehouse(warehouse_path)).migrate()  # the file exists before the slot is taken below
    with concurrency(WAREHOUSE_LIMIT, occupy=1, strict=True):
        # a short read (cursor, known ids) does not queue behind other runs' writes
        read = threading.Thread(target=lambda: serialised(Warehouse(warehouse_path)).get_cursor("any"), daemon=True)
        read.start()
        read.join(10)
        assert not read.is_alive(), "a read waited for the write slot"
        writer = threading.Thread(target=write)
        writer.start()
        assert not done.wait(2.0), "the write ran while another holder had the only slot"
    assert done.wait(60), "the write never got the slot after it was released"
    writer.join()
    assert Path(warehouse_path).exists()


def _run_artifacts(flow_run_id: Any) -> dict[str, Any]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return {str(a.key): a for a in client.read_artifacts() if a.flow_run_id == flow_run_id}


def test_each_ingest_run_publishes_its_source_table_and_a_digest_of_its_entities_and_quotes(
    tmp_path: Path, http_server: FixtureServer, warehouse_path: str
) -> None:
    stories = [
        ('"We are holding the line in Bakhmut," Oleksandr Syrskyi said on Tuesday.', 1),
        ('Serhiy Cherevatyi said: "The enemy lost two battalions near Bakhmut overnight."', 2),
    ]
    items = "".join(
        f"<item><title>Bakhmut {n}</title><link>https://digest.example/{n}</link><guid>digest-{n}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 0{n}:00:00 +0000</pubDate><description>{html.escape(text)}</description></item>"
        for text, n in stories
    )
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>d</title>{items}</channel></rss>'
    http_server.add("/digest.xml", body=feed.encode())
    sources = write_sources(
        tmp_path,
        f'[[sources]]\nname = "digest"\nkind = "rss"\nfetch_pages = false\nurl = "{http_server.url("/digest.xml")}"\n',
    )
    state = ingest(sources=["digest"], sources_path=sources, warehouse_path=warehouse_path, return_state=True)
    assert state.is_completed()
    artifacts = _run_artifacts(state.state_details.flow_run_id)
    assert set(artifacts) == {"ingest-sources", "ingest-highlights"}
    table = str(artifacts["ingest-sources"].data)
    assert '"source": "digest"' in table and '"new": 2' in table
    digest = str(artifacts["ingest-highlights"].data)
    assert "2 new and 0 updated document(s) from 1 source(s)" in digest
    assert re.search(r"Peak memory of the run's process: [1-9]\d* MB", digest)
    entities = digest.split("## Top entities")[1].split("## Quotes")[0]
    assert "| Bakhmut | LOC | 2 | 2 |" in entities  # top entity first: two mentions in two documents
    assert "Oleksandr Syrskyi" in entities and "Serhiy Cherevatyi" in entities
    quotes = digest.split("## Quotes")[1]
    assert "| Oleksandr Syrskyi | We are holding the line in Bakhmut, | digest |" in quotes
    assert "The enemy lost two battalions near Bakhmut overnight." in quotes

    # The next run lands nothing new: its digest lists no entities or quotes of earlier runs.
    again = ingest(sources=["digest"], sources_path=sources, warehouse_path=warehouse_path, return_state=True)
    later = str(_run_artifacts(again.state_details.flow_run_id)["ingest-highlights"].data)
    assert "0 new and 0 updated" in later and "Bakhmut" not in later and "No quotes extracted" in later

    # A run that adds one story lists that story's entities and quote, and still none of the earlier ones.
    third = (
        "<item><title>Kharkiv 3</title><link>https://digest.example/3</link><guid>digest-3</guid>"
        "<pubDate>Tue, 24 Nov 2026 03:00:00 +0000</pubDate><description>"
        + html.escape('Ihor Terekhov said: "Kharkiv has power again after the overnight strike."')
        + "</description></item>"
    )
    http_server.add("/digest.xml", body=feed.replace("</channel>", third + "</channel>").encode())
    grown = ingest(sources=["digest"], sources_path=sources, warehouse_path=warehouse_path, return_state=True)
    digest = str(_run_artifacts(grown.state_details.flow_run_id)["ingest-highlights"].data)
    assert "1 new and 0 updated" in digest
    assert "Ihor Terekhov" in digest and "Kharkiv has power again" in digest
    assert "Bakhmut" not in digest and "Syrskyi" not in digest and "Cherevatyi" not in digest


def test_serve_refuses_deployments_that_prefect_deploy_registered_and_leaves_them_alone() -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    from flows.serve import ServeError, serve_all

    (spec,) = [s for s in load_specs(PREFECT_FILE) if s.name == "rss"]
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name="telefeed-process", type="process"))
    pull = [{"prefect.deployments.steps.set_working_directory": {"directory": "/srv/telefeed"}}]
    deployment_id = to_runner_deployment(spec, work_pool_name="telefeed-process").apply()
    with get_client(sync_client=True) as client:
        client.update_deployment(deployment_id, _deployment_update(pull))
        before = client.read_deployment(deployment_id)
    with pytest.raises(ServeError, match="ingest/rss already registered by `prefect deploy`"):
        serve_all(PREFECT_FILE)
    with get_client(sync_client=True) as client:
        after = client.read_deployment(deployment_id)
        client.delete_deployment(deployment_id)
    assert after.pull_steps == pull and after.work_pool_name == "telefeed-process"
    assert after.paused is False and after.updated == before.updated


def _deployment_update(pull_steps: list[dict[str, Any]]) -> Any:
    from prefect.client.schemas.actions import DeploymentUpdate

    return DeploymentUpdate(pull_steps=pull_steps)


@pytest.mark.timeout(420)
def test_serve_without_a_prefect_api_starts_a_server_whose_scheduler_runs_the_flow(tmp_path: Path) -> None:
    """`telefeed serve` with PREFECT_API_URL unset: its own server schedules a run, the run lands, SIGTERM stops
    both the runner and the server."""
    import json
    import os
    import subprocess
    import sys
    import urllib.request

    from tests.support.postgres import free_port
    from tests.support.processes import sigterm_when

    feed = REPO_ROOT / "tests" / "fixtures" / "feeds" / "good_rss.xml"
    sources = write_sources(
        tmp_path, f'[[sources]]\nname = "good"\nkind = "rss"\nfetch_pages = false\nurl = "{feed}"\n'
    )
    warehouse = tmp_path / "w.duckdb"
    deployments = {
        "deployments": [
            {
                "name": "rss",
                "entrypoint": "flows/ingest.py:ingest",
                "parameters": {"sources_path": sources, "warehouse_path": str(warehouse), "extract": False},
                "schedules": [{"interval": 5}],
                "concurrency_limit": {"limit": 1, "collision_strategy": "CANCEL_NEW"},
            }
        ]
    }
    prefect_file = tmp_path / "prefect.yaml"
    prefect_file.write_text(yaml.safe_dump(deployments), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TELEFEED_"))}
    env |= {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    command = [str(Path(sys.executable).parent / "telefeed"), "serve", "--prefect-file", str(prefect_file)]
    serving = subprocess.Popen(
        [*command, "--port", str(port)], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )

    def a_scheduled_run_completed() -> bool:
        request = urllib.request.Request(
            f"{api}/flow_runs/filter", data=b"{}", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                runs = json.loads(answer.read())
        except OSError:  # the server is still starting
            return False
        return any(r["state_type"] == "COMPLETED" and r["auto_scheduled"] for r in runs)

    text = sigterm_when(serving, a_scheduled_run_completed, 300, "a scheduled run completed")
    assert serving.returncode == 0, text[-3000:]
    assert f"started a Prefect server at {api}" in text
    with pytest.raises(OSError):  # the server stopped with the command
        urllib.request.urlopen(f"{api}/health", timeout=2)
    assert Warehouse(str(warehouse)).query("select count(*) from documents").column(0)[0].as_py() == 3
