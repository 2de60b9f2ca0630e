"""A workspace's own Twilio account: the API keeps it in a Secret of the workspace's own
namespace (labelled as Arkenos's, for this use only) that its lines point at, rewrites it when
the stored key changes, never touches a Secret it does not manage, and never shows the token."""

from __future__ import annotations

import base64

from tests.api.helpers import Api, Cluster, Person
from tests.api.phone_numbers.conftest import (
    OWN_OWNED,
    OWN_SID,
    OWN_TOKEN,
    PHONENUMBERS,
    PLATFORM_TOKEN,
    SECRETS,
    Twilio,
    buy_body,
    lines,
    store_own_key,
)

SECRET = "arkenos-twilio"


def _decoded(secret: dict[str, object]) -> dict[str, str]:
    data: dict[str, str] = secret["data"]  # type: ignore[assignment]
    return {key: base64.b64decode(value).decode() for key, value in data.items()}


async def test_own_account_lines_use_a_secret_in_the_workspace_only(
    api: Api, workspace: tuple[Person, str], cluster: Cluster, twilio: Twilio
) -> None:
    admin, ns = workspace
    other = await api.workspace(admin)
    await store_own_key(admin, ns)
    responses = []
    bought = await admin.post(lines(ns), json=buy_body())
    assert bought.status_code == 201, bought.text
    assert bought.json()["credentials"] == "Workspace"
    adopted = await admin.post(
        f"{lines(ns)}/adopt", json={"name": "own", "phoneNumber": OWN_OWNED, "agent": "desk"}
    )
    assert adopted.status_code == 201, adopted.text
    responses += [bought, adopted, await admin.get(lines(ns)), await admin.get(f"{lines(ns)}/own")]
    responses.append(await admin.get(f"/api/v1/workspaces/{ns}/keys"))

    secret = cluster.k8s.get_object(SECRETS, ns, SECRET)
    assert secret is not None
    assert _decoded(secret) == {"accountSid": OWN_SID, "authToken": OWN_TOKEN}
    assert secret["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "arkenos",
        "arkenos.io/workspace": ns,
        "arkenos.io/twilio-secret": "true",
    }
    for name in ("front", "own"):
        line = cluster.k8s.get_object(PHONENUMBERS, ns, name)
        assert line is not None
        assert line["spec"]["credentials"] == {"twilio": {"secretRef": {"name": SECRET}}}
    elsewhere = [s for s in cluster.k8s.list_objects(SECRETS) if s["metadata"]["namespace"] != ns]
    assert not any(OWN_TOKEN in str(s) for s in elsewhere)
    assert cluster.k8s.get_object(SECRETS, other, SECRET) is None
    for response in responses:
        assert OWN_TOKEN not in response.text
        assert PLATFORM_TOKEN not in response.text
    keys = {k["provider"]: k for k in responses[-1].json()}
    assert keys["twilio"]["lastFour"] == OWN_TOKEN[-4:]


async def test_a_new_key_rewrites_the_secret(
    workspace: tuple[Person, str], cluster: Cluster, twilio: Twilio
) -> None:
    admin, ns = workspace
    await store_own_key(admin, ns)
    assert (await admin.post(lines(ns), json=buy_body())).status_code == 201
    first = cluster.k8s.get_object(SECRETS, ns, SECRET)
    assert first is not None

    # Same key: the Secret is left as it is.
    assert (
        await admin.post(lines(ns), json=buy_body("+14155550101", name="two"))
    ).status_code == 201
    same = cluster.k8s.get_object(SECRETS, ns, SECRET)
    assert same is not None
    assert same["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]

    rotated = "workspace-token-rotated-000000abcd"
    with twilio.double.state.lock:
        twilio.double.state.accounts[OWN_SID].auth_token = rotated
    await store_own_key(admin, ns, rotated)
    assert (
        await admin.post(lines(ns), json=buy_body("+14155551234", name="three"))
    ).status_code == 201
    secret = cluster.k8s.get_object(SECRETS, ns, SECRET)
    assert secret is not None
    assert _decoded(secret)["authToken"] == rotated


async def test_a_secret_arkenos_does_not_manage_is_left_alone(
    workspace: tuple[Person, str], cluster: Cluster
) -> None:
    admin, ns = workspace
    theirs = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": SECRET, "namespace": ns},
        "data": {"accountSid": base64.b64encode(b"theirs").decode()},
    }
    created = await cluster.request("POST", f"/api/v1/namespaces/{ns}/secrets", json=theirs)
    assert created.status_code == 201, created.text
    await store_own_key(admin, ns)
    refused = await admin.post(lines(ns), json=buy_body())
    assert refused.status_code == 409
    assert refused.json()["code"] == "secret_not_managed"
    secret = cluster.k8s.get_object(SECRETS, ns, SECRET)
    assert secret is not None
    assert _decoded(secret) == {"accountSid": "theirs"}
    assert cluster.k8s.get_object(PHONENUMBERS, ns, "front") is None


async def test_platform_account_lines_make_no_secret(
    workspace: tuple[Person, str], cluster: Cluster
) -> None:
    admin, ns = workspace
    assert (await admin.post(lines(ns), json=buy_body())).status_code == 201
    assert cluster.k8s.get_object(SECRETS, ns, SECRET) is None


async def test_a_malformed_stored_key_says_how_to_fix_it(workspace: tuple[Person, str]) -> None:
    admin, ns = workspace
    stored = await admin.put(f"/api/v1/workspaces/{ns}/keys/twilio", json={"value": "not-a-pair"})
    assert stored.status_code == 200
    refused = await admin.post(lines(ns), json=buy_body())
    assert (refused.status_code, refused.json()["code"]) == (424, "twilio_key_malformed")
    assert "not-a-pair" not in refused.text


async def test_another_account_is_refused_while_lines_use_the_secret(
    workspace: tuple[Person, str], cluster: Cluster, twilio: Twilio
) -> None:
    admin, ns = workspace
    await store_own_key(admin, ns)
    assert (await admin.post(lines(ns), json=buy_body())).status_code == 201
    other_sid, other_token = "AC" + "3" * 32, "another-account-token-0000000000"
    twilio.double.state.add_account(other_sid, other_token)
    stored = await admin.put(
        f"/api/v1/workspaces/{ns}/keys/twilio", json={"value": f"{other_sid}:{other_token}"}
    )
    assert stored.status_code == 200
    refused = await admin.post(lines(ns), json=buy_body("+14155550101", name="two"))
    assert refused.status_code == 409
    assert refused.json()["code"] == "twilio_account_in_use"
    assert "front" in refused.json()["message"]
    assert other_token not in refused.text
    secret = cluster.k8s.get_object(SECRETS, ns, SECRET)
    assert secret is not None
    assert _decoded(secret)["accountSid"] == OWN_SID
    assert cluster.k8s.get_object(PHONENUMBERS, ns, "two") is None
