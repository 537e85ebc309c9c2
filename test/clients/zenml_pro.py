"""ZenML's own Pro client (PyPI zenml 0.98.0, module zenml.login.pro) against the emulator.

Run by test/integration/zenml-client.test.ts with the venv of scripts/ensure-python-clients:

    python zenml_pro.py '<json: {url, apiKey, botKey, clientId, clientSecret, scopedToken, scopedOrgId}>'

Calls every method of the client that touches organizations, workspaces (each carries its
organization) or logging in, and checks each answer against the client's own models: the client
validates every body with them (OrganizationRead, WorkspaceRead, OAuthTokenResponse, APIToken), so
a missing required attribute or a wrong type raises; workspace statuses must be WorkspaceStatus
values; errors must map (zen_server/exceptions.py exception_from_response) to the exception the
real server's answer maps to. The 0.98.0 Pro client has no member or role calls.

Prints one JSON object: {"calls": [{"call", "ok", "detail"}...]}; exits 1 when a call failed.
Nothing of the client is copied here: it is imported and called.
"""

import asyncio
import json
import sys
import traceback
import uuid
from typing import Any, Callable, List, Optional

import requests

from zenml.exceptions import CredentialsNotValid, IllegalOperationError, MethodNotAllowedError
from zenml.login.credentials import APIToken
from zenml.login.credentials_store import get_credentials_store
from zenml.login.pro.client import ZenMLProClient
from zenml.login.pro.models import BaseRestAPIModel
from zenml.login.pro.organization.models import OrganizationRead
from zenml.login.pro.workspace.models import WorkspaceRead, WorkspaceStatus
from zenml.models.v2.misc.auth_models import OAuthTokenResponse

args = json.loads(sys.argv[1])
URL: str = args["url"]
calls: List[dict] = []


def check(name: str, fn: Callable[[], Any]) -> Any:
    """Runs one call; records whether it behaved as the client needs."""
    try:
        detail = fn()
        calls.append({"call": name, "ok": True, "detail": detail if isinstance(detail, str) else ""})
        return detail
    except Exception as e:  # noqa: BLE001 - every failure is a finding
        tb = traceback.format_exception_only(type(e), e)[-1].strip()
        calls.append({"call": name, "ok": False, "detail": tb})
        return None


def expect_raises(exc: type, fn: Callable[[], Any]) -> str:
    try:
        fn()
    except exc as e:
        return f"{type(e).__name__}: {e}"
    raise AssertionError(f"expected {exc.__name__}, nothing was raised")


# Bodies the client's generic calls send (document 002's create and update models; the 0.98.0
# client declares no organization create/update model of its own).
class OrganizationCreate(BaseRestAPIModel):
    name: str
    description: Optional[str] = None


class OrganizationUpdate(BaseRestAPIModel):
    description: Optional[str] = None


def fetch_api_token() -> str:
    tok = ZenMLProClient.fetch_api_token(URL, args["apiKey"])
    assert isinstance(tok, OAuthTokenResponse)
    assert tok.token_type.lower() == "bearer", tok.token_type
    assert isinstance(tok.expires_in, int) and tok.expires_in > 0, tok.expires_in
    return f"token_type={tok.token_type} expires_in={tok.expires_in}"


def client_credentials_login() -> str:
    # The request ZenML's own server sends to the Pro API (zen_server/cloud_utils.py
    # ZenMLCloudConnection._fetch_auth_token; that module needs the server extras, so it is
    # replayed here) and the checks it makes: an access token and an int expires_in.
    res = requests.post(
        URL + "/auth/login",
        headers={"content-type": "application/x-www-form-urlencoded"},
        data={"client_id": args["clientId"], "client_secret": args["clientSecret"], "audience": "zenml-pro", "grant_type": "client_credentials"},
        timeout=10,
    )
    res.raise_for_status()
    tok = OAuthTokenResponse.model_validate(res.json())
    assert tok.access_token and isinstance(tok.expires_in, int) and tok.expires_in > 0
    return f"expires_in={tok.expires_in}"


def authenticate() -> str:
    store = get_credentials_store()
    store.set_api_key(URL, args["apiKey"], is_zenml_pro=True)
    client = ZenMLProClient(URL)
    token = client.authenticate()
    assert isinstance(token, APIToken) and not token.expired
    stored = store.get_pro_token(URL)
    assert stored is not None and stored.access_token == token.access_token
    assert client.api_token == token.access_token
    return "token stored in the credentials store"


client = ZenMLProClient(URL)
state: dict = {}


def create() -> str:
    org = client._create_resource(
        OrganizationCreate(name="Client Org", description="made by zenml's own client"), OrganizationRead, "/organizations"
    )
    assert isinstance(org, OrganizationRead) and org.name == "Client Org"
    state["org"] = org
    return str(org.id)


def get_by_id() -> str:
    org = client.organization.get(state["org"].id)
    assert org.id == state["org"].id and org.description == "made by zenml's own client"
    return org.name


