"""An agent an older operator built, whose artifact sits where its pods can no longer reach
it (the shared bucket prefix, before artifacts were kept per agent behind the API), is built
again even though its status serves that digest and its Job is gone; until the new build
succeeds, the old revision keeps serving."""

from __future__ import annotations

import pytest
from kopf.testing import KopfRunner

from arkenos_operator.kube import DEPLOYMENTS, JOBS, VOICE_AGENTS
from arkenos_operator.voiceagent import names
from tests.operator.conftest import WORKSPACE
from tests.operator.custom_agents import BUNDLE_1, job_name, serve_first_build
from tests.operator.kube_api import KubeApi

pytestmark = [pytest.mark.k8s, pytest.mark.usefixtures("platform_secrets")]


def test_an_artifact_of_the_old_store_is_built_again(api: KubeApi, operator: KopfRunner) -> None:
    serve_first_build(api)
    api.delete(JOBS, WORKSPACE, job_name("orders", BUNDLE_1))
    # The Deployment as an older operator left it: no artifact store on its pods.
    old = {names.ANNOTATION_ARTIFACT_STORE: None}
    api.patch(
        DEPLOYMENTS,
        WORKSPACE,
        names.deployment_name("orders"),
        {"spec": {"template": {"metadata": {"annotations": old}}}},
    )
    api.patch(
        VOICE_AGENTS,
        WORKSPACE,
        "orders",
        {"spec": {"custom": {"resources": {"requests": {"memory": "640Mi"}}}}},
    )
    job = api.wait_for(JOBS, WORKSPACE, job_name("orders", BUNDLE_1))
    assert job["metadata"]["annotations"][names.ANNOTATION_BUNDLE] == BUNDLE_1
    # The old pods serve meanwhile: the Deployment still names the old artifact.
    deployment = api.get(DEPLOYMENTS, WORKSPACE, names.deployment_name("orders"))
    assert deployment is not None
    assert names.ANNOTATION_ARTIFACT in deployment["spec"]["template"]["metadata"]["annotations"]
