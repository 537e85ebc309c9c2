"""Cloudomation's own client of the workspace REST API (PyPI devstack-cli 12.0.1, module `cli`)
against the emulator's Cloudomation dialect.

devstack-cli is a DevStack client: of its calls, only the connection applies here. Its own code
runs the connection (`Cli._check_config`: `GET api/latest/alive`, then `POST api/latest/auth/login`
read as it reads them); it stops at its first DevStack-only call (`object_template/cde-type`, which
the emulator does not serve), which is how we know the two before it passed. The record calls it
makes (on custom objects and metadata) are then sent the same way, through its own aiohttp session
and cookie jar, to organization records: `filter` as one condition and as `{"and": [...]}`,
`plain=true` / `plain=True`, `fields`, `by=name`, a PATCH of a JSON object, and the POST and DELETE
it sends, which an organization refuses. Each answer is read as the client reads it
(`await response.json()` refuses any content type but JSON, then the keys it indexes).

Usage: python cloudomation_devstack.py <workspace-url> <user-name> <organization-name>
(password in DEVSTACK_CLI_PASSWORD, as the client reads it). Prints the client's own log lines,
then `ORGFORM-REPORT {"checks": [{"call", "ok", "detail"}]}` as the last line; exits 0 when every
check passed, 1 otherwise.
"""
import asyncio
import configparser
import json
import os
import sys

import aiohttp
import yarl

import cli  # devstack-cli 12.0.1

checks = []


def check(call, ok, detail=""):
    checks.append({"call": call, "ok": bool(ok), "detail": str(detail)[:400]})
    return bool(ok)


def connected_cli(workspace_url, user_name, password, session):
    """A `cli.Cli` with what its `run` and `_load_global_config` set, without the terminal its
    constructor takes over (`termios` on stdin): the connection code is the client's own."""
    c = cli.Cli.__new__(cli.Cli)
    c.config = configparser.ConfigParser()
    c.config["global"] = {"workspace_url": workspace_url, "user_name": user_name}
    c.workspace_url = yarl.URL(workspace_url)
    c.password = password
    c.twofa_code = ""  # what the client sends when no code is entered
    c.session = session
    c.user_info = None
    return c


async def check_config(c):
    """Runs the client's `_check_config`; returns the message it stopped with (None: it ran through)."""
    try:
        await c._check_config()
    except cli.InitializationError as ex:
        return str(ex)
    return None


async def main(workspace_url, user_name, org_name, password):
    api = yarl.URL(workspace_url) / "api/latest"

    # As `Cli.run`: one aiohttp session (and its cookie jar) for every call.
    async with aiohttp.ClientSession(trust_env=True) as session:
        response = await session.get(api / "organization", params={"plain": "true"})
        check("GET organization before login: 401 in the vendor's error shape", response.status == 401 and (await response.json()).get("status") == 401, response.status)

        c = connected_cli(workspace_url, user_name, password, session)
        stopped = await check_config(c)
        # The client's first DevStack-only call, after alive and login went through.
        check("devstack-cli _check_config: GET alive, POST auth/login (the client's own code)", stopped is not None and stopped.startswith('Failed to fetch "cde-type" object template: Not Found (404)'), stopped)
        user = c.user_info
        check("login answer read as the client reads it: user_info['identity_id'], user_info['name']", isinstance(user, dict) and isinstance(user.get("identity_id"), str) and user.get("name") == user_name, user)

        # As `_check_config` reads custom objects: one condition, plain=true, a JSON list.
        response = await session.get(api / "organization", params={"filter": json.dumps({"field": "name", "op": "eq", "value": org_name}), "plain": "true"})
        found = await response.json() if response.status == 200 else None
        check("GET organization?filter={field, op, value}&plain=true: a list of records", isinstance(found, list) and len(found) == 1 and found[0]["name"] == org_name, found if found is None else [r.get("name") for r in found])
        org_id = found[0]["id"] if found else None

        # As `_update_cde_list` / `_create_cde`: {"and": [...]}, plain=true.
        response = await session.get(api / "organization", params={
            "filter": json.dumps({"and": [{"field": "id", "op": "eq", "value": org_id}, {"field": "record_type", "op": "eq", "value": "ORGANIZATION"}]}),
            "plain": "true",
        })
        anded = await response.json() if response.status == 200 else None
        check('GET organization?filter={"and": [...]}&plain=true', isinstance(anded, list) and [r["id"] for r in anded] == [org_id], response.status)

        # As `_migrate_maximum_uptime_hours`: fields and plain=True, read with `response.ok`.
        response = await session.get(api / "organization", params={"filter": json.dumps({"and": [{"field": "name", "op": "eq", "value": org_name}]}), "fields": "name,id", "plain": "True"})
        projected = await response.json() if response.ok else None
        check("GET organization?filter=...&fields=name,id&plain=True: only those fields", projected == [{"name": org_name, "id": org_id}], projected)

        # As the object templates are read: by=name, no plain, the record under its type.
        response = await session.get(api / "organization" / org_name, params={"by": "name"})
        wrapped = (await response.json())["organization"] if response.status == 200 else None
        check("GET organization/<name>?by=name: (await response.json())['organization']", isinstance(wrapped, dict) and wrapped.get("id") == org_id, response.status)

        # As `_start_cde_api_call`: a PATCH of a JSON object, status 200.
        response = await session.patch(api / "organization" / str(org_id), json={"description": "patched by devstack-cli's session"})
        check("PATCH organization/<id> {json}: 200", response.status == 200 and (await response.json())["organization"]["description"] == "patched by devstack-cli's session", response.status)

        # As `_create_cde_api_call` and `_delete_cde`: organizations are neither created nor deleted.
        response = await session.post(api / "organization", json={"name": "new"}, params={"plain": "true"})
        body = await response.json()
        check("POST organization?plain=true: 405 in the vendor's error shape", response.status == 405 and body.get("message") == "Organization resources cannot be created", body)
        response = await session.delete(api / "organization" / str(org_id), params={"permanently": "true", "wait": "false"})
        body = await response.json()
        check("DELETE organization/<id>?permanently=true&wait=false: 405 in the vendor's error shape", response.status == 405 and body.get("message") == "Organization resources cannot be deleted", body)

        response = await session.get(api / "organization", params={"filter": json.dumps({"and": [{"field": "object_template_id", "op": "eq", "value": "x"}]}), "plain": "true"})
        body = await response.json()
        check("GET organization?filter on a field organizations lack: 400 in the vendor's error shape", response.status == 400 and body.get("error") == "Bad Request", body)

    # A wrong password, through the client's own code, in a session of its own.
    async with aiohttp.ClientSession(trust_env=True) as session:
        stopped = await check_config(connected_cli(workspace_url, user_name, password + "-wrong", session))
        check("devstack-cli _check_config with a wrong password: login refused with 401", stopped is not None and stopped.startswith("Failed to login to Cloudomation workspace: Unauthorized (401)"), stopped)


if __name__ == "__main__":
    url, user, org = sys.argv[1:4]
    asyncio.run(main(url, user, org, os.environ["DEVSTACK_CLI_PASSWORD"]))
    # The client logs to stdout too: the report is the last line, after a marker.
    print("ORGFORM-REPORT " + json.dumps({"checks": checks}))
    sys.exit(0 if checks and all(c["ok"] for c in checks) else 1)