def get_by_name() -> str:
    org = client.organization.get("Client Org")
    assert org.id == state["org"].id
    return str(org.id)


def list_orgs() -> str:
    orgs = asyncio.run(client.organization.list(offset=0, limit=20))
    assert all(isinstance(o, OrganizationRead) for o in orgs)
    assert state["org"].id in [o.id for o in orgs], [o.name for o in orgs]
    page = asyncio.run(client.organization.list(offset=1, limit=1))
    assert len(page) <= 1 and (not page or page[0].id == orgs[1].id)
    return f"{len(orgs)} organizations"


def patch() -> str:
    body = client.patch(f"/organizations/{state['org'].id}", body=OrganizationUpdate(description="patched"))
    org = OrganizationRead.model_validate(body)
    assert org.description == "patched"
    return "description patched"


def put_refused() -> str:
    # The client's generic update is a PUT: organizations take PATCH, so FastAPI answers 405.
    return expect_raises(
        MethodNotAllowedError,
        lambda: client._update_resource(state["org"].id, OrganizationUpdate(description="x"), OrganizationRead, "/organizations"),
    )


def unknown_org() -> str:
    return expect_raises(KeyError, lambda: client.organization.get(uuid.uuid4()))


def workspaces() -> str:
    everything = client.workspace.list()
    assert all(isinstance(w, WorkspaceRead) for w in everything)
    for w in everything:
        WorkspaceStatus(w.status)  # an unknown status is a ValueError
        WorkspaceStatus(w.desired_state)
    assert everything, "the seed has workspaces"
    first = everything[0]
    mine = client.workspace.list(organization_id=first.organization_id, status=WorkspaceStatus(first.status))
    assert mine and all(w.organization_id == first.organization_id and w.status == first.status for w in mine)
    by_name = client.workspace.list(workspace_name=first.name)
    assert [w.id for w in by_name] == [first.id]
    one = client.workspace.get(first.id)
    assert one.id == first.id and one.organization.id == first.organization_id
    assert client.workspace.list(offset=0, limit=1, member_only=True) is not None
    return f"{len(everything)} workspaces, {first.name} in {first.organization_name} ({first.status})"


def unknown_workspace() -> str:
    return expect_raises(KeyError, lambda: client.workspace.get(uuid.uuid4()))


def scoped_delete_refused() -> str:
    res = requests.delete(
        f"{URL}/organizations/{args['scopedOrgId']}", headers={"Authorization": "Bearer " + args["scopedToken"]}, timeout=10
    )
    return expect_raises(IllegalOperationError, lambda: ZenMLProClient._handle_response(res))


def service_account_key() -> str:
    # A service account's API key: the exchange answers the same model; its token may not create.
    tok = ZenMLProClient.fetch_api_token(URL, args["botKey"])
    assert isinstance(tok, OAuthTokenResponse) and tok.token_type.lower() == "bearer"
    res = requests.post(
        URL + "/organizations", json={"name": "By a bot"}, headers={"Authorization": "Bearer " + tok.access_token}, timeout=10
    )
    return expect_raises(IllegalOperationError, lambda: ZenMLProClient._handle_response(res))


def wrong_key() -> str:
    return expect_raises(CredentialsNotValid, lambda: ZenMLProClient.fetch_api_token(URL, "ZENPROKEY_not-a-key"))


def delete() -> str:
    assert client._delete_resource(state["org"].id, "/organizations") is None
    expect_raises(KeyError, lambda: client.organization.get(state["org"].id))
    return "deleted, then KeyError"


check("ZenMLProClient.fetch_api_token (POST /auth/login password=<key>)", fetch_api_token)
check("ZenMLProClient.fetch_api_token with a wrong key -> CredentialsNotValid", wrong_key)
check("ZenMLProClient.fetch_api_token with a service account's key; its create -> IllegalOperationError", service_account_key)
check("OAuth2 client credentials at /auth/login (ZenML server's cloud_utils request)", client_credentials_login)
check("ZenMLProClient.authenticate (credentials store API key -> token)", authenticate)
check("ZenMLProClient._create_resource (POST /organizations)", create)
check("OrganizationClient.get by id", get_by_id)
check("OrganizationClient.get by name", get_by_name)
check("OrganizationClient.list (offset, limit)", list_orgs)
check("ZenMLProClient.patch (PATCH /organizations/{id})", patch)
check("ZenMLProClient._update_resource (PUT) -> MethodNotAllowedError", put_refused)
check("OrganizationClient.get of an unknown id -> KeyError", unknown_org)
check("WorkspaceClient.list and get (filters; WorkspaceStatus values)", workspaces)
check("WorkspaceClient.get of an unknown id -> KeyError", unknown_workspace)
check("DELETE own organization with a scoped token -> IllegalOperationError", scoped_delete_refused)
check("ZenMLProClient._delete_resource (DELETE /organizations/{id})", delete)

print(json.dumps({"calls": calls}))
sys.exit(0 if all(c["ok"] for c in calls) else 1)
